#!/usr/bin/env bats
# `contrainer watch` basics (docs/watch.md): collecting scripts,
# immediate bodies on the registrar, the environment of a body, script
# order, what is not a script, command line and log format.

# shellcheck disable=SC2016,SC2034 # bodies are shell text expanded where they run; CTL_ENV, CTL_WRAP are read by the helpers
load watch_helpers

setup_file() { watch_setup_file; }
teardown_file() { watch_teardown_file; }
setup() { watch_setup; }
teardown() { watch_teardown; }

ENV_BODY='{
 echo "EVENT=$CONTRAINER_EVENT"
 echo "DOCKER_EVENT=$DOCKER_EVENT"
 echo "SOURCE_NAME=$CONTRAINER_SOURCE_NAME"
 echo "SOURCE_ID=$CONTRAINER_SOURCE_ID"
 echo "REGISTRAR_NAME=$CONTRAINER_REGISTRAR_NAME"
 echo "REGISTRAR_ID=$CONTRAINER_REGISTRAR_ID"
 echo "TARGET=$CONTRAINER_TARGET"
 echo "REGISTRAR_CONTAINER_NAME=$REGISTRAR_CONTAINER_NAME"
 echo "REGISTRAR_CONTAINER_ID=$REGISTRAR_CONTAINER_ID"
 echo "CONTRAINER_NAME=$CONTRAINER_NAME"
 echo "CONTRAINER_ID=[${CONTRAINER_ID:-}]"
 echo "OWN=$CTR_OWN"
 echo "HOSTNAME=$(hostname)"
} >"$M/a.env"; echo ran >>"$M/a.count"'

@test "blank header: the body runs once in the registrar, as immediate, with the body environment" {
        reg a 10-env "" "$ENV_BODY"
        ctl_start
        crun a -e CTR_OWN='own value'
        wait_lines "$M/a.count" 1
        local id
        id=$(cid "$N-a")
        [[ "$id" =~ ^[0-9a-f]{64}$ ]]
        expect_file "$M/a.env" "EVENT=immediate
DOCKER_EVENT=immediate
SOURCE_NAME=$N-a
SOURCE_ID=$id
REGISTRAR_NAME=$N-a
REGISTRAR_ID=$id
TARGET=$N-a
REGISTRAR_CONTAINER_NAME=$N-a
REGISTRAR_CONTAINER_ID=$id
CONTRAINER_NAME=$(uname -n)
CONTRAINER_ID=[]
OWN=own value
HOSTNAME=${id:0:12}"
        # Once: another container starting and registering (the original tool
        # re-ran every immediate entry then) does not run it again.
        ctl_ready b
        docker restart -t 1 "$N-b" >/dev/null
        wait_lines "$M/b.ready" 2
        expect_file "$M/a.count" "ran"
}

@test "containers already running when the controller starts are collected" {
        reg a 10-me "" "$(mark a.log)"
        crun a
        ctl_start
        wait_lines "$M/a.log" 1
        expect_file "$M/a.log" "immediate $N-a $N-a"
}

@test "explicit %me header, white space ignored" {
        reg a 10-me "  %me  " "$(mark a.log)"
        ctl_start
        crun a
        wait_lines "$M/a.log" 1
        expect_file "$M/a.log" "immediate $N-a $N-a"
}

@test "a registrar naming itself by NAME is %me: runs without any --allow, no denial" {
        reg a 10-self "$N-a" "$(mark a.log)"
        ctl_start
        crun a
        wait_lines "$M/a.log" 1
        expect_file "$M/a.log" "immediate $N-a $N-a"
        refute log_has denied
}

@test "scripts run in byte-wise name order (10, 9, B, a)" {
        local s
        for s in B a 10 9; do
                raw_script a "$s" "#!/bin/sh
echo $s >>/m/order
echo
echo 'echo $s >>/m/bodies'"
        done
        # A locale whose collation would put "a" before "B" and "10" after "9".
        CTL_ENV=(LC_ALL=en_US.UTF-8 LANG=en_US.UTF-8)
        ctl_start
        crun a
        wait_lines "$M/bodies" 4
        expect_file "$M/order" "10
9
B
a"
}

