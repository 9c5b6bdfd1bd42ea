#!/bin/bash
# make check-engines: the controller's core suites against every engine
# users run (docs/engines.md, "How CI tests each engine"), one engine after
# the other, each suite file starting and stopping its own daemon
# (tests/lib/engines.sh).  After each engine, nothing it started may be
# left: no process, mount or directory of a private Engine.
#   CONTRAINER   the binary under test (required)
#   CTR_ENGINES  the engines (default: all five)
#   CTR_ENGINE_FILES  the suite files (default: the core set below)
# Prints one line per engine and a closing "engines: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
: "${CONTRAINER:?CONTRAINER must name the binary under test}"
export CONTRAINER

ENGINES=${CTR_ENGINES:-docker20 docker-trixie podman podman-rootless docker-rootless}
# The core: collection (20), dispatch (21), policy (22), the daemon restart
# and no lost events (31), status (35), bad engines (38).  On Docker 20.10,
# `make check` already runs 2x-3x in full: only what is new here runs again.
CORE="tests/bats/20-watch-basics.bats tests/bats/21-watch-dispatch.bats tests/bats/22-watch-policy.bats
tests/bats/31-watch-reliability.bats tests/bats/35-watch-status.bats tests/bats/38-engine-faults.bats"
CORE_ROOTLESS="tests/bats/21-watch-dispatch.bats tests/bats/31-watch-reliability.bats tests/bats/38-engine-faults.bats"
# The heavy ones (the 50- and 300-container bursts) skip themselves on the
# other engines (engine_skip_heavy): they stay with Docker 20.10.

# The private Engines of this run live in /tmp/ctrtest-pd-ENGINE-PID.*
# (CTR_PD_PREFIX, see pd_init): other runs on the machine use their own.
leftovers() { # PREFIX: dirs, processes and mounts of private Engines left
        local d
        for d in "$1".*; do
                [ -e "$d" ] || continue
                echo "dir $d"
                pgrep -fa -- "$d/" | sed 's/^/process /'
                awk -v p="$d/" 'index($2, p) == 1 { print "mount " $2 }' /proc/mounts
        done
}

pass=0 fail=0 summary=""
for e in $ENGINES; do
        export CTR_PD_PREFIX=/tmp/ctrtest-pd-$e-$$
        case $e in
        docker20) files=${CTR_ENGINE_FILES:-tests/bats/38-engine-faults.bats} ;;
        # A rootless engine differs from its rootful self in its user
        # namespace and storage, not in its API: dispatch, the daemon
        # restart, no lost events and bad engines run there (CI's time is
        # bounded).
        *-rootless) files=${CTR_ENGINE_FILES:-$CORE_ROOTLESS} ;;
        *) files=${CTR_ENGINE_FILES:-$CORE} ;;
        esac
        echo "==== engine $e: $(echo "$files" | xargs -n1 basename | tr '\n' ' ')"
        t0=$SECONDS
        log=$(mktemp)
        # shellcheck disable=SC2086 # file names without blanks
        CTR_ENGINE=$e tests/run-bats.sh $files 2>&1 | tee "$log"
        rc=${PIPESTATUS[0]}
        line=$(grep '^bats:' "$log" | tail -1)
        rm -f "$log"
        left=$(leftovers "$CTR_PD_PREFIX")
        if [ -n "$left" ]; then
                echo "engine $e left something behind:"
                echo "$left"
                rc=1
        fi
        if [ "$rc" -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
        summary="$summary
engine $e: ${line:-bats: no result}, $((SECONDS - t0)) s$([ "$rc" -eq 0 ] || echo ", FAILED")"
done
echo "$summary"
echo "engines: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
