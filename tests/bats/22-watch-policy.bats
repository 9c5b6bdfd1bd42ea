#!/usr/bin/env bats
# `contrainer watch` policy (docs/watch.md "Policy"): deny by default, --allow GLOB=CLASSES,
# --allow-all; one denial line per (registration, target) naming registrar,
# entry and target; the allowed targets of an entry still run.

# shellcheck disable=SC2016,SC2034 # bodies are shell text expanded where they run; CTL_ENV, CTL_WRAP are read by the helpers
load watch_helpers

setup_file() { watch_setup_file; }
teardown_file() { watch_teardown_file; }
setup() { watch_setup; }
teardown() { watch_teardown; }

# Body for every test here: one line per run, in a file named after the target.
BODY='case "$CONTRAINER_SOURCE_NAME" in ctrtest-*) echo "$CONTRAINER_EVENT $CONTRAINER_SOURCE_NAME" >>"$M/t.$CONTRAINER_TARGET";; esac'

# denials_of ENTRY TARGET: how many denial lines of r for ENTRY name TARGET
# outside the entry's own text (which names every target).
denials_of() {
        local line n=0
        while IFS= read -r line; do
                line=${line//"$1"/}
                [[ "$line" != *"$2"* ]] || n=$((n + 1))
        done < <(log_grep denied "$N-r" "$1")
        echo "$n"
}

@test "without --allow: other containers, %contrainer and %host are denied, logged once each; %me still runs" {
        local entry="%me+$N-a+%contrainer+%host"
        reg r 10-reg "$entry" "$BODY"
        reg a 10-sync "%me:start" "$(mark a.start)"
        crun a
        ctl_start
        crun r
        wait_lines "$M/t.$N-r" 1
        # a's FIFO: a denied body for a would have run before this one.
        crun c
        wait_line "$M/a.start" "start $N-c $N-a"
        expect_file "$M/t.$N-r" "immediate $N-r"
        expect_absent "$M/t.$N-a"
        expect_absent "$M/t.%contrainer"
        expect_absent "$M/t.%host"
        local t
        wait_for "three denials" 10 log_count_ge 3 denied
        for t in "$N-a" %contrainer %host; do
                # The entry's text names every target: look beside it.
                [ "$(denials_of "$entry" "$t")" -eq 1 ] || {
                        echo "expected one denial line for $t" >&2
                        return 1
                }
        done
        # Exactly three denials, nothing about %me.
        [ "$(log_count denied)" -eq 3 ]
}

@test "an entry with events that keeps firing on a denied target logs one denial per registration" {
        reg r 10-reg "$N-a:start" "$BODY"
        reg r 20-me "%me:start" "$(mark r.start)"
        crun a
        ctl_start
        crun r
        wait_line "$M/r.start" "start $N-r $N-r"
        crun b
        crun c
        wait_line "$M/r.start" "start $N-c $N-r"
        expect_absent "$M/t.$N-a"
        [ "$(log_count denied "$N-r" "$N-a")" -eq 1 ]
}

@test "--allow GLOB=containers allows other containers to registrars matching GLOB only" {
        reg r1 10-reg "%me+$N-a" "$BODY"
        reg x 10-reg "%me+$N-b" "$BODY"
        crun a
        crun b
        ctl_start --allow "$N-r*=containers"
        crun r1
        crun x
        wait_lines "$M/t.$N-a" 1
        wait_lines "$M/t.$N-r1" 1
        wait_lines "$M/t.$N-x" 1
        wait_for "denial of x's target b" 10 log_grep denied "$N-x" "$N-b"
        expect_file "$M/t.$N-a" "immediate $N-r1"
        expect_absent "$M/t.$N-b"
        [ "$(log_count denied)" -eq 1 ]
}

@test "--allow GLOB=containers does not allow %contrainer or %host" {
        reg r 10-reg "%contrainer+%host+$N-a" "$BODY"
        crun a
        ctl_start --allow "$N-r=containers"
        crun r
        wait_lines "$M/t.$N-a" 1
        wait_for "denial of %contrainer" 10 log_grep denied "$N-r" %contrainer
        wait_for "denial of %host" 10 log_grep denied "$N-r" %host
        expect_absent "$M/t.%contrainer"
        [ "$(log_count denied)" -eq 2 ]
}

@test "--allow GLOB=contrainer,host allows %contrainer (a local child with the controller's M)" {
        reg r 10-reg "%contrainer" "$BODY"
        ctl_start --allow "$N-r=contrainer,host"
        crun r
        wait_lines "$M/t.%contrainer" 1
        expect_file "$M/t.%contrainer" "immediate $N-r"
        refute log_has denied
}

@test "several --allow rules add up (each grants its classes to its glob)" {
        reg r 10-reg "%me+$N-a+%contrainer" "$BODY"
        crun a
        ctl_start --allow "nomatch-*=containers,contrainer,host" --allow "$N-r=containers" --allow "$N-?=contrainer,host"
        crun r
        wait_lines "$M/t.$N-a" 1
        wait_lines "$M/t.%contrainer" 1
        wait_lines "$M/t.$N-r" 1
        refute log_has denied
}

@test "--allow-all allows every class" {
        reg r 10-reg "%me+$N-a+%contrainer" "$BODY"
        crun a
        ctl_start --allow-all
        crun r
        wait_lines "$M/t.$N-a" 1
        wait_lines "$M/t.%contrainer" 1
        wait_lines "$M/t.$N-r" 1
        expect_file "$M/t.$N-a" "immediate $N-r"
        expect_file "$M/t.%contrainer" "immediate $N-r"
        refute log_has denied
}