@test "non-executable files, directories and files in subdirectories are not scripts" {
        raw_script a z-sync "#!/bin/sh
echo; echo 'echo z >>/m/sync'"
        printf '#!/bin/sh\necho x >>/m/ran-nonexec\necho\n' >"$T/s/a/n-nonexec"
        chmod 644 "$T/s/a/n-nonexec"
        mkdir -m 755 "$T/s/a/d-dir"
        raw_script a d-dir/inner "#!/bin/sh
echo x >>/m/ran-inner
echo"
        ctl_start
        crun a
        wait_lines "$M/sync" 1
        # Scripts run in order, one at a time: z-sync is last, so the others
        # would have run before it.
        expect_absent "$M/ran-nonexec"
        expect_absent "$M/ran-inner"
        expect_file "$M/sync" "z"
}

@test "dot-files in the script dir are not scripts" {
        raw_script a z-sync "#!/bin/sh
echo; echo 'echo z >>/m/sync'"
        raw_script a .hidden "#!/bin/sh
echo x >>/m/ran-hidden
echo"
        ctl_start
        crun a
        wait_lines "$M/sync" 1
        expect_absent "$M/ran-hidden"
}

@test "a script's stdout after the header is the body, run with sh -c exactly as written" {
        # Quotes, $(...), backslashes and ; travel untouched to sh -c: the
        # body's own substitution runs, nothing else is executed or expanded.
        reg a 10-lit "" 'printf "%s\n" "it'"'"'s \"q\" $(echo sub) \$(touch /m/pwned) a\\b ; \`x\`" >>"$M/lit"
echo "src=$CONTRAINER_SOURCE_NAME weird=$WEIRD" >>"$M/lit"'
        ctl_start
        crun a -e 'WEIRD=$(touch /m/pwned2) "x" `y` ;'
        wait_lines "$M/lit" 2
        expect_file "$M/lit" "it's \"q\" sub \$(touch /m/pwned) a\\b ; \`x\`
src=$N-a weird=\$(touch /m/pwned2) \"x\" \`y\` ;"
        expect_absent "$M/pwned"
        expect_absent "$M/pwned2"
}

@test "without --script-dir the scripts are looked up in /contrainer" {
        mkdir -p "$T/s/a"
        reg a 10-me "" "$(mark a.log)"
        docker run -d --network none --name "$N-a" -v "$T/s/a:/contrainer:ro" \
                -v "$M:/m" -e M=/m "$WATCH_IMAGE" "${WATCH_CMD[@]}" >/dev/null
        env M="$M" "$CONTRAINER" watch --state-dir "$T/state" --exec-timeout 20 \
                </dev/null >>"$T/ctl.out" 2>>"$CTL_LOG" 3>&- &
        CTL_PID=$!
        echo "$CTL_PID" >>"$T/pids"
        wait_lines "$M/a.log" 1
        expect_file "$M/a.log" "immediate $N-a $N-a"
}

@test "without --docker-socket and DOCKER_HOST it talks to /var/run/docker.sock" {
        env -u DOCKER_HOST docker image inspect "$WATCH_IMAGE" >/dev/null 2>&1 ||
                DOCKER_HOST='' busybox_image "$WATCH_IMAGE"
        reg a 10-me "" "$(mark a.log)"
        main_run a
        (unset DOCKER_HOST; ctl_start)
        CTL_PID=$(tail -n 1 "$T/pids")
        wait_line "$M/a.log" "immediate $N-a $N-a"
}

@test "--log-format json: every line on stderr is one JSON object" {
        command -v jq >/dev/null
        reg a 10-bad '%me:' "echo never"
        reg a 20-fail "" 'exit 3'
        reg a 30-ok "" "$(mark a.log)"
        ctl_start --log-format json
        crun a
        wait_lines "$M/a.log" 1
        ctl_stop
        [ "$CTL_RC" -eq 0 ]
        [ "$(nlines "$CTL_LOG")" -ge 1 ]
        local line
        while IFS= read -r line; do
                printf '%s\n' "$line" | jq -e 'type == "object"' >/dev/null || {
                        echo "not a JSON object: $line" >&2
                        return 1
                }
        done <"$CTL_LOG"
        grep -qF "$N-a" "$CTL_LOG"
}

@test "--help and --version exit 0; an unknown option exits 2 with one line" {
        run "$CONTRAINER" watch --help
        [ "$status" -eq 0 ]
        [[ "$output" == *--allow* ]]
        [[ "$output" == *--exec-timeout* ]]
        run "$CONTRAINER" watch --version
        [ "$status" -eq 0 ]
        [ -n "$output" ]
        run "$CONTRAINER" watch --no-such-option
        [ "$status" -eq 2 ]
        [[ "$output" == *no-such-option* ]]
}
