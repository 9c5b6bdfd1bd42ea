#!/bin/sh
# Replays every fuzz corpus through its target built with gcc + ASan/UBSan
# (tests/fuzz/replay.c is a plain main, no libFuzzer needed).
# usage: run-replay.sh BUILD_DIR NAME...
set -u
dir=$1; shift
pass=0 fail=0
for name in "$@"; do
        corpus=tests/fuzz/corpus/$name
        if timeout 300 "$dir/replay_$name" "$corpus"; then
                pass=$((pass + 1))
        else
                echo "FAILED: fuzz corpus replay $name" >&2
                fail=$((fail + 1))
        fi
done
echo "fuzz-replay: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
