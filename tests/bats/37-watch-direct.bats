#!/usr/bin/env bats
# `contrainer watch --dispatch` (docs/watch.md "Direct dispatch"): with a view of the containers'
# processes (the controller runs on the host here) scripts and bodies run
# directly in each container's exec context — no Engine exec, so no exec
# events — with the same environment, bounds and group kills as through the
# API; a container whose context cannot be reproduced falls back to the API
# (said once); --dispatch direct without a view of the processes exits 2.

# shellcheck disable=SC2016,SC2034 # bodies are shell text expanded where they run; CTL_ENV, CTL_WRAP are read by the helpers
load watch_helpers

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

ctop_has() { docker top "$1" -o pid,args 2>/dev/null | grep -qE -- "$2"; }
ctop_lacks() { ! ctop_has "$@"; }

# execs_since T CONTAINER: the exec_create events of CONTAINER since T, one a line.
execs_since() {
        docker events --since "$1" --until "$(date +%s.%N)" --filter "container=$2" \
                --filter event=exec_create --format '{{.Action}}'
}

# get PATH: GET PATH on the controller's status socket.
get() { curl -fsS --max-time 10 --unix-socket "$T/state/status.sock" "http://localhost$1"; }

# The body: the body variables (docs/watch.md), the container's own variable and its PATH.
ENV_BODY='{ echo "EVENT=$CONTRAINER_EVENT TARGET=$CONTRAINER_TARGET REGISTRAR=$CONTRAINER_REGISTRAR_NAME"
echo "OWN=$CTR_OWN PATH=$PATH"; } >>"$M/env"'

@test "--dispatch auto: a %me body runs directly with the body variables and the container's env, no exec events" {
        local t0
        t0=$(date +%s.%N)
        reg r 10-me "" "$ENV_BODY"
        ctl_start --dispatch auto
        crun r -e CTR_OWN=own-value
        wait_lines "$M/env" 2
        expect_file "$M/env" "EVENT=immediate TARGET=$N-r REGISTRAR=$N-r
OWN=own-value PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        wait_log "$N-r" 10
        # Neither the script nor the body went through the Engine's exec.
        [ -z "$(execs_since "$t0" "$N-r")" ]
        refute log_grep "cannot be run directly"
        get /status | jq -e --arg t "$N-r" \
                '.dispatch_mode == "auto" and ([.dispatches[] | select(.target == $t) | .path] == ["direct"])' >/dev/null
}

@test "--dispatch api: the same body goes through the exec API (exec events), path api" {
        local t0
        t0=$(date +%s.%N)
        reg r 10-me "" "$ENV_BODY"
        ctl_start --dispatch api
        crun r -e CTR_OWN=own-value
        wait_lines "$M/env" 2
        expect_file "$M/env" "EVENT=immediate TARGET=$N-r REGISTRAR=$N-r
OWN=own-value PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        # The script and the body: two execs.
        wait_for "two exec_create events" 10 bash -c '[ "$(docker events --since "$1" --until "$(date +%s.%N)" --filter "container=$2" --filter event=exec_create --format x | wc -l)" -ge 2 ]' _ "$t0" "$N-r"
        wait_for "the body's result in /status" 10 bash -c \
                'curl -fsS --max-time 10 --unix-socket "$1" http://localhost/status | jq -e --arg t "$2" "[.dispatches[] | select(.target == \$t) | .path] == [\"api\"] and .dispatch_mode == \"api\"" >/dev/null' \
                _ "$T/state/status.sock" "$N-r"
}

# main_ns SHORT: the pid namespace of container $N-SHORT's main process and
# that process's start time (namespace inode numbers are reused).
main_ns() {
        local pid
        pid=$(docker inspect -f '{{.State.Pid}}' "$N-$1")
        echo "$(readlink "/proc/$pid/ns/pid") $(cut -d' ' -f22 "/proc/$pid/stat")"
}

@test "the context cache: never used in a paused container nor for a restarted one's new main process" {
        reg p 10-imm "" 'echo "$(readlink /proc/self/ns/pid) $(cut -d" " -f22 /proc/1/stat)" >>"$M/p.imm"'
        reg p 20-on "%me:start" "$(ours 'echo "$CONTRAINER_SOURCE_NAME" >>"$M/p.ev"')"
        ctl_start --dispatch auto
        crun p
        wait_lines "$M/p.imm" 1
        expect_file "$M/p.imm" "$(main_ns p)"
        wait_log "$N-p" 10
        # Paused after its context was gathered: a body for it must not join
        # its frozen cgroups (it would hang there); it is refused, logged.
        docker pause "$N-p" >/dev/null
        crun q
        wait_for "a refusal line for the paused container" 30 bash -c \
                'grep -F -- "$1" "$2" | grep -F -- "$3" | grep -qE "paused|not running"' \
                _ "'$N-p'" "$CTL_LOG" "event 'start'"
        [ "$(grep -c "$N-q" "$M/p.ev" 2>/dev/null)" -eq 0 ]
        docker unpause "$N-p" >/dev/null
        # Restarted: a new main process, so a new context (its namespaces).
        docker restart -t 1 "$N-p" >/dev/null
        wait_lines "$M/p.imm" 2
        [ "$(sed -n 2p "$M/p.imm")" = "$(main_ns p)" ]
        [ "$(sed -n 1p "$M/p.imm")" != "$(sed -n 2p "$M/p.imm")" ]
        ctl_alive
}

