#!/usr/bin/env bash
# Quick start, step 1: install Volt's apt dependencies, build the Native AOT binary, install it as
# /usr/local/bin/volt, and run Volt's main job on its embedded defaults.
source "$(dirname "$0")/scripts/lib.sh"
need_root
install_apt_packages
ensure_dotnet
publish_volt
install -m 0755 "$REPO_ROOT/out/volt" /usr/local/bin/volt
volt completion bash > /etc/bash_completion.d/volt 2>/dev/null || true
echo "==> installed $(volt version -o json | jq -r .version) at /usr/local/bin/volt"
# The main job for now: store a directory tree in Stellarium and show the store.
volt cas build "$REPO_ROOT/docs" --ref images/volt-docs
volt cas status
