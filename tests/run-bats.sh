#!/bin/bash
# Runs the black-box bats suites (all of tests/bats/*.bats, or those given),
# each test bounded by BATS_TEST_TIMEOUT, and prints one closing line
# "bats: N passed, N failed, N skipped".  CONTRAINER names the binary.
set -u
cd "$(dirname "$0")/.." || exit 1
: "${CONTRAINER:?CONTRAINER must name the binary under test}"
export CONTRAINER
export BATS_TEST_TIMEOUT="${BATS_TEST_TIMEOUT:-120}"
if [ $# -eq 0 ]; then
        set -- tests/bats/*.bats
fi
log=$(mktemp)
started_docker=
# Suites beyond 1x (init) talk to a real Docker Engine: start one if needed,
# and stop it at the end only if this run started it.
for f in "$@"; do
        case "$(basename -- "$f")" in
        1* | -*) ;;
        *) started_docker=1 ;;
        esac
done
# shellcheck source=tests/lib/dockerd.sh
. tests/lib/dockerd.sh
if [ -n "$started_docker" ]; then
        dockerd_ensure || exit 1
fi
# The suites share one imported busybox base image on the machine's Engine
# (re-imported in under a second): remove it once all of them are done, but
# only when this run imported it (another run on the same Engine may still
# be using an image it found there).
had_busybox=
if [ -n "$started_docker" ] && docker image inspect ctrtest/busybox:latest >/dev/null 2>&1; then
        had_busybox=1
fi
cleanup() {
        rm -f "$log"
        if [ -n "$started_docker" ] && [ -z "$had_busybox" ] && docker_ping; then
                docker rmi -f ctrtest/busybox:latest >/dev/null 2>&1 || true
        fi
        dockerd_release
}
trap cleanup EXIT
bats --tap "$@" | tee "$log"
rc=${PIPESTATUS[0]}
pass=$(grep -cE '^ok [0-9]+' "$log" | head -1)
skip=$(grep -cE '^ok [0-9]+ .*# skip' "$log" | head -1)
fail=$(grep -cE '^not ok [0-9]+' "$log" | head -1)
pass=$((pass - skip))
echo "bats: $pass passed, $fail failed, $skip skipped"
[ "$rc" -eq 0 ] && [ "$fail" -eq 0 ]
