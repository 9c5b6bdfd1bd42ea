# shellcheck shell=bash
# Helpers for the black-box suites of `contrainer init` (tests/bats/1x).
#
# Every init under test is PID 1 of a fresh PID namespace
# (unshare --pid --fork --kill-child --mount-proc) with a private mount
# namespace in which /etc is an overlayfs: lower = the real /etc, upper =
# $T/etc.  So a test puts files in "$T/etc/boot.d/..." before the run, reads
# what init wrote from "$T/etc/container_environment.sh" after it, and the
# real /etc is never written (teardown checks that).  $T (under /tmp) is the
# same directory inside and outside, for markers.
# Usage: load init_helpers; setup() { init_setup; }; teardown() { init_teardown; }
# INIT_PID and INIT_STATUS are set here for the tests to read.
# shellcheck disable=SC2034

init_setup() {
        T=$(mktemp -d /tmp/ctr-init.XXXXXX)
        export T
        mkdir -p "$T/etc/service" "$T/work"
        ETC_BEFORE=$(etc_snapshot)
        # The namespace wrapper: mount the overlay, then exec the rest as PID 1.
        # shellcheck disable=SC2016
        NS=(unshare --pid --fork --kill-child --mount-proc --propagation private
            sh -c 'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/etc,workdir=$1/work" /etc || exit 99; shift; exec "$@"'
            sh "$T")
        UPID=
        INIT_PID=
}

init_teardown() {
        # A test that failed mid-way may leave its namespace: unshare
        # --kill-child takes the whole namespace down with it.
        if [ -n "$UPID" ] && kill -0 "$UPID" 2>/dev/null; then
                kill -KILL "$UPID" 2>/dev/null || true
        fi
        local after
        after=$(etc_snapshot)
        rm -rf "$T"
        if [ "$after" != "$ETC_BEFORE" ]; then
                echo "the real /etc changed:" >&2
                diff <(echo "$ETC_BEFORE") <(echo "$after") >&2
                return 1
        fi
}

# What init could write in the real /etc if isolation failed.
etc_snapshot() {
        local p
        for p in container_environment container_environment.sh container_environment.json \
                boot.d my_init.d rc.local shutdown.d my_init.pre_shutdown.d \
                my_init.post_shutdown.d service; do
                stat -c '%n %F %s %Y' "/etc/$p" 2>/dev/null || echo "absent /etc/$p"
        done
}

# script PATH-UNDER-T/etc [BODY]: an executable sh script (body from stdin).
script() {
        local f="$T/etc/$1"
        mkdir -p "$(dirname "$f")"
        { echo '#!/bin/sh'; cat; } >"$f"
        chmod +x "$f"
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# wait_for DESCRIPTION SECONDS CMD... (or the older SECONDS CMD...): helpers.bash.
# shellcheck source=tests/bats/helpers.bash
. "$(dirname "${BASH_SOURCE[0]}")/helpers.bash"

# run_init ARGS...: run `contrainer init ARGS` as PID 1 to completion
# (bounded), with bats' $status and $output (stdout+stderr).
run_init() {
        run timeout -k 5 60 "${NS[@]}" "$CONTRAINER" init "$@"
}

# start_init ARGS...: the same in the background, output to $T/out; sets
# UPID (unshare) and INIT_PID (host pid of the namespace's PID 1, once it
# runs contrainer).
start_init() {
        "${NS[@]}" "$CONTRAINER" init "$@" >"$T/out" 2>&1 &
        UPID=$!
        wait_for "init to run" 10 init_running
}

init_running() {
        local c exe
        c=$(cat "/proc/$UPID/task/$UPID/children" 2>/dev/null) || return 1
        c=${c%% *}
        [ -n "$c" ] || return 1
        exe=$(readlink "/proc/$c/exe" 2>/dev/null) || return 1
        [ "$exe" = "$(readlink -f "$CONTRAINER")" ] || return 1
        INIT_PID=$c
}

# wait_init SECONDS: wait for the background init to end; sets INIT_STATUS.
wait_init() {
        # shellcheck disable=SC2016
        wait_for "init to exit" "$1" eval '! kill -0 "$UPID" 2>/dev/null' || return 1
        INIT_STATUS=0
        wait "$UPID" || INIT_STATUS=$?
        UPID=
}

file_has() { [ -s "$1" ] && grep -q -- "$2" "$1"; }

# no_line PATTERN [FILE]: PATTERN occurs nowhere (a plain `! grep` cannot
# fail a bats test: bash's -e ignores negated commands).
no_line() { ! grep -q -- "$@"; }
