# The middle of the example stack: a Flask app that counts its visits in MariaDB ("db", found by name through
# volt-dns on the internal "back" network) and says which container answered.
import socket

import pymysql
from flask import Flask

server = Flask(__name__)


def connect():
    with open('/run/secrets/db-password') as f:
        password = f.read().strip()
    c = pymysql.connect(host='db', user='root', password=password, database='hello', autocommit=True)
    with c.cursor() as cur:
        cur.execute('CREATE TABLE IF NOT EXISTS visits (id INT PRIMARY KEY, n INT NOT NULL)')
        cur.execute('INSERT IGNORE INTO visits (id, n) VALUES (1, 0)')
    return c


conn = None


@server.route('/health')
def health():
    return 'ok\n'


@server.route('/')
def index():
    global conn
    if conn is None:
        conn = connect()
    conn.ping(reconnect=True)
    with conn.cursor() as cur:
        cur.execute('UPDATE visits SET n = n + 1 WHERE id = 1')
        cur.execute('SELECT n FROM visits WHERE id = 1')
        n = cur.fetchone()[0]
    return ('<h1>Hello from a Volt stack</h1>\n'
            '<p>nginx (web) &rarr; flask (app, %s) &rarr; mariadb (db)</p>\n'
            '<p>Visits: %d</p>\n') % (socket.gethostname(), n)


if __name__ == '__main__':
    server.run(host='0.0.0.0', port=8000)
