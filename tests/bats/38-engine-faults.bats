#!/usr/bin/env bats
# Engines that misbehave (docs/engines.md): a socket that is not an Engine,
# an Engine whose /version lies, an Engine (or a proxy before it) that cuts
# the event stream every few seconds; on a rootless engine, the controller
# run by the engine's own user with nothing named.  The misbehaving side is
# tests/lib/fakesock.c on a socket of the test's own, in front of the
# file's private Engine (CTR_ENGINE: any of tests/lib/engines.sh).

# shellcheck disable=SC2016,SC2034 # bodies are shell text expanded where they run
load watch_helpers

setup_file() {
        watch_setup_file
        export FAKESOCK=$BATS_FILE_TMPDIR/fakesock
        cc -O2 -Wall -Wextra -Werror -o "$FAKESOCK" "$BATS_TEST_DIRNAME/../lib/fakesock.c"
}
teardown_file() { watch_teardown_file; }
setup() {
        watch_setup
        FS_SOCK=$T/fake.sock
}
teardown() {
        # the fake socket's process group (it started its children in it)
        if [ -n "${FS_PID:-}" ]; then
                kill -TERM "$FS_PID" 2>/dev/null || true
                wait "$FS_PID" 2>/dev/null || true
        fi
        watch_teardown
}

# fakesock MODE ARGS...: start it on FS_SOCK; FS_PID; its stdout in $T/fs.out.
fakesock() {
        local mode=$1
        shift
        "$FAKESOCK" "$mode" "$FS_SOCK" "$@" >"$T/fs.out" 2>"$T/fs.err" &
        FS_PID=$!
        echo "$FS_PID" >>"$T/pids"
        wait_for "the fake socket" 10 test -S "$FS_SOCK"
}

@test "a socket that is not an Engine: one line, back-off, no crash" {
        fakesock garbage
        local t0=$SECONDS
        ctl_start --docker-socket "$FS_SOCK"
        # 0.1 + 0.2 + 0.4 + 0.8 + 1.6 s of back-off: six tries take >= 3 s (a
        # seventh connection is the direct-dispatch probe of the peer).
        wait_for "seven connections" 30 grep_ge 7 "$T/fs.out" -x conn
        [ $((SECONDS - t0)) -ge 3 ] || { echo "retried too fast: $(nlines "$T/fs.out") tries in $((SECONDS - t0)) s"; return 1; }
        ctl_alive
        # one line about the outage, naming the socket; no start-up line
        [ "$(log_count "$FS_SOCK")" -eq 1 ] || { cat "$CTL_LOG"; return 1; }
        refute log_has "watching"
        ctl_stop
        [ "$CTL_RC" -eq 0 ]
}

@test "an Engine whose /version lies: an unknown engine, the ping's API version, dispatch works" {
        fakesock proxy "${DOCKER_HOST#unix://}" 0 1
        reg r 10-me "" "$(mark r.log)"
        ctl_start --docker-socket "$FS_SOCK"
        crun r
        wait_line "$M/r.log" "immediate $N-r $N-r" 60
        log_has "watching an unknown engine at $FS_SOCK (API 1.4"
        # the lie's minimum (9.99, above the maximum) was not taken
        refute log_has "API 9.99"
}

@test "an event stream cut every few seconds: every start dispatched exactly once" {
        # every 2 s (Docker); Podman's execs are slower: every 8 s
        fakesock proxy "${DOCKER_HOST#unix://}" $((2000 * $(engine_slowness))) 0
        reg r 10-start "%me:start" "$(mark r.log)"
        ctl_start --docker-socket "$FS_SOCK"
        crun r
        wait_line "$M/r.log" "start $N-r $N-r" 60
        local i want
        want="start $N-r $N-r"
        # 12 starts over more than three cuts
        for i in $(seq 1 12); do
                crun "c$i"
                want="$want
start $N-c$i $N-r"
                wait_for "the start of c$i" 30 has_line "$M/r.log" "start $N-c$i $N-r"
                [ "$i" -ne 6 ] || wait_for "a cut" 10 log_has "retrying"
        done
        wait_for "at least two outages" 20 log_count_ge 2 "retrying"
        # a start replayed after a cut would show up late: give it a moment
        # by stopping the controller (it drains its queue) before comparing
        ctl_stop
        expect_file "$M/r.log" "$want"
}

# A rootless engine is run by its user, and so is the controller that
# watches it (docs/engines.md): no socket named, no state dir named.
@test "run by a rootless engine's own user with nothing named: it finds the engine under XDG_RUNTIME_DIR, keeps its cursor under XDG_STATE_HOME, dispatches" {
        engine_rootless || skip "only on a rootless engine (CTR_ENGINE=${CTR_ENGINE:-docker20})"
        local u=$CTR_ROOTLESS_USER x=$T/xdg st=$T/xstate sock=${DOCKER_HOST#unix://}
        mkdir -p "$x/podman" "$st" "$T/home"
        case $(engine_kind) in
        Docker) ln -s "$sock" "$x/docker.sock" ;;
        Podman) ln -s "$sock" "$x/podman/podman.sock" ;;
        esac
        chmod 0700 "$x"
        chown -R "$u:" "$x" "$st" "$T/home"
        reg r 10-me "" "$(mark r.log)"
        setpriv --reuid="$u" --regid="$u" --init-groups env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
                HOME="$T/home" XDG_RUNTIME_DIR="$x" XDG_STATE_HOME="$st" \
                "$CONTRAINER" watch --script-dir "$CTR_SD" --sysimage "$T/no-sysimage" \
                </dev/null >>"$T/ctl.out" 2>>"$CTL_LOG" 3>&- &
        CTL_PID=$!
        echo "$CTL_PID" >>"$T/pids"
        wait_log "watching $(engine_kind) "
        crun r
        wait_line "$M/r.log" "immediate $N-r $N-r" 60
        case $(engine_kind) in
        Docker) log_has "at $x/docker.sock " ;;
        Podman) log_has "at $x/podman/podman.sock " ;;
        esac
        # its own state dir, owned by that user, with the cursor in it
        wait_for "a cursor under XDG_STATE_HOME" 10 test -s "$st/contrainer/cursor"
        [ "$(stat -c %U "$st/contrainer/cursor")" = "$u" ]
        [ "$(stat -c %a "$st/contrainer")" = 700 ]
        ctl_stop
        [ "$CTL_RC" -eq 0 ]
}

@test "a rootless engine's containers go through the exec API, with the reason said once: another user namespace" {
        engine_rootless || skip "only on a rootless engine (CTR_ENGINE=${CTR_ENGINE:-docker20})"
        reg r 10-me "" "$(mark r.log)"
        reg r 20-me "" 'echo two >>"$M/r.two"'
        ctl_start --dispatch auto
        crun r
        wait_line "$M/r.log" "immediate $N-r $N-r" 60
        wait_lines "$M/r.two" 1
        log_grep "cannot be run directly" >&2 || true
        [ "$(log_count "$N-r" "cannot be run directly" "another user namespace")" -eq 1 ]
}
