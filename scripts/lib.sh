# Shared by install.sh and test.sh. Source it; do not run it.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

need_root() {
  if [ "$(id -u)" -ne 0 ]; then echo "error: run as root (sudo $0)" >&2; exit 5; fi
}

install_apt_packages() {
  local pkgs
  pkgs=$(grep -v '^\s*#' "$REPO_ROOT/scripts/apt-packages.txt" | awk 'NF{print $1}' | tr '\n' ' ')
  local missing=()
  for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

ensure_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "==> the .NET 10 SDK is required; trying apt (dotnet-sdk-10.0 from Microsoft's repository)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dotnet-sdk-10.0 >/dev/null 2>&1 || {
      echo "error: install the .NET 10 SDK (https://learn.microsoft.com/dotnet/core/install/linux-debian) and re-run" >&2; exit 10; }
  fi
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
}

publish_volt() {
  echo "==> dotnet publish src/Volt (Native AOT)"
  (cd "$REPO_ROOT" && dotnet publish src/Volt -c Release -o out -v quiet -nologo | grep -E "warning|error" || true)
  test -x "$REPO_ROOT/out/volt"
}

# The `volt` group (docs/security.md): voltd shares its socket with it (root:volt 0660); members run containers.
ensure_volt_group() {
  getent group volt >/dev/null || groupadd --system volt
}

# What a package would install beside the binary: the group, polkit actions (used where systemd is PID 1),
# logrotate's rule (SIGUSR2 reopens the logs), and volt.dbg so SIGUSR1's stack dump names functions.
install_system_files() {
  ensure_volt_group
  if [ -d /usr/share/polkit-1/actions ]; then
    install -m 0644 "$REPO_ROOT/packaging/polkit/org.volt.policy" /usr/share/polkit-1/actions/org.volt.policy
  fi
  if [ -d /etc/logrotate.d ]; then
    install -m 0644 "$REPO_ROOT/packaging/logrotate/volt" /etc/logrotate.d/volt
  fi
  [ -f "$REPO_ROOT/out/volt.dbg" ] && install -m 0644 "$REPO_ROOT/out/volt.dbg" /usr/local/bin/volt.dbg
  return 0
}
