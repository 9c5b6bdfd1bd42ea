#!/usr/bin/env bats
# contrainer init where containers really run (docs/hardening.md): another
# user, a read-only root, with or without a writable /run; critical
# services; CONTRAINER_EXIT_STATUS; timeout-kill; inherited descriptors and
# socket activation.  Each init is PID 1 of a private PID and mount
# namespace (init_helpers.bash); hns() adds what Docker's flags do there:
#   ro       /etc read-only (as --read-only)
#   tmpfs    a fresh tmpfs on /run (as --tmpfs /run); otherwise /run is the
#            machine's, bound read-only, so no test ever writes it
#   user U   the init runs as U (setpriv: uid[:gid], no passwd entry needed)

load init_helpers

setup() {
        init_setup
        chmod 0755 "$T"
        mkdir -p "$T/m"
        chmod 0777 "$T/m"
}
teardown() { init_teardown; }

# hns [ro] [tmpfs] [user UID:GID] -- ARGS...: run `contrainer init ARGS`
# (bounded), with bats' $status and $output.
hns() {
        local ro=0 tmp=0 user=
        while [ "$1" != -- ]; do
                case $1 in
                ro) ro=1 ;;
                tmpfs) tmp=1 ;;
                user) user=$2; shift ;;
                esac
                shift
        done
        shift
        run timeout -k 5 60 unshare --pid --fork --kill-child --mount-proc --propagation private \
                sh -c "$HNS_SCRIPT" sh "$T" "$ro" "$tmp" "$user" "$CONTRAINER" init "$@"
}

# hns_bg ARGS...: the same in the background with a writable /run, output
# to $T/out (as start_init: UPID, INIT_PID; wait_init).
hns_bg() {
        unshare --pid --fork --kill-child --mount-proc --propagation private \
                sh -c "$HNS_SCRIPT" sh "$T" 0 1 "" "$CONTRAINER" init "$@" >"$T/out" 2>&1 &
        UPID=$!
        wait_for 10 init_running
}

# /run is always private: a fresh tmpfs, writable (tmpfs) or read-only
# (an empty /run that nobody can write, root's, as an image's on a
# read-only root): no test writes the machine's /run.
# shellcheck disable=SC2016
HNS_SCRIPT='set -e
t=$1 ro=$2 tmp=$3 user=$4; shift 4
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$t/etc,workdir=$t/work" /etc || exit 99
if [ "$tmp" = 1 ]; then mount -t tmpfs -o mode=1777 tmpfs /run || exit 99
else mount -t tmpfs -o mode=0755 tmpfs /run && mount -o remount,ro /run || exit 99; fi
if [ "$ro" = 1 ]; then mount -o remount,ro /etc || exit 99; fi
if [ -n "$user" ]; then
        exec setpriv --reuid="${user%%:*}" --regid="${user#*:}" --clear-groups "$@"
fi
exec "$@"'

# svc NAME: a service that records who runs it and stays up.
svc() {
        printf 'id -u >"$T/m/%s.uid"\nexec sleep 600\n' "$1" | script "service/$1/run"
}

# The command of most tests: say where the export went, then exit 7.
# shellcheck disable=SC2016
CMD='echo "dir=${CONTRAINER_ENV_DIR-unset} foo=$FOO uid=$(id -u)"; exit 7'

@test "root, writable /etc: the export goes to /etc, one line says so, CONTRAINER_ENV_DIR names it" {
        FOO=bar hns -- sh -c "$CMD"
        echo "$output"
        [ "$status" -eq 7 ]
        [[ "$output" == *"dir=/etc/container_environment foo=bar uid=0"* ]]
        [ "$(grep -c 'exporting the environment to /etc/container_environment' <<<"$output")" -eq 1 ]
        [ "$(cat "$T/etc/container_environment/FOO")" = bar ]
}

