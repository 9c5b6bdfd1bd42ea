#!/usr/bin/env bats
# `contrainer watch` signals and --once (docs/watch.md "Signals"): SIGTERM/SIGINT let the
# running bodies finish and save the cursor, SIGHUP re-collects, --once
# processes what is there and exits by itself.

# shellcheck disable=SC2016,SC2034 # bodies are shell text expanded where they run; CTL_ENV, CTL_WRAP are read by the helpers
load watch_helpers

setup_file() { watch_setup_file; }
teardown_file() { watch_teardown_file; }
setup() { watch_setup; }
teardown() { watch_teardown; }

# The largest event time in the state dir's files, in ns (the cursor is the
# time of the last event handled: accept nanoseconds or seconds.nanoseconds).
cursor_ns() {
        cat "$T/state"/* 2>/dev/null | grep -oE '[0-9]{10}\.[0-9]{9}|[0-9]{19}' | tr -d . | sort -n | tail -n 1
}

@test "SIGTERM with a body in flight: the body finishes, the cursor is saved past it, exit 0" {
        reg r 10-slow "%me:start" "$(ours 'echo "begin $CONTRAINER_SOURCE_NAME" >>"$M/r.log"; sleep 3; echo "end $CONTRAINER_SOURCE_NAME" >>"$M/r.log"')"
        local t0 tb c1 c2
        t0=$(date +%s)
        ctl_start
        ctl_ready
        crun r
        wait_line "$M/r.log" "end $N-r"
        crun b
        wait_line "$M/r.log" "begin $N-b"
        tb=$(timeout 10 docker events --since "$t0" --until "$(date +%s.%N)" \
                --filter "container=$N-b" --filter event=start --format '{{.TimeNano}}' | head -n 1)
        [[ "$tb" =~ ^[0-9]{19}$ ]]
        # The cursor never passes an event whose bodies are still running.
        c1=$(cursor_ns)
        [ -z "$c1" ] || [ "$c1" -lt "$tb" ]
        kill -TERM "$CTL_PID"
        CTL_MAY_EXIT=1 wait_for "the controller to exit" 30 ctl_exited
        ctl_stop
        [ "$CTL_RC" -eq 0 ]
        expect_file "$M/r.log" "begin $N-r
end $N-r
begin $N-b
end $N-b"
        c2=$(cursor_ns)
        echo "# cursor before TERM: ${c1:-none}, b's start: $tb, after exit: ${c2:-none}" >&3
        [ -n "$c2" ] && [ "$c2" -ge "$tb" ]
}

@test "restarted after SIGTERM on the same state dir: events are resumed, none dispatched twice" {
        reg r 10-start "%me:start" "$(mark r.log)"
        ctl_start
        ctl_ready
        crun r
        crun b
        wait_line "$M/r.log" "start $N-b $N-r"
        ctl_stop
        [ "$CTL_RC" -eq 0 ]
        crun c
        ctl_start
        wait_line "$M/r.log" "start $N-c $N-r"
        crun d
        wait_line "$M/r.log" "start $N-d $N-r"
        expect_file "$M/r.log" "start $N-r $N-r
start $N-b $N-r
start $N-c $N-r
start $N-d $N-r"
}

@test "SIGINT exits 0 as SIGTERM does" {
        ctl_start
        ctl_ready
        ctl_stop INT
        [ "$CTL_RC" -eq 0 ]
}

@test "SIGHUP re-collects: a changed script's new registration runs" {
        reg r 10-me "" 'echo "v1 $CONTRAINER_EVENT" >>"$M/r.log"'
        ctl_start
        crun r
        wait_line "$M/r.log" "v1 immediate"
        reg r 10-me "" 'echo "v2 $CONTRAINER_EVENT" >>"$M/r.log"'
        reg r 20-new "" 'echo "new $CONTRAINER_EVENT" >>"$M/r.log"'
        kill -HUP "$CTL_PID"
        wait_line "$M/r.log" "v2 immediate"
        wait_line "$M/r.log" "new immediate"
        ctl_alive
}

@test "--once: processes running containers and queued events, waits for its bodies, exits 0 by itself" {
        reg r 10-start "%me:start" "$(ours 'echo "start $CONTRAINER_SOURCE_NAME" >>"$M/r.log"')"
        reg a 10-me "" 'sleep 1; echo "immediate $CONTRAINER_SOURCE_NAME" >>"$M/a.log"'
        ctl_start
        crun r
        wait_line "$M/r.log" "start $N-r"
        ctl_stop
        [ "$CTL_RC" -eq 0 ]
        # While no controller runs: a start event is queued in the Engine,
        # and a running container offers an immediate body.
        crun a
        local rc=0
        timeout 60 env M="$M" "$CONTRAINER" watch --once --state-dir "$T/state" --script-dir "$CTR_SD" \
                --exec-timeout 20 </dev/null 2>>"$CTL_LOG" 3>&- || rc=$?
        [ "$rc" -eq 0 ]
        # Its bodies finished before it exited: no waiting needed.
        expect_file "$M/a.log" "immediate $N-a"
        grep -qxF "start $N-a" "$M/r.log"
}
