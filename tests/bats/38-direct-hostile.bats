#!/usr/bin/env bats
# Direct dispatch and `contrainer exec` against a hostile container (docs/
# security model; the security review of 2026-12, H1 H2 M1 M2 M5): a process
# the controller puts into a container is watched, from inside, by the
# container's own PID 1 (tests/lib/hostile_watch.c), which stops every
# process that enters from outside the moment it appears and writes down
# what it can see or reach of it.  The image stretches the set-up with a long
# PATH of symlink loops (the lookup runs after the capability drop), as the
# review's attacker does.  The Engine is this file's private dockerd.

# shellcheck disable=SC2016,SC2034 # bodies are shell text expanded where they run; CTL_ENV is read by ctl_start
bats_require_minimum_version 1.5.0
load watch_helpers

setup_file() {
        watch_setup_file
        local d=$BATS_FILE_TMPDIR/hostile i path=
        mkdir -p "$d"
        cc -static -O2 -o "$d/hostile_watch" "$BATS_TEST_DIRNAME/../lib/hostile_watch.c"
        for i in $(seq 2000); do path="$path/l/a0:"; done
        {
                printf 'FROM %s\n' "$WATCH_IMAGE"
                printf 'COPY hostile_watch /hostile_watch\n'
                printf 'RUN mkdir -p /l && i=0; while [ $i -lt 39 ]; do ln -s /l/a$((i+1)) /l/a$i; i=$((i+1)); done\n'
                printf 'ENV PATH=%s/usr/bin:/bin\n' "$path"
        } >"$d/Dockerfile"
        export HOSTILE_IMAGE=$CTR_P-hostile:1
        docker build -q -t "$HOSTILE_IMAGE" "$d" >/dev/null
        # A path that exists on the host only: whoever sees it under a
        # process's /proc/PID/root sees the controller's root.
        export HOSTMARK=$BATS_FILE_TMPDIR/ctrtest-hostmark-$$
        : >"$HOSTMARK"
}
teardown_file() { watch_teardown_file; }
setup() { watch_setup; }
teardown() { watch_teardown; }

# hostile SHORT [DOCKER RUN OPTIONS...]: $N-SHORT runs the watcher as PID 1,
# logging to $M/SHORT.log.
hostile() {
        local short=$1
        shift
        CRUN_IMAGE=$HOSTILE_IMAGE CRUN_CMD="exec /hostile_watch /m/$short.log $HOSTMARK $CTR_SD" \
                crun "$short" "$@"
        wait_for "the watcher of $short" 20 test -s "$M/$short.log"
}

# no_leak LOG: no descriptor of ours in LOG: none that the watcher could
# open or read of a process in its set-up (comm still ours), and no pipe,
# socket or anonymous inode at all (the commands here open none).
no_leak() {
        local comm
        comm=$(basename "$CONTRAINER" | cut -c1-15)
        refute grep -E '^forge ' "$1"
        refute grep -E '^fd [0-9]+ [0-9]+ (pipe|socket|anon_inode):' "$1"
        refute awk -v c="comm=$comm" '$1 == "seen" && $3 == c { ours[$2] = 1 }
                $1 == "fd" && ($2 in ours) { found = 1 } END { exit !found }' "$1"
}

# Ten scripts, each registering one immediate body: twenty runs to catch.
# Written with echo only, not reg's here-document: busybox sh makes a pipe
# for a here-document, and the watcher would rightly see the container's
# own shell holding it.
ten_bodies() {
        local i
        for i in 0 1 2 3 4 5 6 7 8 9; do
                raw_script "$1" "1$i-x" "#!/bin/sh
echo ''
echo 'echo $i >>\"\$M/$1.ran\"'"
        done
}

@test "H1: a root container sees no descriptor above 2, no environment or argv of the controller's, and cannot open a pipe for writing" {
        ten_bodies h
        CTL_ENV=(CTR_SECRET_ENV=ctrsecret-env-$$)
        ctl_start --dispatch direct --allow "ctrsecret-rule-$$=me"
        hostile h
        wait_lines "$M/h.ran" 10 60
        cat "$M/h.log"
        # The watcher did catch processes in their set-up (comm is still ours).
        grep -q "^seen .* comm=$(basename "$CONTRAINER" | cut -c1-15)" "$M/h.log"
        no_leak "$M/h.log"
        refute grep -F "ctrsecret" "$M/h.log"
        refute grep -E '^root ' "$M/h.log"
        ctl_alive
}