@test "read-only root without a writable /run: no export, one line, the command runs with the same status" {
        FOO=bar hns ro -- sh -c "$CMD"
        echo "$output"
        [ "$status" -eq 7 ]
        [[ "$output" == *"dir=unset foo=bar uid=0"* ]]
        [ "$(grep -c 'not exporting the environment to files' <<<"$output")" -eq 1 ]
        [ ! -e "$T/etc/container_environment" ]
}

@test "read-only root with a tmpfs /run: the export goes to /run/contrainer, boot scripts change it there" {
        # shellcheck disable=SC2016
        echo 'echo baz >"$CONTRAINER_ENV_DIR/FOO"' | script boot.d/10_env
        FOO=bar hns ro tmpfs -- sh -c "$CMD"' ; ls -ld /run/contrainer | cut -c1-10; cat /run/contrainer/container_environment.sh'
        echo "$output"
        [ "$status" -eq 7 ]
        [[ "$output" == *"dir=/run/contrainer/container_environment foo=baz uid=0"* ]] || \
                [[ "$output" == *"dir=/run/contrainer/container_environment foo=baz uid=0"* ]]
        [ "$(grep -c 'exporting the environment to .*/run/contrainer/container_environment' <<<"$output")" -eq 1 ]
}

@test "another user (no passwd entry) with a tmpfs /run: export in /run/contrainer, services run as that user" {
        svc one
        ln -s /run/runit/supervise/one "$T/etc/service/one/supervise"
        # shellcheck disable=SC2016
        hns tmpfs user 123456:123456 -- sh -c 'd=$(( $(date +%s) + 10 ))
                until [ -s "$T/m/one.uid" ]; do [ "$(date +%s)" -lt "$d" ] || exit 9; sleep 0.05; done
                '"$CMD"
        echo "$output"
        [ "$status" -eq 7 ]
        [[ "$output" == *"dir=/run/contrainer/container_environment foo= uid=123456"* ]]
        [ "$(cat "$T/m/one.uid")" = 123456 ]
        no_line 'services will not run' <<<"$output"
}

@test "another user without a writable /run: one line each for the export and the services, the command still runs" {
        svc one
        ln -s /run/runit/supervise/one "$T/etc/service/one/supervise"
        FOO=bar hns user 1000:1000 -- sh -c "$CMD"
        echo "$output"
        [ "$status" -eq 7 ]
        [[ "$output" == *"dir=unset foo=bar uid=1000"* ]]
        [ "$(grep -c 'services will not run: runit cannot keep its state in .*/run/runit' <<<"$output")" -eq 1 ]
        [ "$(grep -c 'not exporting the environment to files' <<<"$output")" -eq 1 ]
        [ ! -e "$T/m/one.uid" ]
}

@test "user 1000:1000 on a read-only root with a tmpfs /run: same status, service runs as 1000" {
        svc one
        ln -s /run/runit/supervise/one "$T/etc/service/one/supervise"
        # shellcheck disable=SC2016
        hns ro tmpfs user 1000:1000 -- sh -c 'd=$(( $(date +%s) + 10 ))
                until [ -s "$T/m/one.uid" ]; do [ "$(date +%s)" -lt "$d" ] || exit 9; sleep 0.05; done
                '"$CMD"
        echo "$output"
        [ "$status" -eq 7 ]
        [ "$(cat "$T/m/one.uid")" = 1000 ]
}

@test "a runtime directory that is a symbolic link is refused: one line, status 1, nothing written through it" {
        mkdir "$T/elsewhere"
        ln -s "$T/elsewhere" "$T/rt"
        CONTRAINER_RUNTIME_DIR=$T/rt hns ro -- sh -c 'echo command ran'
        echo "$output"
        [ "$status" -eq 1 ]
        [ "$(grep -c "runtime directory '$T/rt' refused (a symbolic link)" <<<"$output")" -eq 1 ]
        no_line 'command ran' <<<"$output"
        [ -z "$(ls -A "$T/elsewhere")" ]
}

