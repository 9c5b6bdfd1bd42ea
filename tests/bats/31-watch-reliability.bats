#!/usr/bin/env bats
# `contrainer watch` reliability (docs/watch.md "Guarantees"): a killed controller resumes from
# its cursor, bursts, a restarting or missing Engine (a private dockerd of the
# test's own, never the main one), the cursor file.

# shellcheck disable=SC2016,SC2034,SC2030,SC2031 # bodies are shell text expanded where they run; CTL_ENV, CTL_WRAP are read by the helpers
load watch_helpers

# The burst test alone starts 50 containers and then gives the controller
# 120 s; on a slow Engine the starts take most of bats' default budget of
# 120 s.  Bound each test in this file by 300 s instead.
if [ "${BATS_TEST_TIMEOUT:-0}" -lt 300 ]; then
        BATS_TEST_TIMEOUT=300
fi

setup_file() { watch_setup_file; }
teardown_file() { watch_teardown_file; }
setup() { watch_setup; }
teardown() {
        watch_teardown
        if [ -f "$T/pd.dirs" ]; then
                pd_cleanup
                export DOCKER_HOST=$CTR_DOCKER_HOST
        fi
}

@test "kill -9 while containers start, restart on the same state dir: every start is dispatched" {
        reg r 10-start "%me:start" "$(mark r.log)"
        ctl_start
        crun r
        wait_line "$M/r.log" "start $N-r $N-r"
        local i
        for i in 1 2 3 4 5 6 7 8 9 10; do
                crun "c$i"
                if [ "$i" -eq 4 ]; then
                        kill -KILL "$CTL_PID"
                        wait "$CTL_PID" || true
                        CTL_PID=
                fi
        done
        ctl_start
        for i in 1 2 3 4 5 6 7 8 9 10; do
                wait_line "$M/r.log" "start $N-c$i $N-r" 60
        done
}

@test "more than 256 events while it was down: it reconciles from the container list and says so" {
        engine_skip_heavy
        reg r 10-start "%me:start" "$(mark r.log)"
        ctl_start
        ctl_ready
        crun r
        wait_line "$M/r.log" "start $N-r $N-r"
        ctl_stop
        [ "$CTL_RC" -eq 0 ]
        crun c
        # The Engine keeps its last 256 events only: push c's start out.
        overflow_events "$N-r"
        ctl_start
        wait_line "$M/r.log" "start $N-c $N-r" 60
        grep -qi reconcil "$CTL_LOG"
}

@test "a burst of 50 containers: every registration and every start dispatched exactly once" {
        engine_skip_heavy
        mkdir -p "$T/s/shared"
        reg shared 10-me "" 'echo "$CONTRAINER_TARGET" >>"$M/burst.log"'
        reg r 10-start "%me:start" "$(ours 'echo "$CONTRAINER_SOURCE_NAME" >>"$M/starts.log"')"
        ctl_start
        crun r
        wait_lines "$M/starts.log" 1
        local i j pids
        for i in 0 1 2 3 4; do
                pids=()
                for j in 0 1 2 3 4 5 6 7 8 9; do
                        CRUN_SCRIPTS=$T/s/shared crun "b$i$j" &
                        pids+=($!)
                done
                for j in "${pids[@]}"; do wait "$j"; done
        done
        wait_lines "$M/burst.log" 50 120
        wait_lines "$M/starts.log" 51 120
        ctl_ready
        local want
        want=$(for i in 0 1 2 3 4; do for j in 0 1 2 3 4 5 6 7 8 9; do echo "$N-b$i$j"; done; done | sort)
        expect_file <(sort "$M/burst.log") "$want"
        expect_file <(grep -v -x -e "$N-r" -e "$N-ready" "$M/starts.log" | sort) "$want"
        [ "$(grep -c -x "$N-r" "$M/starts.log")" -eq 1 ]
}

