#!/usr/bin/env bats
# `contrainer watch` bounds are real (docs/watch.md "Bounded"): a timed-out script
# or body dies with its whole process group, an exec is done when its
# process exits even if a background child holds its output, and SIGTERM
# kills what is left after --stop-timeout, leaving the cursor behind it.
# The controller runs on the host here, so it sees container PIDs.

# shellcheck disable=SC2016,SC2034 # bodies are shell text expanded where they run; CTL_ENV, CTL_WRAP are read by the helpers
load watch_helpers

setup_file() { watch_setup_file; }
teardown_file() { watch_teardown_file; }
setup() { watch_setup; }
teardown() { watch_teardown; }

# ctop_has CONTAINER PATTERN: a process of CONTAINER has PATTERN in its command line.
ctop_has() { docker top "$1" -o pid,args 2>/dev/null | grep -qE -- "$2"; }
ctop_lacks() { ! ctop_has "$@"; }

# Has host process PID gone (no such process, or a zombie left to its reaper)?
pid_gone() {
        local st
        ! st=$(ps -o stat= -p "$1" 2>/dev/null) || [ "${st:0:1}" = Z ]
}
# all_gone FILE: every PID listed in FILE has gone.
all_gone() {
        local p
        while read -r p; do
                [ -n "$p" ] || continue
                pid_gone "$p" || return 1
        done <"$1"
}

@test "a hanging script with background children dies with its group; the container's next script registers" {
        raw_script h 10-hang '#!/bin/sh
echo started >>/m/h.started
sleep 611 &
sleep 612 &
exec sleep 613'
        ctl_start --exec-timeout 4
        crun h
        wait_lines "$M/h.started" 1
        wait_for "the script's processes" 10 ctop_has "$N-h" 'sleep 61[123]'
        wait_log "10-hang" 30
        log_grep "$N-h" 10-hang "killed with its process group" >/dev/null
        # Not one process of that exec is left in the container.
        wait_for "the exec's processes gone" 10 ctop_lacks "$N-h" 'sleep 61[123]'
        # The container's next script runs and registers normally.
        reg h 10-hang "" "$(mark h.next)"
        kill -HUP "$CTL_PID"
        wait_lines "$M/h.next" 1
        refute log_grep "$N-h" "not visible"
        ctl_alive
}

@test "a script that exits while a background child holds stdout is done; the child is the container's" {
        raw_script b 10-bg "$(printf '#!/bin/sh\nsleep 621 &\necho\necho "echo ran >>/m/b.body"')"
        reg c 10-me "" 'sleep 622 & echo first >>"$M/c.log"'
        reg c 20-next "" "$(mark c.next)"
        ctl_start --exec-timeout 600
        crun b
        crun c
        # Registered and its body ran, long before --exec-timeout.
        wait_lines "$M/b.body" 1 60
        # A body's exec is done the same way: the next body of c runs.
        wait_lines "$M/c.next" 1 60
        expect_file "$M/c.log" "first"
        log_grep "$N-c" "exit 0" >/dev/null
        refute log_grep "time"
        # The background children live on in their containers.
        ctop_has "$N-b" 'sleep 621'
        ctop_has "$N-c" 'sleep 622'
        ctl_alive
}

@test "a body that ignores SIGTERM and started a background child times out and loses its whole group" {
        reg h 10-hang "" 'trap "" TERM; sleep 631 & echo begin >>"$M/h.body"; sleep 632'
        reg h 20-next "" "$(mark h.next)"
        ctl_start --exec-timeout 4
        crun h
        wait_lines "$M/h.body" 1
        wait_for "the body's processes" 10 ctop_has "$N-h" 'sleep 63[12]'
        # The next body for h runs once the hung one is killed.
        wait_lines "$M/h.next" 1 30
        log_grep "$N-h" "timed out" "killed with its process group" >/dev/null
        wait_for "the body's processes gone" 10 ctop_lacks "$N-h" 'sleep 63[12]'
        ctl_alive
}

@test "a %contrainer body that ignores SIGTERM times out and loses its whole group" {
        reg r 10-ctl "%contrainer" 'trap "" TERM; sleep 641 & echo $! >>"$M/ctl.pids"; echo $$ >>"$M/ctl.pids"; sleep 642'
        ctl_start --exec-timeout 3 --allow "$N-r=contrainer,host"
        crun r
        wait_lines "$M/ctl.pids" 2
        wait_for "the timeout of the %contrainer body" 30 log_grep %contrainer "timed out" "killed with its process group"
        wait_for "the body's processes gone" 10 all_gone "$M/ctl.pids"
        ctl_alive
}