@test "a runtime directory owned by another user is refused: one line, status 1, nothing written in it" {
        mkdir -m 0777 "$T/rt"
        chown 1000:1000 "$T/rt"
        CONTRAINER_RUNTIME_DIR=$T/rt hns ro -- sh -c 'echo command ran'
        echo "$output"
        [ "$status" -eq 1 ]
        [ "$(grep -c "runtime directory '$T/rt' refused (owned by another user)" <<<"$output")" -eq 1 ]
        [ -z "$(ls -A "$T/rt")" ]
}

@test "a relative CONTRAINER_RUNTIME_DIR is a usage error (exit 2)" {
        CONTRAINER_RUNTIME_DIR=rel hns ro -- true
        [ "$status" -eq 2 ]
        [[ "$output" == *"CONTRAINER_RUNTIME_DIR must be an absolute path"* ]]
}

@test "inherited descriptors above 2 reach COMMAND only, not boot scripts or services" {
        # shellcheck disable=SC2016
        echo 'ls /proc/self/fd >"$T/m/boot.fds"; echo "${LISTEN_FDS-unset}" >"$T/m/boot.listen"' | script boot.d/10_fds
        # shellcheck disable=SC2016
        printf 'ls /proc/self/fd >"$T/m/svc.fds"\nexec sleep 600\n' | script service/one/run
        # shellcheck disable=SC2016
        exec 7<"$T/etc/boot.d/10_fds"
        hns -- sh -c 'd=$(( $(date +%s) + 10 ))
                until [ -s "$T/m/svc.fds" ]; do [ "$(date +%s)" -lt "$d" ] || exit 9; sleep 0.05; done
                test -e /proc/self/fd/7 && echo cmd-has-7'
        exec 7<&-
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *cmd-has-7* ]]
        grep -qx 0 "$T/m/boot.fds"
        no_line -x 7 "$T/m/boot.fds"
        no_line -x 7 "$T/m/svc.fds"
}

# The helper that passes and accepts a socket (tests/helpers/listen_fds.c).
listen_helper() {
        cc -O1 -o "$T/m/listen_fds" "$BATS_TEST_DIRNAME/../helpers/listen_fds.c"
}

@test "socket activation: LISTEN_FDS=1 reaches COMMAND with LISTEN_PID = its pid, and it accepts on fd 3" {
        listen_helper
        # shellcheck disable=SC2016
        echo 'echo "${LISTEN_FDS-unset} ${LISTEN_PID-unset}" >"$T/m/boot.listen"' | script boot.d/10_l
        local act=("$T/m/listen_fds" serve "$T/m/sock")
        if command -v systemd-socket-activate >/dev/null; then
                act=(systemd-socket-activate -E T -l "$T/m/sock")
        fi
        ( "${act[@]}" unshare --pid --fork --kill-child --mount-proc --propagation private \
                sh -c "$HNS_SCRIPT" sh "$T" 0 0 "" "$CONTRAINER" init -- "$T/m/listen_fds" accept \
                >"$T/out" 2>&1; echo "$?" >"$T/m/status" ) &
        UPID=$!
        wait_for 10 test -S "$T/m/sock"
        run timeout 20 "$T/m/listen_fds" connect "$T/m/sock"
        echo "$output"
        wait_for 20 test -s "$T/m/status" || { cat "$T/out"; ps -ef --forest | grep -B2 -A5 listen_fds; false; }
        cat "$T/out"
        [ "$status" -eq 0 ]
        [[ "$output" =~ ^pid=[0-9]+$ ]]
        wait_for 20 test -s "$T/m/status"
        cat "$T/out"
        [ "$(cat "$T/m/status")" = 0 ]
        [ "$(cat "$T/m/boot.listen")" = "unset unset" ]
        UPID=
}