@test "H2: with CAP_SYS_PTRACE a container never reaches the controller's root through /proc/PID/root" {
        ten_bodies p
        ctl_start --dispatch direct
        hostile p --cap-add SYS_PTRACE
        wait_lines "$M/p.ran" 10 60
        cat "$M/p.log"
        grep -q "^seen .* comm=$(basename "$CONTRAINER" | cut -c1-15)" "$M/p.log"
        refute grep -E '^root ' "$M/p.log"
        # Nor the controller's context cache, which it could write (review
        # H2 b): never mapped in a process that enters a container.
        refute grep -E '^cache ' "$M/p.log"
        # Not the controller's environment either (ptrace may read it).
        refute grep -F "CTR_DOCKER_HOST" "$M/p.log"
        ctl_alive
}

@test "H1: a process put in by contrainer exec shows nothing of the caller's either" {
        hostile e
        local i
        for i in 1 2 3 4 5; do
                CTR_SECRET_ENV=ctrsecret-env-$$ "$CONTRAINER" exec "$N-e" true 5</dev/null
        done
        cat "$M/e.log"
        grep -q "^seen .* comm=$(basename "$CONTRAINER" | cut -c1-15)" "$M/e.log"
        no_leak "$M/e.log"
        refute grep -E '^root ' "$M/e.log"
        refute grep -F "ctrsecret-env" "$M/e.log"
}

@test "M2: a container that stops every process put into it cannot wedge a worker past --exec-timeout" {
        # h: a body on every container's start, run in h, where its PID 1
        # (from 4 s on, after its own collection) stops each such process
        # for good.  One job slot: a wedged worker would hold it for ever.
        reg h 10-x "%me:start" 'true'
        reg v 10-v "" "$(mark v.ran)"
        ctl_start --dispatch direct --jobs 1 --exec-timeout 5
        CRUN_IMAGE=$HOSTILE_IMAGE CRUN_CMD="/bin/sleep 4; exec /hostile_watch /m/h.log '' '' stop" crun h
        wait_for "the stopper" 20 test -s "$M/h.log"
        crun w
        wait_for "a set-up stopped in h" 20 grep -q '^seen ' "$M/h.log"
        crun v
        wait_line "$M/v.ran" "immediate $N-v $N-v" 60
        wait_log "timed out" 30
        ctl_alive
}

@test "M1: a filter the container stacked on its main process is never the one direct runs get" {
        # Docker's profile refuses unshare(CLONE_NEWUSER); the container's
        # own allow-all filter, stacked on it by its PID 1, would not.
        reg s 10-x "" 'if unshare -U true 2>/dev/null; then echo unconfined; else echo confined; fi >>"$M/s.r"'
        ctl_start --dispatch direct
        CRUN_IMAGE=$HOSTILE_IMAGE CRUN_CMD="exec /hostile_watch /m/s.log '' '' filter" crun s
        wait_line "$M/s.log" filtered
        refute docker exec "$N-s" unshare -U true
        wait_lines "$M/s.r" 1
        expect_file "$M/s.r" confined
        # A later run, from the context cache, too.
        reg s 20-y "" 'if unshare -U true 2>/dev/null; then echo unconfined; else echo confined; fi >>"$M/s.r"'
        kill -HUP "$CTL_PID"
        wait_lines "$M/s.r" 2
        expect_file "$M/s.r" "confined
confined"
}

@test "M5: nothing contrainer exec runs keeps the caller's terminal" {
        crun c
        # The input arrives at 2 s, after `contrainer exec` has returned;
        # a background process of the command waits for it on a copy of its
        # stdin (fd 3: an asynchronous list's own stdin is /dev/null).
        (sleep 2; echo hello) | script -qfec "$CONTRAINER exec $N-c sh -c 'exec 3<&0; (sleep 1; head -c5 <&3 >/tmp/stolen) & exit 0'; sleep 3" /dev/null >/dev/null
        refute docker exec "$N-c" test -s /tmp/stolen
        # Its stdio are pipes of ours, not the caller's terminal.
        script -qfec "$CONTRAINER exec $N-c sh -c 'readlink /proc/self/fd/0; readlink /proc/self/fd/1'" /dev/null >"$T/fds"
        cat "$T/fds"
        [ "$(grep -c '^pipe:' "$T/fds")" -eq 2 ]
        # And the relay is whole: stdin in, stdout and stderr out, the status.
        run sh -c 'printf "a\nb\n" | "$1" exec "$2" sh -c "cat; echo err >&2; exit 3"' sh "$CONTRAINER" "$N-c"
        [ "$status" -eq 3 ]
        [ "$output" = "a
b
err" ]
}
