#!/usr/bin/env bats
# `contrainer watch` over many events: no leak under valgrind, flat memory.
# Workload: a registrar r with a %me:start entry, five containers c1..c5 that
# each register a blank-header body and a %me:die entry (whose bodies fail:
# the container is gone by then), all restarted over and over; one `docker
# restart` is five container events (kill, die, stop, start, restart).

# shellcheck disable=SC2016,SC2034,SC2054 # bodies are shell text expanded where they run; CTL_ENV, CTL_WRAP are read by the helpers
load watch_helpers

# ~1000 events take 1-2 minutes on 2 cores: bound each test here by 300 s.
if [ "${BATS_TEST_TIMEOUT:-0}" -lt 300 ]; then
        BATS_TEST_TIMEOUT=300
fi

setup_file() { watch_setup_file; }
teardown_file() { watch_teardown_file; }
setup() { watch_setup; }
teardown() { watch_teardown; }

CS=(c1 c2 c3 c4 c5)

workload_start() {
        local c
        reg r 10-start "%me:start" "$(ours 'echo "$CONTRAINER_SOURCE_NAME" >>"$M/r.log"')"
        for c in "${CS[@]}"; do
                reg "$c" 10-me "" ':'
                reg "$c" 20-die "%me:die" 'echo "$CONTRAINER_EVENT"'
        done
        # Subscribed before r starts, so r's own start is an event too.
        ctl_ready
        crun r
        wait_lines "$M/r.log" 1 60
        for c in "${CS[@]}"; do crun "$c"; done
        wait_for "r to see the first starts of c1..c5" 60 has_starts 5
}

# rounds N: restart c1..c5 (in parallel) N times, then wait until r has seen every start
# (so the controller has handled every event up to there).
rounds() {
        local i c want pids
        for ((i = 0; i < $1; i++)); do
                pids=()
                for c in "${CS[@]}"; do
                        timeout 30 docker restart -t 1 "$N-$c" >/dev/null &
                        pids+=($!)
                done
                for c in "${pids[@]}"; do wait "$c"; done
        done
        ROUNDS=$((${ROUNDS:-0} + $1))
        want=$((5 + 5 * ROUNDS))
        wait_for "r to see $want starts of c1..c5" 120 has_starts "$want"
}

has_starts() { [ "$(grep -c "^$N-c[1-5]\$" "$M/r.log")" -ge "$1" ]; }

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$CTL_PID/status"; }

@test "no leak under valgrind over ~1000 events, exit 0 on SIGTERM" {
        command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; return 1; }
        # definite and indirect leaks are ours; "possibly lost" blocks inside
        # libcurl/OpenSSL's own pools are not, and are not errors here.
        CTL_WRAP=(valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect
                --show-leak-kinds=definite,indirect --error-exitcode=99
                --child-silent-after-fork=yes --log-file="$T/vg.%p.log")
        ctl_start --exec-timeout 30
        workload_start
        rounds 40
        CTL_MAY_EXIT=1
        local pid=$CTL_PID
        CTL_STOP_WAIT=90 ctl_stop TERM
        echo "# valgrind exit status $CTL_RC" >&3
        if [ "$CTL_RC" -ne 0 ] || grep -qE 'definitely lost|indirectly lost|Invalid|uninitialised' "$T/vg.$pid.log"; then
                cat "$T/vg.$pid.log" >&2
                return 1
        fi
}

@test "memory stays flat: VmRSS after ~1000 events is under twice that after ~100" {
        ctl_start
        workload_start
        rounds 4
        local early late
        early=$(rss_kb)
        rounds 36
        late=$(rss_kb)
        echo "# VmRSS after ~100 events: ${early} kB, after ~1000 events: ${late} kB" >&3
        [ "$late" -lt $((2 * early)) ]
        ctl_stop
        [ "$CTL_RC" -eq 0 ]
}