@test "--dispatch direct: a hanging script dies with its group after --exec-timeout; the next script registers" {
        local t0
        t0=$(date +%s.%N)
        raw_script h 10-hang '#!/bin/sh
echo started >>/m/h.started
sleep 711 &
sleep 712 &
exec sleep 713'
        ctl_start --dispatch direct --exec-timeout 3
        crun h
        wait_lines "$M/h.started" 1
        wait_log "10-hang" 30
        log_grep "$N-h" 10-hang "timed out" "killed with its process group" >/dev/null
        wait_for "the script's processes gone" 10 ctop_lacks "$N-h" 'sleep 71[123]'
        reg h 10-hang "" "$(mark h.next)"
        kill -HUP "$CTL_PID"
        wait_lines "$M/h.next" 1
        expect_file "$M/h.next" "immediate $N-h $N-h"
        [ -z "$(execs_since "$t0" "$N-h")" ]
        ctl_alive
}

@test "--dispatch direct: a body over --max-output is stopped, a failing one gives its exit status" {
        reg o 10-big "" 'head -c 100000 /dev/zero; echo done >>"$M/o.big"'
        reg o 20-fail "" 'echo oops >&2; exit 7'
        ctl_start --dispatch direct --max-output 4096
        crun o
        wait_log "exit status 7" 30
        log_grep "$N-o" "exit status 7" "oops" >/dev/null
        wait_log "output over 4096 bytes" 30
        [ ! -e "$M/o.big" ]
}

@test "a container whose context is not reproduced falls back to the API, said once; its bodies still run" {
        local t0
        t0=$(date +%s.%N)
        reg f 10-me "%me:start" "$(mark f.log)"
        reg f 20-me "" 'echo imm >>"$M/f.imm"'
        ctl_start --dispatch auto
        crun f --security-opt label=level:s0
        wait_lines "$M/f.imm" 1
        wait_line "$M/f.log" "start $N-f $N-f"
        docker restart -t 1 "$N-f" >/dev/null
        wait_lines "$M/f.imm" 2
        wait_lines "$M/f.log" 2
        [ "$(log_count "$N-f" "cannot be run directly" "label=level:s0")" -eq 1 ]
        [ -n "$(execs_since "$t0" "$N-f")" ]
}

# runc --no-pivot (dockerd's DOCKER_RAMDISK) chroots into the container's
# root instead of pivot_root.  Joining the mount namespace still lands in
# the container's root (the kernel's setns takes the mount stacked on the
# namespace's "/", as runc's exec does), so a body runs directly there, not
# on the host's files.
@test "a runtime without pivot_root (DOCKER_RAMDISK): the body runs directly, in the container's own root" {
        [ "${CTR_ENGINE:-docker20}" = docker20 ] || skip "Docker 20.10's DOCKER_RAMDISK only"
        local t0 st
        pd_init
        CTR_PD_ENV=DOCKER_RAMDISK=true pd_start
        export DOCKER_HOST=unix://$PD_SOCK
        busybox_image "$WATCH_IMAGE"
        # busybox's root has no /usr/bin/dpkg; this machine's has
        [ -e /usr/bin/dpkg ]
        reg r 10-me "" 'if [ -e /usr/bin/dpkg ]; then echo host; else echo own; fi >>"$M/root"'
        ctl_start --docker-socket "$PD_SOCK" --dispatch auto
        t0=$(date +%s.%N)
        crun r
        # runc really ran it without pivot_root
        st=$(find "$PD/x" -path "*$(cid "$N-r")*" -name state.json | head -n 1)
        [ "$(jq -r .config.no_pivot_root "$st")" = true ]
        wait_lines "$M/root" 1
        expect_file "$M/root" "own"
        refute log_grep "cannot be run directly"
        [ -z "$(execs_since "$t0" "$N-r")" ]
}

@test "--dispatch direct: a container that cannot be reproduced fails clearly, once, without the API" {
        local t0
        t0=$(date +%s.%N)
        reg f 10-me "" 'echo imm >>"$M/f.imm"'
        ctl_start --dispatch direct
        crun f --security-opt label=level:s0
        wait_log "cannot be run directly (--dispatch direct)" 30
        [ "$(log_count "$N-f" "cannot be run directly" "label=level:s0")" -eq 1 ]
        [ ! -e "$M/f.imm" ]
        [ -z "$(execs_since "$t0" "$N-f")" ]
        ctl_alive
}

@test "--dispatch direct without a view of the containers' processes exits 2 in one line" {
        CTL_WRAP=(unshare --pid --fork --mount-proc --kill-child=TERM)
        CTL_MAY_EXIT=1
        ctl_start --dispatch direct
        wait_for "the controller to exit" 10 ctl_exited
        CTL_RC=0
        wait "$CTL_PID" || CTL_RC=$?
        CTL_PID=
        [ "$CTL_RC" -eq 2 ]
        [ "$(grep -c . "$CTL_LOG")" -eq 1 ]
        grep -q -- "--dispatch direct is not possible here: the Engine's processes are not visible" "$CTL_LOG"
}

@test "--dispatch auto without a view of the processes says so once and uses the API" {
        CTL_WRAP=(unshare --pid --fork --mount-proc --kill-child=TERM)
        reg r 10-me "" "$(mark r.log)"
        ctl_start
        crun r
        wait_line "$M/r.log" "immediate $N-r $N-r"
        [ "$(log_count "direct dispatch is off")" -eq 1 ]
}

# The controller keeps no helper process: once a direct run is over, none
# of its children (workers and what they forked) stays, so nothing it
# leaves running changes how the rest of the host forks.
no_children() { [ -z "$(ps -o pid= --ppid "$CTL_PID")" ]; }

@test "after a direct run the controller has no child process left" {
        reg r 10-me "" "$(mark r.log)"
        ctl_start --dispatch direct
        crun r
        wait_line "$M/r.log" "immediate $N-r $N-r"
        wait_for "the controller's children to end" 10 no_children
}
