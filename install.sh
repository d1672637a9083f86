#!/usr/bin/env bash
# Quick start, step 1: install Volt's apt dependencies, build the Native AOT binary, install it as
# /usr/local/bin/volt, and run Volt's main job: an example stack (examples/hello-stack) up, its page fetched.
source "$(dirname "$0")/scripts/lib.sh"
need_root
install_apt_packages
ensure_dotnet
publish_volt
install -m 0755 "$REPO_ROOT/out/volt" /usr/local/bin/volt
install_system_files
volt completion bash > /etc/bash_completion.d/volt 2>/dev/null || true
echo "==> installed $(volt version -o json | jq -r .version) at /usr/local/bin/volt"
# Stellarium holds the docs tree (cheap, and a first look at the store).
volt cas build "$REPO_ROOT/docs" --ref images/volt-docs >/dev/null
# The main job: the example stack in examples/hello-stack (nginx -> flask -> mariadb), one image built from Debian
# packages through apt's mirror (debootstrap, cached by its inputs: a second run builds nothing), names through
# volt-dns, the page on 127.0.0.1 only. A second run of install.sh keeps what runs (nothing changed, nothing recreated).
STACK="$REPO_ROOT/examples/hello-stack/volt-compose.yaml"
PORT="${HELLO_PORT:-8080}"
if ! volt image inspect volt-example >/dev/null 2>&1; then
  echo "==> volt image create volt-example (debootstrap of Debian bookworm: a few minutes the first time)"
  volt image create volt-example --from debian:bookworm \
    --include mariadb-server,mariadb-client,nginx-light,python3-flask,python3-pymysql
fi
volt dns install-service >/dev/null
volt service start volt-dns >/dev/null
echo "==> volt compose -f examples/hello-stack/volt-compose.yaml up -d"
HELLO_PORT="$PORT" volt compose -f "$STACK" up -d
volt compose -f "$STACK" ps
echo "==> curl http://127.0.0.1:$PORT/"
page=""
for _ in $(seq 1 60); do
  page=$(curl -fsS -m 5 "http://127.0.0.1:$PORT/" 2>/dev/null) && break
  sleep 1
done
if [ -z "$page" ]; then
  echo "error: the example stack did not answer on 127.0.0.1:$PORT within 60 s (volt compose -f $STACK logs)" >&2
  exit 1
fi
echo "$page"
echo "==> the example stack runs: 'volt compose -f $STACK ps|logs', stop it with 'volt compose -f $STACK down' (-v drops its database)"
