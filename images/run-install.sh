#!/bin/sh
# Runs every NN_*.sh beside it in byte-wise name order (00_ essentials,
# 01_ base functioning, 02_ system-wide, 03_ image-specific, 99_ clean-up),
# stopping at the first failure.  build.sh copies it into each image's
# context as install/run.sh.
set -eu
LC_ALL=C
export LC_ALL DEBIAN_FRONTEND=noninteractive
dir=$(dirname "$0")
for s in "$dir"/[0-9][0-9]_*.sh; do
        [ -f "$s" ] || continue
        echo "install: $(basename "$s")"
        /bin/sh -eu "$s"
done
