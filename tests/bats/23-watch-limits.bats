#!/usr/bin/env bats
# `contrainer watch` limits and bad input (docs/watch.md): timeouts,
# output caps, invalid headers, failing bodies, containers without a shell,
# garbage output; each gets logged and harms nothing else.

# shellcheck disable=SC2016,SC2034 # bodies are shell text expanded where they run; CTL_ENV, CTL_WRAP are read by the helpers
load watch_helpers

setup_file() {
        watch_setup_file
        "$BATS_TEST_DIRNAME/../images/noshell.sh" "$CTR_P-noshell:latest"
}
teardown_file() { watch_teardown_file; }
setup() { watch_setup; }
teardown() { watch_teardown; }

@test "a hanging script times out, registers nothing, is logged, ends its collection; other containers are served meanwhile" {
        raw_script h 10-hang '#!/bin/sh
echo
echo "echo ran >>/m/h.body"
echo started >>/m/h.started
exec sleep 100'
        reg h 20-after "" "$(mark h.after)"
        reg g 10-me "" "$(mark g.log)"
        ctl_start --exec-timeout 6
        crun h
        wait_lines "$M/h.started" 1
        crun g
        wait_lines "$M/g.log" 1
        # g was served while h's script still hung (its timeout not yet logged).
        refute log_grep "10-hang" time
        wait_for "the timeout of 10-hang logged" 30 log_grep "10-hang" time
        local line
        line=$(log_grep "$N-h" "10-hang" time)
        [ "$(printf '%s\n' "$line" | wc -l)" -eq 1 ]
        [[ "$line" == *"$CTR_SD/10-hang"* ]]
        [[ "$line" == *time* ]]
        # The collection has one deadline (docs/watch.md): the script after it
        # is not run, and says so; the hung one registered nothing.
        wait_for "20-after logged as not run" 10 log_grep "$N-h" "20-after" "not run"
        expect_absent "$M/h.after"
        expect_absent "$M/h.body"
        ctl_alive
}

@test "a body that hangs is stopped by --exec-timeout and logged; other targets still run" {
        reg h 10-hang "" 'echo begin >>"$M/h.body"; sleep 100; echo end >>"$M/h.body"'
        reg h 20-next "" "$(mark h.next)"
        reg g 10-me "" "$(mark g.log)"
        ctl_start --exec-timeout 4
        crun h
        wait_lines "$M/h.body" 1
        crun g
        wait_lines "$M/g.log" 1
        # The next body for h runs only after the hung one was given up.
        wait_lines "$M/h.next" 1 30
        expect_file "$M/h.body" "begin"
        log_grep "$N-h" time >/dev/null
        ctl_alive
}

@test "a script whose output exceeds --max-output registers nothing and is logged" {
        raw_script f 10-flood '#!/bin/sh
echo
echo "echo ran >>/m/f.body"
head -c 300000 /dev/zero | tr "\0" x'
        raw_script f 20-errflood '#!/bin/sh
echo
echo "echo ran >>/m/f.body2"
head -c 300000 /dev/zero | tr "\0" x >&2'
        reg f 30-ok "" "$(mark f.ok)"
        ctl_start --max-output 10000
        crun f
        wait_lines "$M/f.ok" 1
        expect_absent "$M/f.body"
        log_grep "$N-f" "10-flood" >/dev/null
        # The cap is per stream: stderr over it fails the script as well.
        expect_absent "$M/f.body2"
        log_grep "$N-f" "20-errflood" >/dev/null
        ctl_alive
}

@test "an invalid header is one error line naming container, script and position; other scripts register" {
        reg a 10-bad "%me+" "echo ran >>\"\$M/a.bad\""
        reg a 20-ok "" "$(mark a.ok)"
        ctl_start
        crun a
        wait_lines "$M/a.ok" 1
        expect_absent "$M/a.bad"
        wait_log "10-bad" 10
        local line
        line=$(log_grep "$N-a" "10-bad")
        [ "$(printf '%s\n' "$line" | wc -l)" -eq 1 ]
        [[ "$line" =~ [0-9] ]]
        [[ "$line" == *"$CTR_SD/10-bad"* ]]
}

