#!/usr/bin/env bats
# `contrainer watch` on %contrainer and %host (docs/watch.md "Targets").
# %host is tested against a stand-in host (docs/engine-notes.md: the machine's own
# /proc/1/ns/* cannot be opened here): a `sleep` that is PID 1 of its own PID
# namespace, in a private mount namespace where $T/hostdir is a tmpfs holding
# "inside" (outside it holds "outside"), with a distinctive environment; a
# proc for its PID namespace is mounted at $SYSIMAGE/proc, outside of it.

# shellcheck disable=SC2016,SC2034 # bodies are shell text expanded where they run; CTL_ENV, CTL_WRAP are read by the helpers
load watch_helpers

setup_file() { watch_setup_file; }
teardown_file() { watch_teardown_file; }
setup() { watch_setup; }
teardown() {
        standin_stop
        watch_teardown
}

STANDIN_VALUE='a b $(touch /tmp/ctrtest-pwned) ;"q"'

# standin_start, standin_stop: the stand-in host (watch_helpers.bash), its
# CTR_STANDIN value this one.



HOST_BODY='{
 echo "which=$(cat "$HOSTDIR/which")"
 echo "standin=$CTR_STANDIN"
 echo "ctl=${CTR_CTL_ONLY:-unset}"
 echo "event=$CONTRAINER_EVENT target=$CONTRAINER_TARGET source=$CONTRAINER_SOURCE_NAME"
} >"$M/host.out"; echo done >>"$M/host.done"'

@test "%contrainer: a local child of the controller, with the controller's environment and the body variables" {
        reg r 10-ctl "%contrainer" 'echo "$CONTRAINER_EVENT $CONTRAINER_SOURCE_NAME $CONTRAINER_TARGET $CONTRAINER_REGISTRAR_NAME ctl=$CTR_CTL_ONLY id=[${CONTRAINER_ID:-}] name=$CONTRAINER_NAME" >>"$M/ctl.out"; echo "$PPID" >>"$M/ctl.ppid"'
        CTL_ENV=(CTR_CTL_ONLY=controller-value)
        ctl_start --allow "$N-r=contrainer,host"
        crun r
        wait_lines "$M/ctl.out" 1
        expect_file "$M/ctl.out" "immediate $N-r %contrainer $N-r ctl=controller-value id=[] name=$(uname -n)"
        # sh -c ran on the host: its parent is the controller or a child of it.
        local ppid
        ppid=$(cat "$M/ctl.ppid")
        [ "$ppid" = "$CTL_PID" ] || [ "$(ps -o ppid= -p "$ppid" 2>/dev/null | tr -d ' ')" = "$CTL_PID" ] ||
                [ ! -e "/proc/$ppid" ]
}

@test "%contrainer without the contrainer class is denied and does not run" {
        reg r 10-ctl "%contrainer" 'echo ran >>"$M/ctl.out"'
        reg r 20-sync "" "$(mark r.sync)"
        ctl_start --allow "$N-r=me,containers,host"
        crun r
        wait_lines "$M/r.sync" 1
        wait_for "denial of %contrainer" 10 log_grep denied "$N-r" %contrainer
        ctl_ready
        expect_absent "$M/ctl.out"
}

@test "%host: runs in the stand-in host's mount namespace with its PID 1's environment, not the controller's" {
        standin_start
        reg r 10-host "%host" "$HOST_BODY"
        CTL_ENV=(CTR_CTL_ONLY=controller-value)
        ctl_start --sysimage "$SYSIMAGE" --allow "$N-r=host"
        crun r
        wait_lines "$M/host.done" 1
        expect_file "$M/host.out" "which=inside
standin=$STANDIN_VALUE
ctl=unset
event=immediate target=%host source=$N-r"
        expect_absent /tmp/ctrtest-pwned
}

@test "%host also runs for events, each time, in the stand-in" {
        standin_start
        reg r 10-host "%host:start" "$(ours 'echo "$CONTRAINER_EVENT $CONTRAINER_SOURCE_NAME $(cat "$HOSTDIR/which")" >>"$M/host.log"')"
        ctl_start --sysimage "$SYSIMAGE" --allow "$N-r=host"
        ctl_ready
        crun r
        wait_line "$M/host.log" "start $N-r inside"
        crun b
        wait_line "$M/host.log" "start $N-b inside"
        expect_file "$M/host.log" "start $N-r inside
start $N-b inside"
}

@test "%host without the host class is denied and does not run" {
        standin_start
        reg r 10-host "%host" "$HOST_BODY"
        reg r 20-sync "" "$(mark r.sync)"
        ctl_start --sysimage "$SYSIMAGE" --allow "$N-r=me,containers"
        crun r
        wait_lines "$M/r.sync" 1
        wait_for "denial of %host" 10 log_grep denied "$N-r" %host
        ctl_ready
        expect_absent "$M/host.done"
}

@test "%host when \$SYSIMAGE/proc/1/ns/mnt cannot be opened: one clear line per body, the controller goes on" {
        mkdir -p "$T/nosys"
        reg r 10-host "%host" 'echo ran >>"$M/host.done"'
        reg r 20-sync "" "$(mark r.sync)"
        ctl_start --sysimage "$T/nosys" --allow "$N-r=me,host"
        crun r
        wait_lines "$M/r.sync" 1
        wait_for "a line about %host" 10 log_grep %host
        ctl_ready
        ctl_alive
        expect_absent "$M/host.done"
        [ "$(log_count %host)" -eq 1 ]
}

@test "SYSIMAGE in the environment is the default for --sysimage" {
        standin_start
        reg r 10-host "%host" "$HOST_BODY"
        CTL_ENV=(SYSIMAGE="$SYSIMAGE")
        ctl_start --allow "$N-r=host"
        crun r
        wait_lines "$M/host.done" 1
        grep -qxF "which=inside" "$M/host.out"
}