@test "a critical service that exits ends a services-only container with its status" {
        # shellcheck disable=SC2016
        printf 'echo up >>"$T/m/crit"\ni=0\nuntil [ -s "$T/m/other.uid" ] || [ "$i" -gt 200 ]; do i=$((i + 1)); sleep 0.05; done\nexit 3\n' |
                script service/crit/run
        touch "$T/etc/service/crit/critical"
        svc other
        # runsvdir sees the other services through links in the runtime
        # directory (/run/contrainer/service), so /run must be writable.
        hns tmpfs --
        echo "$output"
        [ "$status" -eq 3 ]
        [ "$(grep -c "critical service '/etc/service/crit' ended with status 3" <<<"$output")" -eq 1 ]
        [ "$(wc -l <"$T/m/crit")" -eq 1 ]  # not restarted
        [ -s "$T/m/other.uid" ]            # the other services ran under runsv
}

@test "a critical service killed by a signal: 128+N; the command is stopped, the status is the service's" {
        printf 'sleep 0.3\nkill -USR1 $$\n' | script service/crit/run
        touch "$T/etc/service/crit/critical"
        hns -- sleep 30
        echo "$output"
        [ "$status" -eq 138 ]
}

@test "docker stop of a services-only container with a critical service: 0, as without" {
        printf 'exec sleep 600\n' | script service/crit/run
        touch "$T/etc/service/crit/critical"
        hns_bg
        wait_for 10 grep -q 'starting critical service' "$T/out"
        kill -TERM "$INIT_PID"
        wait_init 20
        cat "$T/out"
        [ "$INIT_STATUS" -eq 0 ]
}

@test "stopping a container whose command runs, with a critical service: 143 from the command, as today" {
        printf 'exec sleep 600\n' | script service/crit/run
        touch "$T/etc/service/crit/critical"
        hns_bg -- sleep 600
        wait_for 10 grep -q 'running command' "$T/out"
        kill -TERM "$INIT_PID"
        wait_init 20
        [ "$INIT_STATUS" -eq 143 ]
}

@test "a critical service without a run file: one line, status 127" {
        mkdir -p "$T/etc/service/ghost"
        touch "$T/etc/service/ghost/critical"
        hns -- sleep 30
        echo "$output"
        [ "$status" -eq 127 ]
        [ "$(grep -c "cannot run critical service '/etc/service/ghost'" <<<"$output")" -eq 1 ]
}

@test "shutdown scripts get CONTRAINER_EXIT_STATUS: the command's, a critical service's" {
        # shellcheck disable=SC2016
        echo 'echo "$CONTRAINER_EXIT_STATUS" >>"$T/m/exit"' | script shutdown.d/10_s
        # shellcheck disable=SC2016
        echo 'echo "post $CONTRAINER_EXIT_STATUS" >>"$T/m/exit"' | script my_init.post_shutdown.d/10_p
        hns -- sh -c 'exit 5'
        [ "$status" -eq 5 ]
        printf 'exit 4\n' | script service/crit/run
        touch "$T/etc/service/crit/critical"
        hns --
        [ "$status" -eq 4 ]
        [ "$(tr '\n' '|' <"$T/m/exit")" = "5|post 5|4|post 4|" ]
}

# stubborn NAME: a service that takes 1.2 s to stop after TERM.
stubborn() {
        # shellcheck disable=SC2016
        printf 'trap "sleep 1.2; echo clean >>\\"\\$T/m/%s\\"; exit 0" TERM\necho up >>"$T/m/%s.up"\nwhile :; do sleep 0.05; done\n' "$1" "$1" |
                script "service/$1/run"
}