@test "the Engine's socket missing at start-up: one line, retries, works once the daemon appears" {
        pd_init
        ctl_start --docker-socket "$PD_SOCK"
        wait_for "a line about the missing socket" 10 test -s "$CTL_LOG"
        local n0
        n0=$(nlines "$CTL_LOG")
        # Scenario time, not synchronisation: back-off 0.1+0.2+0.4+0.8+1.6 s
        # of retries happen in here, and none of them may add a line.
        sleep 3.2
        ctl_alive
        [ "$(nlines "$CTL_LOG")" -eq "$n0" ] || { cat "$CTL_LOG"; return 1; }
        pd_start
        export DOCKER_HOST=unix://$PD_SOCK
        busybox_image "$WATCH_IMAGE"
        reg a 10-me "" "$(mark a.log)"
        crun a
        wait_line "$M/a.log" "immediate $N-a $N-a" 60
}

@test "the Engine restarts: one outage line, one recovery line, no event lost" {
        pd_init
        pd_start
        export DOCKER_HOST=unix://$PD_SOCK
        busybox_image "$WATCH_IMAGE"
        reg r 10-start "%me:start" "$(mark r.log)"
        ctl_start --docker-socket "$PD_SOCK"
        crun r --restart always
        wait_line "$M/r.log" "start $N-r $N-r"
        local n0 n1 n2
        n0=$(nlines "$CTL_LOG")
        pd_stop
        # Scenario time: the Engine stays away for several back-off rounds.
        sleep 3
        ctl_alive
        n1=$(nlines "$CTL_LOG")
        pd_start
        # r comes back (restart policy) and registers afresh: its start is
        # dispatched, live or by reconciling from the container list.
        # Podman's containers outlive its API service (conmon keeps them):
        # nothing restarts there, r stays registered.
        if [ "$(engine_kind)" = Docker ]; then
                wait_for "r's start after the restart" 60 grep_ge 2 "$M/r.log" -x -F "start $N-r $N-r"
        fi
        crun c
        wait_line "$M/r.log" "start $N-c $N-r" 60
        n2=$(nlines "$CTL_LOG")
        echo "# log lines: before $n0, during outage $n1, after recovery $n2" >&3
        sed -n "$((n0 + 1)),${n2}p" "$CTL_LOG" | sed 's/^/# /' >&3
        # During the outage: one line about the Engine (lines about r's own
        # die, which the Engine may report before it goes, aside).
        [ "$(sed -n "$((n0 + 1)),${n1}p" "$CTL_LOG" | grep -cvF "$N-")" -eq 1 ] || {
                echo "expected one line about the Engine during the outage:" >&2
                sed -n "$((n0 + 1)),${n1}p" "$CTL_LOG" >&2
                return 1
        }
        [ $((n2 - n1)) -ge 1 ]
        # One outage, said once: the socket is named by one line only.
        [ "$(sed -n "$((n0 + 1)),${n2}p" "$CTL_LOG" | grep -cF "$PD_SOCK")" -eq 1 ]
}

@test "the cursor file: written while events flow, atomically, kept on exit with no temporary left" {
        reg a 10-me "" "$(mark a.log)"
        ctl_start
        crun a
        wait_lines "$M/a.log" 1
        wait_for "a cursor file in the state dir" 10 dir_has_file "$T/state"
        # While events flow, every read of the cursor sees a whole file.
        local i f bad=0 pids=()
        for i in 1 2 3 4 5; do
                crun "c$i" &
                pids+=($!)
        done
        for i in $(seq 200); do
                for f in "$T/state"/*; do
                        [ -f "$f" ] || continue
                        case $f in *.new | *.tmp) continue ;; esac
                        [ -s "$f" ] || bad=$((bad + 1))
                done
        done
        for i in "${pids[@]}"; do wait "$i"; done
        [ "$bad" -eq 0 ]
        ctl_stop
        [ "$CTL_RC" -eq 0 ]
        find "$T/state" -type f | sed 's/^/# state file: /' >&3
        [ -n "$(find "$T/state" -type f -size +0)" ]
        [ -z "$(find "$T/state" -name '*.new' -o -name '*.tmp' -o -name '.*')" ]
}
