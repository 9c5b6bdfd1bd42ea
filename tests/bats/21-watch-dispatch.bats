#!/usr/bin/env bats
# `contrainer watch` dispatch (docs/watch.md): entries with events, selector
# algebra, immediate entries on later targets, lifetime of registrations,
# replicas, the controller's own exec events.

# shellcheck disable=SC2016,SC2034 # bodies are shell text expanded where they run; CTL_ENV, CTL_WRAP are read by the helpers
load watch_helpers

setup_file() { watch_setup_file; }
teardown_file() { watch_teardown_file; }
setup() { watch_setup; }
teardown() { watch_teardown; }

@test "%me:start runs in the registrar whenever any container starts" {
        reg r 10-start "%me:start" "$(mark r.log)"
        ctl_start
        ctl_ready
        crun r
        wait_line "$M/r.log" "start $N-r $N-r"
        crun b
        wait_line "$M/r.log" "start $N-b $N-r"
        crun c
        wait_lines "$M/r.log" 3
        expect_file "$M/r.log" "start $N-r $N-r
start $N-b $N-r
start $N-c $N-r"
}

@test "an event body's environment: source = the emitting container, registrar = the registrant" {
        reg r 10-start "%me:start" "$(ours '[ "$CONTRAINER_SOURCE_NAME" = "$CONTRAINER_REGISTRAR_NAME" ] || {
 echo "EVENT=$CONTRAINER_EVENT DOCKER_EVENT=$DOCKER_EVENT TARGET=$CONTRAINER_TARGET"
 echo "SOURCE=$CONTRAINER_SOURCE_NAME $CONTRAINER_SOURCE_ID"
 echo "REGISTRAR=$CONTRAINER_REGISTRAR_NAME $CONTRAINER_REGISTRAR_ID"
 echo "REGISTRAR_CONTAINER=$REGISTRAR_CONTAINER_NAME $REGISTRAR_CONTAINER_ID"
} >>"$M/env"')"
        ctl_start
        ctl_ready
        crun r
        crun b
        wait_lines "$M/env" 4
        local r b
        r=$(cid "$N-r")
        b=$(cid "$N-b")
        # REGISTRAR_CONTAINER_* are the source, as the original tool set them.
        expect_file "$M/env" "EVENT=start DOCKER_EVENT=start TARGET=$N-r
SOURCE=$N-b $b
REGISTRAR=$N-r $r
REGISTRAR_CONTAINER=$N-b $b"
}

@test "a registration's own :start entry fires for the start that created it, once per start" {
        reg r 10-start "%me:start" "$(mark r.log)"
        ctl_start
        ctl_ready
        crun r
        wait_line "$M/r.log" "start $N-r $N-r"
        docker restart -t 1 "$N-r" >/dev/null
        wait_lines "$M/r.log" 2
        crun c
        wait_line "$M/r.log" "start $N-c $N-r"
        expect_file "$M/r.log" "start $N-r $N-r
start $N-r $N-r
start $N-c $N-r"
}

@test "several entries and several events: '%me:start:die, %me:stop'" {
        engine_skip_on Podman "Podman 4.3's Docker API sends no stop event (docs/engines.md)"
        reg r 10-multi " %me:start:die , %me : stop " "$(mark r.log)"
        ctl_start
        ctl_ready
        crun r
        wait_line "$M/r.log" "start $N-r $N-r"
        crun b
        docker stop -t 5 "$N-b" >/dev/null
        wait_line "$M/r.log" "stop $N-b $N-r"
        crun c
        wait_line "$M/r.log" "start $N-c $N-r"
        # restart/kill/create are not in the header: they fire nothing.
        # Docker 20.10 sends die, then stop; Docker 26 stop, then die
        # (docs/engines.md): either order, the rest in order.
        sed 's/^stop /die /' "$M/r.log" >"$T/r.norm"
        expect_file "$T/r.norm" "start $N-r $N-r
start $N-b $N-r
die $N-b $N-r
die $N-b $N-r
start $N-c $N-r"
        grep -qxF "stop $N-b $N-r" "$M/r.log"
        grep -qxF "die $N-b $N-r" "$M/r.log"
}

@test "bodies for one target run one at a time, in event order" {
        reg r 10-slow "%me:start" "$(ours 'echo "begin $CONTRAINER_SOURCE_NAME" >>"$M/r.log"; sleep 0.3; echo "end $CONTRAINER_SOURCE_NAME" >>"$M/r.log"')"
        ctl_start
        ctl_ready
        crun r
        wait_line "$M/r.log" "end $N-r"
        crun b
        crun c
        crun d
        wait_line "$M/r.log" "end $N-d"
        expect_file "$M/r.log" "begin $N-r
end $N-r
begin $N-b
end $N-b
begin $N-c
end $N-c
begin $N-d
end $N-d"
}