@test "a body exiting non-zero is logged with its status; the controller goes on" {
        reg a 10-fail "%me:start" "$(ours 'echo "$CONTRAINER_SOURCE_NAME" >>"$M/a.fail"; exit 7')"
        ctl_start
        crun a
        wait_lines "$M/a.fail" 1
        wait_for "a log line with status 7" 10 log_grep "$N-a" 7
        crun b
        wait_lines "$M/a.fail" 2
        expect_file "$M/a.fail" "$N-a
$N-b"
}

@test "%all with a container that has no shell: that body fails and is logged, the others run" {
        reg r 10-all "%all!%host!%contrainer" "case \$CONTRAINER_TARGET in $N-*) echo \"\$CONTRAINER_EVENT\" >>\"\$M/all.\$CONTRAINER_TARGET\";; esac"
        docker run -d --network none --name "$N-noshell" "$CTR_P-noshell" >/dev/null
        crun a
        ctl_start --allow "$N-r=me,containers"
        crun r
        wait_lines "$M/all.$N-a" 1
        wait_lines "$M/all.$N-r" 1
        wait_for "a failure line for the shell-less container" 30 log_grep "$N-noshell" "$N-r"
        ctl_ready
        expect_file "$M/all.$N-a" immediate
        expect_file "$M/all.$N-r" immediate
        [ "$(docker inspect -f '{{.State.Running}}' "$N-noshell")" = true ]
}

@test "%all with a paused container (exec refused): that body fails and is logged, the others run" {
        reg r 10-all "%all!%host!%contrainer" "case \$CONTRAINER_TARGET in $N-*) echo \"\$CONTRAINER_EVENT\" >>\"\$M/all.\$CONTRAINER_TARGET\";; esac"
        crun paused
        docker pause "$N-paused" >/dev/null
        crun a
        ctl_start --allow "$N-r=me,containers"
        crun r
        wait_lines "$M/all.$N-a" 1
        wait_lines "$M/all.$N-r" 1
        # docs/watch.md "Targets": %all includes containers that refuse exec; their bodies
        # fail and are logged (a paused container is running, exec gets 409).
        wait_for "a failure line for the paused container" 30 log_grep "$N-paused" "$N-r"
        ctl_ready
        expect_absent "$M/all.$N-paused"
        ctl_alive
}

@test "garbage script output, unknown names and events, a container vanishing mid-dispatch do not harm it" {
        # Binary garbage as header and body.
        raw_script a 10-bin '#!/bin/sh
printf "\377\376\000%%me\001\n\000\377 body\n"'
        # One huge header line.
        raw_script a 20-huge '#!/bin/sh
head -c 200000 /dev/zero | tr "\0" a; echo; echo "echo ran >>/m/a.huge"'
        # A target that does not exist, an event that never comes, an unknown %word.
        reg a 30-unknown "no-such-container-$N" "echo ran >>\"\$M/a.unknown\""
        reg a 40-never "%me:no_such_event" "echo ran >>\"\$M/a.never\""
        reg a 50-pct "%nobody" "echo ran >>\"\$M/a.pct\""
        # A registrar that vanishes while its scripts and bodies are in flight.
        reg v 10-slow "" 'sleep 2; echo ran >>"$M/v.body"'
        reg a 90-ok "" "$(mark a.ok)"
        ctl_start --allow "$N-a=containers"
        crun v
        crun a
        docker rm -f "$N-v" >/dev/null
        wait_lines "$M/a.ok" 1
        expect_absent "$M/a.huge"
        expect_absent "$M/a.pct"
        expect_absent "$M/a.never"
        expect_absent "$M/a.unknown"
        ctl_alive
        ctl_ready b
        ctl_stop
        [ "$CTL_RC" -eq 0 ]
}
