#!/usr/bin/env python3
"""Generate the deterministic benchmark tree for bench/cas/run.sh.

Usage: gen_tree.py [--scale S] [--seed N] TARGET_DIR

At scale 1 the tree holds ~20,000 small files (log-uniform sizes 100 B - 64 KiB) in directories three levels
deep, a few empty directories and symlinks, 6 large files of 64-160 MiB, and copies of other files' content at
other paths (a quarter of the small files, plus whole large files) so that ~30% of all file bytes are duplicates.
Total: ~1.2 GiB. --scale multiplies the file count and the large-file sizes (0.1 gives a ~120 MiB smoke tree;
large files stay above volt's 4 MiB streaming threshold down to scale 0.07).

Content comes from random.Random(seed), so the same seed gives byte-identical trees. Prints one JSON line of
statistics on stdout.
"""
import argparse
import json
import math
import os
import random
import shutil
import sys

KiB, MiB = 1 << 10, 1 << 20
SMALL_MIN, SMALL_MAX = 100, 64 * KiB
SMALL_DUP_FRACTION = 0.25   # share of small files that copy an earlier small file's content
TARGET_DUP_BYTES = 0.30     # large-file copies are added until duplicate bytes are closest to this share
WRITE_CHUNK = 8 * MiB


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("target")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=20261124)
    a = ap.parse_args()
    if a.scale <= 0:
        ap.error("--scale must be > 0")
    if os.path.lexists(a.target):
        ap.error(f"{a.target} already exists")

    rng = random.Random(a.seed)
    root = a.target
    os.makedirs(root)

    # Directories: three levels, fan-out chosen so there are ~1 leaf directory per 20 small files.
    n_small = max(50, round(20000 * a.scale))
    fan = max(2, math.ceil((n_small / 20) ** (1 / 3)))
    dirs = []
    for i in range(fan):
        for j in range(fan):
            for k in range(fan):
                d = os.path.join(f"d{i:02d}", f"s{j:02d}", f"t{k:02d}")
                os.makedirs(os.path.join(root, d))
                dirs.append(d)
    # Files go mostly into leaves, some into the upper levels.
    upper = sorted({os.path.dirname(d) for d in dirs} | {os.path.dirname(os.path.dirname(d)) for d in dirs})
    placement = dirs * 9 + upper  # leaf dirs weighted 9:1 against every upper dir

    stats = {"seed": a.seed, "scale": a.scale, "small_files": 0, "large_files": 0, "files": 0, "bytes": 0,
             "dup_bytes": 0, "small_bytes": 0, "large_bytes": 0, "dirs": 1 + len(dirs) + len(upper),
             "empty_dirs": 0, "symlinks": 0}

    def account(size: int, dup: bool, large: bool) -> None:
        stats["files"] += 1
        stats["bytes"] += size
        stats["large_bytes" if large else "small_bytes"] += size
        stats["large_files" if large else "small_files"] += 1
        if dup:
            stats["dup_bytes"] += size

    # Small files.
    small = []  # relative paths of files with original content
    log_lo, log_hi = math.log(SMALL_MIN), math.log(SMALL_MAX)
    for n in range(n_small):
        rel = os.path.join(rng.choice(placement), f"f{n:06d}.{rng.choice(('so', 'py', 'txt', 'conf', 'bin', 'h'))}")
        path = os.path.join(root, rel)
        if small and rng.random() < SMALL_DUP_FRACTION:
            src = os.path.join(root, rng.choice(small))
            shutil.copyfile(src, path)
            account(os.path.getsize(path), True, False)
        else:
            size = int(math.exp(rng.uniform(log_lo, log_hi)))
            with open(path, "wb") as f:
                f.write(rng.randbytes(size))
            small.append(rel)
            account(size, False, False)
        if rng.random() < 0.1:
            os.chmod(path, 0o755)

    # Large files with original content.
    os.makedirs(os.path.join(root, "large"))
    large = []
    for n in range(6):
        size = int(rng.uniform(64, 160) * MiB * a.scale)
        rel = os.path.join("large", f"blob{n}.img")
        with open(os.path.join(root, rel), "wb") as f:
            left = size
            while left:
                take = min(left, WRITE_CHUNK)
                f.write(rng.randbytes(take))
                left -= take
        large.append((rel, size))
        account(size, False, True)

    # Copies of large files at other paths, while they bring duplicate bytes closer to the target share.
    n_copy = 0
    while True:
        rel, size = rng.choice(large)
        now = stats["dup_bytes"] / stats["bytes"]
        after = (stats["dup_bytes"] + size) / (stats["bytes"] + size)
        if abs(after - TARGET_DUP_BYTES) >= abs(now - TARGET_DUP_BYTES):
            break
        dst = os.path.join(root, rng.choice(dirs), f"copy{n_copy}-{os.path.basename(rel)}")
        shutil.copyfile(os.path.join(root, rel), dst)
        account(size, True, True)
        n_copy += 1

    # A few empty directories and symlinks (relative, to a file, to a directory, and one dangling).
    for n in range(5):
        os.makedirs(os.path.join(root, rng.choice(dirs), f"empty{n}"))
        stats["empty_dirs"] += 1
    stats["dirs"] += stats["empty_dirs"]
    for n in range(8):
        d = rng.choice(dirs)
        target = os.path.relpath(os.path.join(root, rng.choice(small)), os.path.join(root, d))
        os.symlink(target, os.path.join(root, d, f"link{n}"))
    os.symlink("../d00", os.path.join(root, "large", "dirlink"))
    os.symlink("does/not/exist", os.path.join(root, "dangling"))
    stats["symlinks"] = 10

    stats["dup_fraction"] = round(stats["dup_bytes"] / stats["bytes"], 4)
    json.dump(stats, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
