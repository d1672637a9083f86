# The awesome-compose nginx-flask-mysql backend, on Debian's python3-flask and python3-pymysql: a blog table in
# the "example" database on "db" (found by name through volt-dns), its titles as the page.
import pymysql
from flask import Flask

server = Flask(__name__)
conn = None


def connect():
    with open('/run/secrets/db-password') as f:
        password = f.read().strip()
    c = pymysql.connect(host='db', user='root', password=password, database='example', autocommit=True)
    with c.cursor() as cur:
        cur.execute('DROP TABLE IF EXISTS blog')
        cur.execute('CREATE TABLE blog (id INT AUTO_INCREMENT PRIMARY KEY, title VARCHAR(255))')
        cur.executemany('INSERT INTO blog (id, title) VALUES (%s, %s)', [(i, 'Blog post #%d' % i) for i in range(1, 5)])
    return c


@server.route('/')
def list_blog():
    global conn
    if conn is None:
        conn = connect()
    with conn.cursor() as cur:
        cur.execute('SELECT title FROM blog')
        titles = [row[0] for row in cur.fetchall()]
    return ''.join('<div>Hello %s</div>' % t for t in titles)


if __name__ == '__main__':
    server.run(host='0.0.0.0', port=8000)