# Each body waits (up to 5 s) for the other target's body to have begun:
# both finish with "both" only when they run at the same time.
PAR_BODY='touch "$M/in.$CONTRAINER_TARGET"
case $CONTRAINER_TARGET in *-a) other=${CONTRAINER_TARGET%-a}-b ;; *) other=${CONTRAINER_TARGET%-b}-a ;; esac
i=0; while [ ! -e "$M/in.$other" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if [ -e "$M/in.$other" ]; then echo both; else echo alone; fi >>"$M/par"'

@test "different targets run in parallel (--jobs 2), not beyond --jobs (--jobs 1)" {
        reg r 10-par "$N-a+$N-b" "$PAR_BODY"
        crun a
        crun b
        ctl_start --allow "$N-r=containers" --jobs 2
        crun r
        wait_lines "$M/par" 2
        expect_file "$M/par" "both
both"
        ctl_stop
        rm -f "$M"/in.* "$M/par"
        docker rm -f "$N-r" >/dev/null
        ctl_start --allow "$N-r=containers" --jobs 1
        crun r
        wait_lines "$M/par" 2
        expect_file <(sort "$M/par") "alone
both"
}

@test "a+b+%me: three targets, each gets the immediate body once (with --allow)" {
        reg r 10-abme "$N-a+$N-b+%me" "$(mark x.log)"
        ctl_start --allow "$N-r=me,containers"
        crun a
        crun b
        crun r
        wait_lines "$M/x.log" 3
        ctl_ready
        expect_file <(sort "$M/x.log") "$(printf '%s\n' "immediate $N-r $N-a" "immediate $N-r $N-b" "immediate $N-r $N-r" | sort)"
        refute log_has denied
}

@test "a named target that starts later gets the immediate body when it starts, once" {
        ccreate b
        reg b 10-self "" "$(mark b.self)"
        reg b 20-start "%me:start" "$(mark b.start)"
        reg r 10-b "$N-b" "$(mark b.log)"
        reg r 20-sync "" "$(mark r.sync)"
        ctl_start --allow "$N-r=containers"
        crun r
        wait_lines "$M/r.sync" 1
        ctl_ready
        expect_absent "$M/b.log"
        docker start "$N-b" >/dev/null
        wait_line "$M/b.log" "immediate $N-r $N-b"
        wait_lines "$M/b.self" 1
        wait_lines "$M/b.start" 1
        docker restart -t 1 "$N-b" >/dev/null
        wait_lines "$M/b.self" 2
        # b's FIFO: everything queued for b by its restart ran before this.
        crun c
        wait_line "$M/b.start" "start $N-c $N-b"
        expect_file "$M/b.log" "immediate $N-r $N-b"
}

@test "%all!%me runs everywhere but the registrar, new containers included; %host and %contrainer denied without their classes" {
        # Guarded by name: %all is every container on this Engine.
        reg r 10-all "%all!%me" "case \$CONTRAINER_TARGET in $N-*|%contrainer) echo \"\$CONTRAINER_EVENT \$CONTRAINER_SOURCE_NAME\" >>\"\$M/all.\$CONTRAINER_TARGET\";; esac"
        reg r 20-sync "" "$(mark r.sync)"
        crun a
        crun b
        ctl_start --allow "$N-r=me,containers"
        crun r
        wait_lines "$M/all.$N-a" 1
        wait_lines "$M/all.$N-b" 1
        wait_lines "$M/r.sync" 1
        crun c
        wait_lines "$M/all.$N-c" 1
        ctl_ready
        local t
        for t in "$N-a" "$N-b" "$N-c"; do
                expect_file "$M/all.$t" "immediate $N-r"
        done
        expect_absent "$M/all.$N-r"
        expect_absent "$M/all.%contrainer"
        wait_for "a denial of %host" 10 log_has denied
        [ "$(log_count denied %host "$N-r")" -eq 1 ]
        [ "$(log_count denied %contrainer "$N-r")" -eq 1 ]
}

@test "%me!%all is nobody; ~ is a synonym of !" {
        reg r 10-nobody "%me!%all" "$(mark nobody)"
        reg r 20-nobody "%me~%me" "$(mark nobody)"
        reg r 30-tilde "$N-a+$N-b~$N-b" "$(mark tilde)"
        reg r 40-sync "" "$(mark r.sync)"
        crun a
        crun b
        ctl_start --allow "$N-r=containers"
        crun r
        wait_lines "$M/r.sync" 1
        wait_lines "$M/tilde" 1
        ctl_ready
        expect_absent "$M/nobody"
        expect_file "$M/tilde" "immediate $N-r $N-a"
}

@test "die: the registrar's own die is dispatched, then its registrations are dropped" {
        reg a 10-self "%me:start" "$(mark a.self)"
        reg r 10-reg "$N-a:start, %contrainer:die" "$(mark r.log)"
        ctl_start --allow "$N-r=containers,contrainer,host"
        crun a
        wait_line "$M/a.self" "start $N-a $N-a"
        crun r
        wait_line "$M/r.log" "start $N-r $N-a"
        crun b
        wait_line "$M/r.log" "start $N-b $N-a"
        docker stop -t 5 "$N-r" >/dev/null
        wait_line "$M/r.log" "die $N-r %contrainer"
        crun c
        crun d
        # a's FIFO: a body for c's start from r would have run before this.
        wait_line "$M/a.self" "start $N-d $N-a"
        expect_file "$M/r.log" "start $N-r $N-a
start $N-b $N-a
die $N-r %contrainer"
}

@test "a restarted container registers afresh: its immediate entries run again" {
        reg r 10-me "" "$(mark r.log)"
        ctl_start
        crun r
        wait_lines "$M/r.log" 1
        docker restart -t 1 "$N-r" >/dev/null
        wait_lines "$M/r.log" 2
        ctl_ready
        expect_file "$M/r.log" "immediate $N-r $N-r
immediate $N-r $N-r"
}

@test "two replicas with identical scripts are two registrations, each %me is itself" {
        mkdir -p "$T/s/shared"
        reg shared 10-me "" 'echo "$CONTRAINER_TARGET $CONTRAINER_REGISTRAR_NAME $(hostname)" >>"$M/rep.log"'
        reg shared 20-start "%me:start" "$(ours 'echo "$CONTRAINER_TARGET $CONTRAINER_SOURCE_NAME $(hostname)" >>"$M/start.log"')"
        ctl_start
        CRUN_SCRIPTS=$T/s/shared crun r1
        CRUN_SCRIPTS=$T/s/shared crun r2
        wait_lines "$M/rep.log" 2
        local h1 h2
        h1=$(cid "$N-r1")
        h2=$(cid "$N-r2")
        h1=${h1:0:12}
        h2=${h2:0:12}
        expect_file <(sort "$M/rep.log") "$(printf '%s\n' "$N-r1 $N-r1 $h1" "$N-r2 $N-r2 $h2" | sort)"
        crun c
        wait_for "both replicas saw c start" 30 grep_ge 2 "$M/start.log" -F " $N-c "
        expect_file <(grep " $N-c " "$M/start.log" | sort) "$(printf '%s\n' "$N-r1 $N-c $h1" "$N-r2 $N-c $h2" | sort)"
}

@test "the controller's own execs are never dispatched: an exec_* entry does not loop" {
        engine_skip_on Podman "Podman 4.3's Docker API sends no exec_create/exec_start/exec_die events (docs/engines.md)"
        reg r 10-exec "%me:exec_create:exec_start:exec_die" "$(ours 'echo "$CONTRAINER_EVENT" >>"$M/exec.log"')"
        reg r 20-start "%me:start" "$(mark r.start)"
        # The exec API path: direct runs (--dispatch auto) make no exec at all.
        ctl_start --dispatch api
        crun r
        wait_line "$M/r.start" "start $N-r $N-r"
        # Someone else's exec fires the entry (its Action is "exec_start: true",
        # matched by the text before ':'); the body's own exec events do not.
        docker exec "$N-r" true
        wait_lines "$M/exec.log" 3
        crun c
        wait_line "$M/r.start" "start $N-c $N-r"
        crun d
        wait_line "$M/r.start" "start $N-d $N-r"
        expect_file "$M/exec.log" "exec_create
exec_start
exec_die"
}

@test "only container events count: a volume's create/destroy fire no container entry" {
        engine_skip_on Podman "Podman 4.3 names a removal 'remove', not 'destroy' (docs/engines.md)"
        reg r 10-cd "%me:create:destroy" "$(ours 'echo "$CONTRAINER_EVENT $CONTRAINER_SOURCE_NAME" >>"$M/r.log"')"
        reg r 20-sync "" "$(mark r.sync)"
        ctl_start
        crun r
        wait_lines "$M/r.sync" 1
        docker volume create "$N-vol" >/dev/null
        docker volume rm "$N-vol" >/dev/null
        ccreate x
        wait_line "$M/r.log" "create $N-x"
        docker rm "$N-x" >/dev/null
        wait_line "$M/r.log" "destroy $N-x"
        expect_file "$M/r.log" "create $N-x
destroy $N-x"
}
