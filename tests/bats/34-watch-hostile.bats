#!/usr/bin/env bats
# `contrainer watch` against hostile containers (docs/watch.md "Policy", "Host-equivalent
# containers", §2.3 own execs, §2.3a quoting): a hostile image or container
# per attack — a label that shadows execID, host-equivalent targets (--pid
# host, the Docker socket, privileged, CAP_SYS_ADMIN, the host's /), a
# script name with a newline, a container named after another's id — and
# duplicate entries.

# shellcheck disable=SC2016,SC2034 # bodies are shell text expanded where they run; CTL_ENV is read by the helpers
load watch_helpers

setup_file() { watch_setup_file; }
teardown_file() { watch_teardown_file; }
setup() { watch_setup; }
teardown() {
        local name
        # Containers named after ids do not carry the test prefix.
        if [ -f "$T/extra.rm" ]; then
                while read -r name; do
                        docker rm -f -v "$name" >/dev/null 2>&1 || true
                done <"$T/extra.rm"
        fi
        watch_teardown
}

# One line per run, in a file named after the target (this file's sources only).
BODY='case "$CONTRAINER_SOURCE_NAME" in ctrtest-*) echo "$CONTRAINER_EVENT $CONTRAINER_SOURCE_NAME" >>"$M/t.$CONTRAINER_TARGET";; esac'

# label_image: $N-label:latest, the test image plus LABEL execID=0.
label_image() {
        docker create --name "$N-labelsrc" "$WATCH_IMAGE" true >/dev/null
        docker commit --change 'LABEL execID=0' "$N-labelsrc" "$N-label:latest" >/dev/null
        docker rm -f "$N-labelsrc" >/dev/null
        [ "$(docker image inspect -f '{{index .Config.Labels "execID"}}' "$N-label:latest")" = 0 ]
}

# barrier SHORT: a new container's immediate body has run: every event
# before its start has been handled.
barrier() { ctl_ready "$1"; }

@test "a label execID=0 does not make the controller trigger itself: its exec events are refused, said once" {
        label_image
        # Both fire on any container's exec events, on themselves.
        reg h 10-loop "%me:exec_create:exec_start:exec_die" 'echo "$CONTRAINER_EVENT $CONTRAINER_SOURCE_NAME" >>"$M/loop.h"'
        reg h 20-sync "" "$(mark h.sync)"
        reg p 10-loop "%me:exec_create:exec_start:exec_die" 'echo "$CONTRAINER_EVENT $CONTRAINER_SOURCE_NAME" >>"$M/loop.p"'
        reg p 20-sync "" "$(mark p.sync)"
        # The exec API path: direct runs (--dispatch auto) make no exec at all.
        ctl_start --dispatch api
        CRUN_IMAGE=$N-label:latest crun h
        crun p
        wait_lines "$M/h.sync" 1
        wait_lines "$M/p.sync" 1
        # A user's exec in the labelled container fires nothing; one in the
        # plain container fires both registrations three times, and none
        # of the six bodies' own execs (in h: execID=0) fires anything.
        docker exec "$N-h" true
        docker exec "$N-p" true
        wait_lines "$M/loop.p" 3
        wait_lines "$M/loop.h" 3
        barrier b1
        barrier b2
        local want="exec_create $N-p
exec_start $N-p
exec_die $N-p"
        expect_file "$M/loop.p" "$want"
        expect_file "$M/loop.h" "$want"
        wait_log "its exec events are not dispatched"
        [ "$(log_count "its exec events are not dispatched" "$N-h")" -eq 1 ]
        [ "$(log_count "its exec events are not dispatched" "$N-p")" -eq 0 ]
}

