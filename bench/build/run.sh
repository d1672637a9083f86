#!/usr/bin/env bash
# Containerfile builds, volt against buildah bud (Debian's buildah, vfs storage, chroot isolation: its only isolation
# that runs here, and it allows only host networking; the same Containerfile and the same
# local base image) in one run:
#   cold        - empty build cache on both sides (base image already stored)
#   cached      - the same build again, nothing changed
#   one file    - one file of the 5,000-file COPY changed (content), so its COPY and the compile run again
# The Containerfile: a Debian base (volt image create --include gcc,libc6-dev, cached under /var/cache/volt-test),
# a package install (dpkg -i of make's .deb), a COPY of a 5,000-file source tree, a compile step.
# Usage: bench/build/run.sh [VOLT_BINARY]   (root; needs debootstrap, systemd-container, buildah, gcc; reaches the
# Debian mirror apt uses once for debootstrap and `apt-get download make`)
set -euo pipefail
VOLT=${1:-$(cd "$(dirname "$0")/../.." && pwd)/out/volt}
W=$(mktemp -d /tmp/volt-bench-build-XXXX)
export VOLT_ROOT=$W/root VOLT_COLOR=never
CACHE=${VOLT_TEST_CACHE:-/var/cache/volt-test}/build
BA=(buildah --root "$W/buildah" --runroot "$W/buildah-run" --storage-driver vfs)
cleanup() {
  "${BA[@]}" rm -a >/dev/null 2>&1 || true
  for m in $(awk '{print $5}' /proc/self/mountinfo | grep "^$W/" | sort -r); do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$W" 2>/dev/null || true
}
trap cleanup EXIT
mkdir -p "$VOLT_ROOT/etc/volt"; printf 'build:\n  cache_dir: %s\n' "$CACHE" > "$VOLT_ROOT/etc/volt/config.yaml"

echo "base image (debootstrap once per machine, then stored)..." >&2
"$VOLT" image create bench-base:1 --from debian:bookworm --include gcc,libc6-dev >/dev/null
ROOTFS=$(ls -d "$CACHE"/distro/debian-bookworm-minbase-amd64-* | head -1)
c=$("${BA[@]}" from scratch); mnt=$("${BA[@]}" mount "$c"); cp -a "$ROOTFS"/. "$mnt"/; "${BA[@]}" umount "$c" >/dev/null
"${BA[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd /bin/bash "$c"
"${BA[@]}" commit -q "$c" localhost/bench-base:1 >/dev/null; "${BA[@]}" rm "$c" >/dev/null

CTX=$W/ctx; mkdir -p "$CTX/src/tree"
(cd "$CTX" && apt-get download -q make >/dev/null 2>&1 && mv make_*.deb make.deb)
python3 - "$CTX/src/tree" <<'PY'
import os, sys
root = sys.argv[1]
for i in range(5000):
    d = os.path.join(root, f"d{i % 50:02d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:04d}.txt"), "w") as f:
        f.write(f"file {i}\n" * (1 + i % 40))
PY
cat > "$CTX/src/main.c" <<'C'
#include <stdio.h>
int main(void) { puts("bench"); return 0; }
C
cat > "$CTX/Containerfile" <<'CF'
FROM bench-base:1
COPY make.deb /tmp/make.deb
RUN dpkg -i /tmp/make.deb && rm /tmp/make.deb
COPY src /src
RUN gcc -O2 -o /usr/local/bin/bench /src/main.c && find /src -type f | wc -l
CMD ["/usr/local/bin/bench"]
CF
cp "$CTX/Containerfile" "$CTX/Containerfile.buildah"; sed -i 's|^FROM bench-base:1|FROM localhost/bench-base:1|' "$CTX/Containerfile.buildah"
printf 'Containerfile.buildah\n' > "$CTX/.containerignore"

now() { date +%s%N; }
ms() { echo $(( ($(now) - $1) / 1000000 )); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "NaN"; else printf "%.2f", a/b }'; }
vb() { "$VOLT" image build -t bench:1 "$CTX" >/dev/null 2>"$W/volt.err" || { cat "$W/volt.err" >&2; exit 1; }; }
bb() { "${BA[@]}" bud --layers -q --isolation chroot -f "$CTX/Containerfile.buildah" -t localhost/bench:1 "$CTX" >/dev/null 2>"$W/buildah.err" || { cat "$W/buildah.err" >&2; exit 1; }; }

printf '%-10s %10s %10s %8s\n' case volt_ms buildah_ms ratio
t=$(now); vb; v=$(ms $t); t=$(now); bb; b=$(ms $t); printf '%-10s %10s %10s %8s\n' cold "$v" "$b" "$(ratio $v $b)"
t=$(now); vb; v=$(ms $t); t=$(now); bb; b=$(ms $t); printf '%-10s %10s %10s %8s\n' cached "$v" "$b" "$(ratio $v $b)"
echo "changed" >> "$CTX/src/tree/d07/f0007.txt"
t=$(now); vb; v=$(ms $t); t=$(now); bb; b=$(ms $t); printf '%-10s %10s %10s %8s\n' one-file "$v" "$b" "$(ratio $v $b)"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
