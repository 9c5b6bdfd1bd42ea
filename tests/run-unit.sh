#!/bin/sh
# Runs every Criterion unit-test binary given as arguments, each bounded by a
# timeout, and prints one closing line "unit: N passed, N failed".
set -u
pass=0 fail=0
for t in "$@"; do
        if timeout 300 "$t" --jobs=2 --timeout=60; then
                pass=$((pass + 1))
        else
                echo "FAILED: $t" >&2
                fail=$((fail + 1))
        fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