# host_equivalents: containers that are as good as the host, each one way
# (--privileged is not here: the build machines' runc cannot start one;
# tests/unit/test_inspect.c reads it from a recorded inspect).
host_equivalents() {
        local sock=${DOCKER_HOST#unix://}
        [ -n "$sock" ] || sock=/var/run/docker.sock
        : >"$T/docker.sock"
        crun pid --pid host
        crun sock -v "$sock:/run/the-engine"
        crun dsock -v "$T/docker.sock:/x/docker.sock:ro"
        crun ipc --ipc host
        crun cap --cap-add SYS_ADMIN
        crun root -v /:/host:ro
}
HEQ="pid sock dsock ipc cap root"

@test "a registrar with only the containers class reaches a plain container, not a host-equivalent one (denied, said why)" {
        local entry="$N-a" s
        for s in $HEQ; do entry="$entry+$N-$s"; done
        reg r 10-reg "$entry" "$BODY"
        reg r 20-sync "" "$(mark r.sync)"
        crun a
        host_equivalents
        ctl_start --allow "$N-r=containers"
        crun r
        wait_lines "$M/r.sync" 1
        wait_lines "$M/t.$N-a" 1
        for s in $HEQ; do
                wait_for "denial of $N-$s" 10 log_has "target '$N-$s' (host-equivalent"
                expect_absent "$M/t.$N-$s"
        done
        barrier b1
        for s in $HEQ; do expect_absent "$M/t.$N-$s"; done
        [ "$(log_count "denied" "$N-r")" -eq 6 ]
        wait_log "container '$N-pid' is host-equivalent (host PID namespace)"
        wait_log "container '$N-sock' is host-equivalent (the Docker socket is bind-mounted)"
        wait_log "container '$N-root' is host-equivalent (the host's / is bind-mounted)"
}

@test "raw devices, another runtime's state, host system paths and volumes that bind them are host-equivalent too (denied to containers)" {
        local entry="$N-a" s more="dev ctrd etc vol"
        for s in $more; do entry="$entry+$N-$s"; done
        reg r 10-reg "$entry" "$BODY"
        reg r 20-sync "" "$(mark r.sync)"
        crun a
        crun dev --device /dev/loop0
        mkdir -p "$T/run-containerd"
        : >"$T/run-containerd/containerd.sock"
        crun ctrd -v "$T/run-containerd/containerd.sock:/run/containerd/containerd.sock"
        crun etc -v /etc:/hostetc:ro
        docker volume create -o type=none -o o=bind,ro -o device=/etc "$N-bindvol" >/dev/null
        crun vol -v "$N-bindvol:/x"
        ctl_start --allow "$N-r=containers"
        crun r
        wait_lines "$M/r.sync" 1
        wait_lines "$M/t.$N-a" 1
        for s in $more; do
                wait_for "denial of $N-$s" 10 log_has "target '$N-$s' (host-equivalent"
        done
        barrier b1
        for s in $more; do expect_absent "$M/t.$N-$s"; done
        [ "$(log_count "denied" "$N-r")" -eq 4 ]
        wait_log "container '$N-dev' is host-equivalent (a host device is passed in (--device or a device cgroup rule))"
        wait_log "container '$N-ctrd' is host-equivalent (a container runtime's socket or state is bind-mounted)"
        wait_log "container '$N-etc' is host-equivalent (a host system path is bind-mounted)"
        wait_log "container '$N-vol' is host-equivalent (a host system path is bind-mounted)"
        docker rm -f -v "$N-vol" >/dev/null 2>&1 || true
        docker volume rm -f "$N-bindvol" >/dev/null 2>&1 || true
}

@test "with containers and host, a registrar reaches the host-equivalent containers too" {
        local entry="$N-a" s
        for s in $HEQ; do entry="$entry+$N-$s"; done
        reg r 10-reg "$entry" "$BODY"
        crun a
        host_equivalents
        ctl_start --allow "$N-r=containers,host"
        crun r
        wait_lines "$M/t.$N-a" 1
        for s in $HEQ; do wait_lines "$M/t.$N-$s" 1; done
        refute log_has denied
}

@test "host alone does not reach containers; %all with containers skips the host-equivalent ones" {
        reg r 10-reg "$N-a+$N-pid" "$BODY"
        reg q 10-all "%all!%me" 'case "$CONTRAINER_TARGET" in ctrtest-*) echo x >>"$M/all.$CONTRAINER_TARGET";; esac'
        reg q 20-sync "" "$(mark q.sync)"
        crun a
        crun pid --pid host
        ctl_start --allow "$N-r=host" --allow "$N-q=containers"
        crun r
        crun q
        wait_lines "$M/q.sync" 1
        wait_lines "$M/all.$N-a" 1
        wait_for "denial of a for r" 10 log_grep denied "$N-r" "target '$N-a'"
        wait_for "denial of pid for q" 10 log_grep denied "$N-q" "$N-pid"
        barrier b1
        expect_absent "$M/t.$N-a"
        expect_absent "$M/t.$N-pid"
        expect_absent "$M/all.$N-pid"
}

@test "--allow GLOB=contrainer without host is refused at start (granting contrainer is granting host)" {
        run "$CONTRAINER" watch --once --state-dir "$T/state" --allow "x=me,contrainer"
        [ "$status" -eq 2 ]
        [[ "$output" == *"contrainer,host"* ]]
        run "$CONTRAINER" watch --help
        [[ "$output" == *"contrainer"*"host"* ]]
}

@test "a script name with a newline: one log line per message, the name quoted" {
        reg n 20-sync "" "$(mark n.sync)"
        raw_script n $'10-a\nX-INJECTED level=error' '#!/bin/sh
exit 3'
        raw_script n $'15-b\nY-INJECTED' '#!/bin/sh
echo "%me"
echo "echo ran >>\"\$M/n.ran\""'
        ctl_start
        crun n
        wait_lines "$M/n.sync" 1
        wait_lines "$M/n.ran" 1
        wait_log "exit status 3"
        refute grep -q '^X-INJECTED' "$CTL_LOG"
        refute grep -q '^Y-INJECTED' "$CTL_LOG"
        log_has "10-a\\nX-INJECTED level=error"
        # registered, and its body's line names the script quoted too
        wait_for "the body's line" 10 log_grep "15-b\\nY-INJECTED" "exit 0"
}

@test "a container NAMED after a dead container's id gets nothing of it" {
        reg v 10-me "" 'echo "$CONTRAINER_REGISTRAR_ID $CONTRAINER_REGISTRAR_NAME" >>"$M/v.ran"'
        # The impostor's script writes who the controller thinks it is.
        reg x 10-me "" 'echo "$CONTRAINER_REGISTRAR_ID" >>"$M/x.ran"'
        ctl_start
        barrier b0
        # Frozen, the controller reads v's start only after v is gone and a
        # container named after v's id runs: a lookup by the id would find it.
        kill -STOP "$CTL_PID"
        crun v
        local vid
        vid=$(cid "$N-v")
        docker rm -f "$N-v" >/dev/null
        echo "$vid" >>"$T/extra.rm"
        docker run -d --network none --name "$vid" -v "$T/s/x:$CTR_SD:ro" -v "$M:/m" -e M=/m \
                "$WATCH_IMAGE" "${WATCH_CMD[@]}" >/dev/null
        kill -CONT "$CTL_PID"
        barrier b1
        # The impostor registers as itself (its own start), never as v.
        wait_lines "$M/x.ran" 1
        local xid
        xid=$(cid "$vid")
        [ "$xid" != "$vid" ]
        barrier b2
        refute grep -q "$vid" "$M/x.ran"
        grep -qx "$xid" "$M/x.ran"
        expect_absent "$M/v.ran"
}

@test "duplicate entries are merged: one body per target and event per registration" {
        reg d 10-dup "%me, %me ,%me+%me, %me!$N-zz+%me, %me:start, %me:start:start, $N-d:start" "$(mark d.log)"
        ctl_start
        crun d
        wait_line "$M/d.log" "start $N-d $N-d"
        wait_line "$M/d.log" "immediate $N-d $N-d"
        # %me:start fires on every start: b1's too, once.  Bodies on one
        # target run in order: once b2's start has run on d, any duplicate
        # of the earlier ones would have run before it.
        barrier b1
        barrier b2
        wait_line "$M/d.log" "start $N-b2 $N-d"
        [ "$(grep -cxF "start $N-d $N-d" "$M/d.log")" -eq 1 ]
        [ "$(grep -cxF "immediate $N-d $N-d" "$M/d.log")" -eq 1 ]
        [ "$(grep -cxF "start $N-b1 $N-d" "$M/d.log")" -eq 1 ]
        [ "$(head -n 2 "$M/d.log")" = "start $N-d $N-d
immediate $N-d $N-d" ]
        wait_log "(1 duplicate entry merged)"
}

@test "a byte budget per container: scripts past 4 MiB of output together register nothing, said per script" {
        local s
        # Five outputs of ~1,000,000 bytes (each under --max-output), then a
        # small one: the fifth does not fit in 4 MiB, the small one still does.
        for s in 10 20 30 40 50; do
                raw_script g "$s-big" '#!/bin/sh
echo "%me:nosuchevent"
head -c 1000000 /dev/zero | tr "\0" x'
        done
        reg g 60-small "" "$(mark g.small)"
        ctl_start
        crun g
        wait_lines "$M/g.small" 1
        wait_log "script '$CTR_SD/50-big': 'over the budget of 4194304 bytes shared by all registrations of a container'"
        [ "$(log_count "registered: container '$N-g'" "-big'")" -eq 4 ]
        [ "$(log_count "over the budget of")" -eq 1 ]
        log_has "registered: container '$N-g' script '$CTR_SD/60-small'"
}

@test "a controller in a container it cannot identify treats a container with its host name as %contrainer (fail closed)" {
        # The build machines run the tests in a container (/.dockerenv) that
        # is not on the test's Engine: the controller cannot find itself.
        [ -e /.dockerenv ] || skip "needs a controller inside a container it cannot identify"
        reg r 10-reg "$N-a+$N-twin" "$BODY"
        reg r 20-sync "" "$(mark r.sync)"
        crun a
        crun twin --hostname "$(uname -n)"
        ctl_start --allow "$N-r=containers,host"
        crun r
        wait_lines "$M/r.sync" 1
        wait_lines "$M/t.$N-a" 1
        wait_log "cannot find on this Engine"
        wait_for "denial of the twin" 10 log_grep denied "target '$N-twin' (it may be the controller itself"
        barrier b1
        expect_absent "$M/t.$N-twin"
}

# flood_header K: 3000 entries '%me:exec_die:EVENT' (54 KB, under the
# 64 KiB header line), EVENT four letters numbered from K*3000 (distinct
# texts: nothing is merged).
flood_header() {
        awk -v k="$1" 'BEGIN {
                for (i = 0; i < 3000; i++) {
                        v = k * 3000 + i
                        e = sprintf("%c%c%c%c", 97 + int(v / 17576) % 26, 97 + int(v / 676) % 26,
                                    97 + int(v / 26) % 26, 97 + v % 26)
                        printf "%s%%me:exec_die:%s", (i ? "," : ""), e
                }
        }'
}

@test "a registrar with 102 000 entries on one action is held to its caps (said once); its first body and other containers still run" {
        local k
        for k in $(seq 0 33); do
                reg f "$(printf '%02d' "$k")-flood" "$(flood_header "$k")" "$(mark "f.$k")"
        done
        reg v 10-v "%me:exec_die" "$(mark v.exec)"
        crun f
        ctl_start
        wait_for "f's 34 scripts registered" 90 sh -c "[ \$(grep -c \"registered: container '$N-f'\" '$CTL_LOG') -ge 34 ]"
        docker exec "$N-f" true
        wait_log "registrar '$N-f': more of its entries fire on 'exec_die' than it may evaluate (4096 entries, 4194304 cost units per event): the rest are skipped (said once)"
        # The first 4096 entries are looked at: scripts 00 and 01 (3000 each).
        wait_line "$M/f.0" "exec_die $N-f $N-f"
        wait_line "$M/f.1" "exec_die $N-f $N-f"
        docker exec "$N-f" true
        wait_lines "$M/f.0" 2
        wait_lines "$M/f.1" 2
        [ "$(log_count "more of its entries fire on" "$N-f")" -eq 1 ]
        crun v
        barrier b1
        docker exec "$N-v" true
        wait_line "$M/v.exec" "exec_die $N-v $N-v"
        expect_absent "$M/f.2"
}