@test "SIGTERM with a long %contrainer body: exit 0 after --stop-timeout, its group is gone, it runs again after restart" {
        local body
        body=$(printf '[ "$CONTRAINER_SOURCE_NAME" = "%s" ] || exit 0
trap "" TERM
echo "begin $$" >>"$M/c.log"
echo $$ >>"$M/c.pids"
sleep 651 & echo $! >>"$M/c.pids"
sleep 652 & echo $! >>"$M/c.pids"
wait' "$N-b")
        reg r 10-ctl "%contrainer:start" "$body"
        crun r
        ctl_start --stop-timeout 2 --allow "$N-r=contrainer,host"
        ctl_ready
        crun b
        wait_lines "$M/c.pids" 3
        CTL_STOP_WAIT=15 ctl_stop TERM
        [ "$CTL_RC" -eq 0 ]
        log_grep "still running after --stop-timeout 2s" >/dev/null
        all_gone "$M/c.pids"
        # The cursor stayed behind b's start: the body runs again.
        ctl_start --stop-timeout 2 --allow "$N-r=contrainer,host"
        wait_lines "$M/c.log" 2
        [ "$(grep -c '^begin ' "$M/c.log")" -eq 2 ]
        wait_lines "$M/c.pids" 6
        CTL_STOP_WAIT=15 ctl_stop TERM
        [ "$CTL_RC" -eq 0 ]
        all_gone "$M/c.pids"
}

@test "SIGTERM with a long container body: its exec's group is killed after --stop-timeout" {
        reg h 10-me "" 'trap "" TERM; sleep 661 & echo begin >>"$M/h.body"; sleep 662'
        ctl_start --stop-timeout 1
        crun h
        wait_lines "$M/h.body" 1
        wait_for "the body's processes" 10 ctop_has "$N-h" 'sleep 66[12]'
        CTL_STOP_WAIT=15 ctl_stop TERM
        [ "$CTL_RC" -eq 0 ]
        wait_for "the body's processes gone" 10 ctop_lacks "$N-h" 'sleep 66[12]'
}

@test "SIGTERM while a late collection runs: it registers nothing and starts no body; its start runs after restart" {
        reg b 10-me "" 'echo begin >>"$M/b.body"; exec sleep 671'
        # Collected late (past the 2 s a start waits), during the stop.
        raw_script a 10-slow '#!/bin/sh
echo started >>/m/a.started
sleep 5
echo
echo "echo ran >>/m/a.body"'
        ctl_start --stop-timeout 10 --exec-timeout 60
        crun b
        wait_lines "$M/b.body" 1
        crun a
        wait_lines "$M/a.started" 1
        wait_log "its scripts are still being collected"
        # b's body holds the stop for --stop-timeout; a's collection ends meanwhile.
        CTL_STOP_WAIT=30 ctl_stop TERM
        [ "$CTL_RC" -eq 0 ]
        log_grep "still running after --stop-timeout 10s" >/dev/null
        [ ! -e "$M/a.body" ]
        refute log_grep "registered: container" "$N-a"
        # Nothing was lost: after a restart a registers and its body runs.
        ctl_start --stop-timeout 1 --exec-timeout 60
        wait_lines "$M/a.body" 1 60
}

@test "without a view of container PIDs a hung script is left running, said so once, and the next script still registers" {
        raw_script h 10-hang '#!/bin/sh
echo started >>/m/h.started
sleep 671 &
exec sleep 672'
        # A PID namespace of its own: the Engine's PIDs name nothing here.
        CTL_WRAP=(unshare --pid --fork --mount-proc --kill-child=TERM)
        ctl_start --exec-timeout 3
        crun h
        wait_lines "$M/h.started" 1
        wait_log "10-hang" 30
        [ "$(log_count "$N-h" 10-hang "not visible")" -eq 1 ]
        refute log_grep "$N-h" "killed with its process group"
        reg h 10-hang "" "$(mark h.next)"
        kill -HUP "$(pgrep -P "$CTL_PID" -x contrainer)"
        wait_lines "$M/h.next" 1
        expect_file "$M/h.next" "immediate $N-h $N-h"
}

@test "a controller killed outright does not leave its bodies behind" {
        reg r 10-ctl "%contrainer" 'trap "" TERM; echo $$ >>"$M/ctl.pids"; sleep 681 & echo $! >>"$M/ctl.pids"; sleep 682'
        ctl_start --allow "$N-r=contrainer,host"
        crun r
        wait_lines "$M/ctl.pids" 2
        kill -KILL "$CTL_PID"
        CTL_MAY_EXIT=1 wait_for "the controller to exit" 10 ctl_exited
        # Its workers got their parent-death signal and killed the group.
        wait_for "the body's processes gone" 10 all_gone "$M/ctl.pids"
}