@test "timeout-kill shorter than KILL_PROCESS_TIMEOUT: that service is killed at its own grace" {
        stubborn slow
        echo 200 >"$T/etc/service/slow/timeout-kill"
        local t0
        t0=$(now_ms)
        # shellcheck disable=SC2016
        KILL_PROCESS_TIMEOUT=5 KILL_ALL_PROCESSES_TIMEOUT=0.2 hns -- sh -c 'd=$(( $(date +%s) + 10 ))
                until [ -s "$T/m/slow.up" ]; do [ "$(date +%s)" -lt "$d" ] || exit 9; sleep 0.05; done'
        echo "$output"
        [ "$status" -eq 0 ]
        [ $(( $(now_ms) - t0 )) -lt 3000 ]
        [ ! -e "$T/m/slow" ]  # killed before its trap finished
        [[ "$output" == *"service '/etc/service/slow' did not stop in time, killing it"* ]]
}

@test "timeout-kill longer than KILL_PROCESS_TIMEOUT: that service gets its time and stops cleanly" {
        stubborn slow
        echo 3000 >"$T/etc/service/slow/timeout-kill"
        # shellcheck disable=SC2016
        KILL_PROCESS_TIMEOUT=0.3 KILL_ALL_PROCESSES_TIMEOUT=0.2 hns -- sh -c 'd=$(( $(date +%s) + 10 ))
                until [ -s "$T/m/slow.up" ]; do [ "$(date +%s)" -lt "$d" ] || exit 9; sleep 0.05; done'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$(cat "$T/m/slow")" = clean ]
        no_line 'did not stop in time' <<<"$output"
}

@test "a timeout-kill that is not a number: one line, KILL_PROCESS_TIMEOUT applies" {
        stubborn slow
        echo 'soon' >"$T/etc/service/slow/timeout-kill"
        # shellcheck disable=SC2016
        KILL_PROCESS_TIMEOUT=0.3 KILL_ALL_PROCESSES_TIMEOUT=0.2 hns -- sh -c 'd=$(( $(date +%s) + 10 ))
                until [ -s "$T/m/slow.up" ]; do [ "$(date +%s)" -lt "$d" ] || exit 9; sleep 0.05; done'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$(grep -c "timeout-kill 'soon' is not a number of milliseconds" <<<"$output")" -eq 1 ]
        [[ "$output" == *"service '/etc/service/slow' did not stop in time, killing it"* ]]
        [ ! -e "$T/m/slow" ]
}

@test "a critical service's timeout-kill bounds its stop too" {
        # shellcheck disable=SC2016
        printf 'trap "" TERM\necho up >"$T/m/c.up"\nwhile :; do sleep 0.05; done\n' | script service/crit/run
        touch "$T/etc/service/crit/critical"
        echo 300 >"$T/etc/service/crit/timeout-kill"
        local t0
        t0=$(now_ms)
        # shellcheck disable=SC2016
        KILL_PROCESS_TIMEOUT=5 KILL_ALL_PROCESSES_TIMEOUT=0.2 hns -- sh -c 'd=$(( $(date +%s) + 10 ))
                until [ -s "$T/m/c.up" ]; do [ "$(date +%s)" -lt "$d" ] || exit 9; sleep 0.05; done'
        echo "$output"
        [ "$status" -eq 0 ]
        [ $(( $(now_ms) - t0 )) -lt 3000 ]
        [[ "$output" == *"critical service '/etc/service/crit' did not stop in time, killing it"* ]]
}

@test "L5: a boot script writing a 200 KiB value does not break later execs" {
        # shellcheck disable=SC2016
        echo 'head -c 204800 /dev/zero | tr "\0" x >/etc/container_environment/BIG' | script boot.d/10_big
        echo 'echo second ran >&2' | script boot.d/20_next
        printf 'echo svc ran >"$T/m/svc"\nexec sleep 600\n' | script service/one/run
        # shellcheck disable=SC2016
        hns -- sh -c 'd=$(( $(date +%s) + 10 ))
                until [ -s "$T/m/svc" ]; do [ "$(date +%s)" -lt "$d" ] || exit 9; sleep 0.05; done
                echo "big=${#BIG}"'
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"second ran"* ]]
        [[ "$output" == *"big=0"* ]]
        [[ "$output" == *"not loading /etc/container_environment/'BIG': File too large"* ]]
}
