# shellcheck shell=bash
# Helpers for the black-box suites of `contrainer watch` (tests/bats/2x, 3x).
#
# Every test drives the real binary ($CONTRAINER) on the host against a real
# Docker Engine.  Isolation from whatever else uses that Engine:
# - every container, image and volume is named with CTR_P (unique per file
#   run) and removed in teardown/teardown_file, even after a failure;
# - test containers get their scripts bind-mounted at CTR_SD (a directory
#   named after CTR_P, passed as --script-dir), so no other controller on the
#   machine collects them, and ours collects nobody else's;
# - markers: a host directory M bind-mounted at /m in every container
#   (environment M=/m there, M=$M in the controller's environment), so bodies
#   on containers and on %contrainer write to the same files with "$M/...".
# Usage in a .bats file:
#   load watch_helpers
#   setup_file() { watch_setup_file; }   teardown_file() { watch_teardown_file; }
#   setup() { watch_setup; }             teardown() { watch_teardown; }

# shellcheck source=tests/lib/dockerd.sh
. "$BATS_TEST_DIRNAME/../lib/dockerd.sh"
# shellcheck source=tests/lib/engines.sh
. "$BATS_TEST_DIRNAME/../lib/engines.sh"

WATCH_IMAGE=ctrtest/busybox:latest
# PID 1 of every test container: exits at once on SIGTERM (a bare `sleep` as
# PID 1 ignores TERM and would make every `docker stop` wait for its timeout).
WATCH_CMD=(sh -c 'trap "exit 0" TERM; sleep 600 & wait')

# ---- file and test set-up --------------------------------------------------

# Each file runs against an Engine of its own by default: a private dockerd
# (see pd_start), so that nothing else on the machine's Engine (other test
# runs, other controllers) adds events to ours, and our %all bodies and
# controllers never touch anyone else's containers.  DOCKER_HOST names it, for
# the docker CLI and for the controller (its default socket).
# CTR_WATCH_ENGINE=main runs against the machine's Engine instead.
watch_setup_file() {
        local base
        base=$(basename "$BATS_TEST_FILENAME" .bats)
        export CTR_P="ctrtest-${base%%-*}-$$"
        export CTR_SD="/$CTR_P-scripts"
        if [ "${CTR_WATCH_ENGINE:-private}" = private ]; then
                pd_init "$BATS_FILE_TMPDIR"
                pd_start
                export DOCKER_HOST="unix://$PD_SOCK"
        fi
        export CTR_DOCKER_HOST=${DOCKER_HOST:-}
        busybox_image "$WATCH_IMAGE"
}

watch_teardown_file() {
        watch_remove_objects
        pd_cleanup "$BATS_FILE_TMPDIR"
}

watch_setup() {
        [ -x "$CONTRAINER" ] || { echo "CONTRAINER=$CONTRAINER is not an executable" >&2; return 1; }
        T=$BATS_TEST_TMPDIR
        M=$T/m
        N="$CTR_P-$BATS_TEST_NUMBER"
        CTL_PID=
        CTL_LOG=$T/ctl.log
        mkdir -p "$M" "$T/s" "$T/state"
        chmod 777 "$M"
        # A rootless engine's containers (its user) must reach the bind
        # sources under the test's directory.
        if engine_rootless; then
                local d=$T
                while [ "$d" != / ] && [ "$d" != /tmp ]; do
                        chmod o+x "$d"
                        d=$(dirname "$d")
                done
        fi
        : >"$CTL_LOG"
        : >"$T/pids"
}

watch_teardown() {
        local pid
        if [ -f "$T/pids" ]; then
                while read -r pid; do
                        [ -n "$pid" ] || continue
                        kill -KILL "$pid" 2>/dev/null || true
                done <"$T/pids"
        fi
        watch_remove_objects "$N-"
        # Containers a test made on the machine's own Engine (see main_docker).
        if [ -f "$T/main.rm" ]; then
                while read -r pid; do
                        env -u DOCKER_HOST docker rm -f -v "$pid" >/dev/null 2>&1 || true
                done <"$T/main.rm"
        fi
        if [ -n "${BATS_TEST_COMPLETED:-}" ]; then
                return 0
        fi
        # The test failed: show what the controller said.
        echo "---- controller log ($CTL_LOG, last 60 lines) ----"
        tail -n 60 "$CTL_LOG" 2>/dev/null || true
        echo "---- markers ----"
        (cd "$M" 2>/dev/null && for f in *; do [ -f "$f" ] && { echo "== $f"; head -n 20 -- "$f"; }; done) || true
}

# Remove every container, image and volume whose name starts with PREFIX
# (default CTR_P-, i.e. everything this file created) on the Engine that
# DOCKER_HOST names.
watch_remove_objects() {
        local prefix=${1:-$CTR_P-} ids
        ids=$(docker ps -a --format '{{.ID}} {{.Names}}' 2>/dev/null |
                awk -v p="$prefix" 'index($2, p) == 1 { print $1 }')
        # shellcheck disable=SC2086 # ids are hex words
        [ -z "$ids" ] || docker rm -f -v $ids >/dev/null 2>&1 || true
        [ "$prefix" = "$CTR_P-" ] || return 0
        ids=$(docker images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null |
                awk -v p="$prefix" 'index($1, p) == 1')
        # shellcheck disable=SC2086
        [ -z "$ids" ] || docker rmi -f $ids >/dev/null 2>&1 || true
        ids=$(docker volume ls -q 2>/dev/null | awk -v p="$prefix" 'index($1, p) == 1')
        # shellcheck disable=SC2086
        [ -z "$ids" ] || docker volume rm -f $ids >/dev/null 2>&1 || true
}

# ---- scripts and containers ------------------------------------------------

# reg SHORT SCRIPT HEADER BODY: an executable script SCRIPT in the script dir
# of container SHORT (see crun) whose output is HEADER, a newline and BODY,
# byte for byte (a quoted here-document: nothing in them is expanded).
reg() {
        local dir="$T/s/$1" f
        f="$dir/$2"
        mkdir -p "$dir"
        {
                printf '#!/bin/sh\n'
                printf "cat <<'CTR_EOF'\n"
                printf '%s\n%s\n' "$3" "$4"
                printf 'CTR_EOF\n'
        } >"$f.tmp"
        chmod 755 "$f.tmp"
        mv -f "$f.tmp" "$f"
}

# raw_script SHORT SCRIPT TEXT: SCRIPT (mode 755) in SHORT's script dir is TEXT.
raw_script() {
        mkdir -p "$T/s/$1"
        printf '%s\n' "$3" >"$T/s/$1/$2.tmp"
        chmod 755 "$T/s/$1/$2.tmp"
        mv -f "$T/s/$1/$2.tmp" "$T/s/$1/$2"
}

# ours BODY: BODY, run only when the event's source is one of this file's
# containers.  An entry with events fires for every container on the Engine,
# and other test runs may share it.
ours() {
        # shellcheck disable=SC2016 # the body is expanded where it runs
        printf 'case "$CONTRAINER_SOURCE_NAME" in %s-*)\n%s\n;; esac' "$CTR_P" "$1"
}

# A body that appends "EVENT SOURCE TARGET" to $M/FILE (for this file's
# sources only).
mark() {
        # shellcheck disable=SC2016 # the body is expanded where it runs
        ours "$(printf 'echo "$CONTRAINER_EVENT $CONTRAINER_SOURCE_NAME $CONTRAINER_TARGET" >>"$M/%s"' "$1")"
}

# crun SHORT [DOCKER RUN OPTIONS...]: run container $N-SHORT (detached, no
# network) with its script dir $T/s/SHORT (or $CRUN_SCRIPTS) and the markers.
# CRUN_IMAGE / CRUN_CMD (a string for sh -c) override image and command.
crun() {
        local short=$1 sdir
        shift
        sdir=${CRUN_SCRIPTS:-$T/s/$short}
        mkdir -p "$sdir"
        if [ -n "${CRUN_CMD:-}" ]; then
                docker run -d --network none --name "$N-$short" \
                        -v "$sdir:$CTR_SD:ro" -v "$M:/m" -e M=/m "$@" \
                        "${CRUN_IMAGE:-$WATCH_IMAGE}" sh -c "$CRUN_CMD" >/dev/null
        else
                docker run -d --network none --name "$N-$short" \
                        -v "$sdir:$CTR_SD:ro" -v "$M:/m" -e M=/m "$@" \
                        "${CRUN_IMAGE:-$WATCH_IMAGE}" "${WATCH_CMD[@]}" >/dev/null
        fi
}

# overflow_events CONTAINER: 120 execs in CONTAINER, 10 at a time (360
# events): more than the Engine's ring of 256 keeps, so what came before
# is no longer replayed.
overflow_events() {
        local round j pids
        for round in 1 2 3 4 5 6 7 8 9 10 11 12; do
                pids=()
                for j in 1 2 3 4 5 6 7 8 9 10; do
                        timeout 30 docker exec "$1" true "$round" &
                        pids+=($!)
                done
                for j in "${pids[@]}"; do wait "$j"; done
        done
}

# ccreate SHORT [OPTIONS...]: as crun, created but not started.
ccreate() {
        local short=$1
        shift
        mkdir -p "$T/s/$short"
        docker create --network none --name "$N-$short" \
                -v "$T/s/$short:$CTR_SD:ro" -v "$M:/m" -e M=/m "$@" \
                "$WATCH_IMAGE" "${WATCH_CMD[@]}" >/dev/null
}

cid() { docker inspect -f '{{.Id}}' "$1"; }

# main_run SHORT: as crun, on the machine's own Engine (/var/run/docker.sock),
# removed in teardown.
main_run() {
        mkdir -p "$T/s/$1"
        echo "$N-$1" >>"$T/main.rm"
        env -u DOCKER_HOST docker run -d --network none --name "$N-$1" \
                -v "$T/s/$1:$CTR_SD:ro" -v "$M:/m" -e M=/m \
                "$WATCH_IMAGE" "${WATCH_CMD[@]}" >/dev/null
}

# ---- the controller ---------------------------------------------------------

# ctl_start [OPTIONS...]: start `contrainer watch` in the background on the
# host with this test's state dir, script dir and log; CTL_PID is its PID
# (also recorded for teardown); --exec-timeout 20 and --sysimage (a directory
# without proc) unless given.  CTL_ENV (array) is prepended to its
# environment; CTL_WRAP (array) runs it under a wrapper (valgrind).
ctl_start() {
        local extra=()
        case " $* " in *" --exec-timeout "*) ;; *) extra+=(--exec-timeout 20) ;; esac
        # %host never reaches the machine itself: unless the test names a
        # system image, give one without a proc (%host bodies fail there).
        case " $* ${CTL_ENV[*]+${CTL_ENV[*]}} " in
        *" --sysimage "* | *" SYSIMAGE="*) ;;
        *) extra+=(--sysimage "$T/no-sysimage") ;;
        esac
        env M="$M" ${CTL_ENV[@]+"${CTL_ENV[@]}"} ${CTL_WRAP[@]+"${CTL_WRAP[@]}"} \
                "$CONTRAINER" watch --state-dir "$T/state" --script-dir "$CTR_SD" \
                "${extra[@]}" "$@" \
                </dev/null >>"$T/ctl.out" 2>>"$CTL_LOG" 3>&- &
        CTL_PID=$!
        echo "$CTL_PID" >>"$T/pids"
        # Other engines answer start-up more slowly than Docker 20.10 (Podman
        # reads its event log for the replay): the suites start containers
        # right after this, as if the controller were subscribed already.
        # Wait until it is (or says why not), as ctl_ready would.
        case "${CTR_ENGINE:-docker20}" in
        docker20) ;;
        *) CTL_MAY_EXIT=1 wait_for "the controller's start-up" 60 ctl_started ;;
        esac
}
# Connected, or failed for another reason than a slow answer (a missing or
# wrong socket is what such a test meant; "timed out" is waited out).
ctl_started() {
        grep -qE "watching |reconnected to|error:" "$CTL_LOG" ||
                grep -F "lost the Docker Engine" "$CTL_LOG" | grep -qvF "timed out"
}
CTL_ENV=()

# Is the controller running (not exited, not a zombie waiting to be reaped)?
ctl_alive() {
        local st
        [ -n "$CTL_PID" ] && st=$(ps -o stat= -p "$CTL_PID") && [ "${st:0:1}" != Z ]
}

# ctl_stop [SIGNAL]: signal the controller (TERM), wait for it (20 s, then
# KILL; CTL_STOP_WAIT overrides the 20 s); CTL_RC is its exit status.
# shellcheck disable=SC2034 # CTL_RC is read by the tests
ctl_stop() {
        local sig=${1:-TERM} secs=${CTL_STOP_WAIT:-20}
        [ -n "$CTL_PID" ] || return 0
        kill "-$sig" "$CTL_PID" 2>/dev/null || true
        if ! wait_until "$secs" ctl_exited; then
                echo "controller $CTL_PID did not exit within $secs s of SIG$sig" >&2
                kill -KILL "$CTL_PID" 2>/dev/null || true
        fi
        CTL_RC=0
        wait "$CTL_PID" || CTL_RC=$?
        CTL_PID=
}
ctl_exited() { ! ctl_alive; }

# ctl_ready [SHORT]: start a container (default "ready") whose blank-header
# registration writes $M/SHORT.ready, and wait for it: from then on the
# controller is subscribed to events and serving.
ctl_ready() {
        local short=${1:-ready}
        reg "$short" 00-ready "" "$(mark "$short.ready")"
        crun "$short"
        wait_for "controller serving ($short.ready)" 30 test -s "$M/$short.ready"
}

# ---- waiting and asserting --------------------------------------------------

# wait_for DESCRIPTION SECONDS CMD... (helpers.bash): fails with DESCRIPTION
# at the deadline (teardown shows the controller's log), or at once when the
# controller has exited meanwhile (unless CTL_MAY_EXIT=1):
# shellcheck source=tests/bats/helpers.bash
. "$(dirname "${BASH_SOURCE[0]}")/helpers.bash"
wait_for_abort() {
        if [ -n "$CTL_PID" ] && [ -z "${CTL_MAY_EXIT:-}" ] && ! ctl_alive; then
                echo "controller exited while waiting for: $1" >&2
                return 0
        fi
        return 1
}

# Number of lines of FILE (0 when missing).
nlines() { if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }
has_lines() { [ "$(nlines "$1")" -ge "$2" ]; }
has_line() { [ -f "$1" ] && grep -qxF -- "$2" "$1"; }
log_has() { grep -qF -- "$1" "$CTL_LOG"; }

# wait_lines FILE N [SECONDS]: wait until FILE has at least N lines.
wait_lines() { wait_for "$1 to have $2 line(s)" "${3:-30}" has_lines "$1" "$2"; }
# wait_line FILE LINE [SECONDS]: wait until FILE has the exact line LINE.
wait_line() { wait_for "line '$2' in $1" "${3:-30}" has_line "$1" "$2"; }
# wait_log TEXT [SECONDS]: wait until the controller's log contains TEXT.
wait_log() { wait_for "'$1' in the controller log" "${3:-30}" log_has "$1"; }

# expect_file FILE EXPECTED: FILE's content is exactly EXPECTED (+ newline).
expect_file() {
        local got
        got=$(cat "$1" 2>/dev/null) || got="<missing>"
        if [ "$got" != "$2" ]; then
                printf 'unexpected content of %s\n--- expected\n%s\n--- got\n%s\n' "$1" "$2" "$got" >&2
                return 1
        fi
}

# expect_absent FILE: FILE does not exist.
expect_absent() {
        if [ -e "$1" ]; then
                printf '%s should not exist; it holds:\n' "$1" >&2
                head -n 20 "$1" >&2
                return 1
        fi
}

# Lines of the controller log that contain every one of the given strings.
log_grep() {
        local f=$CTL_LOG s
        local out
        out=$(cat "$f")
        for s in "$@"; do
                out=$(printf '%s\n' "$out" | grep -F -- "$s") || return 1
        done
        printf '%s\n' "$out"
}
log_count() { log_grep "$@" | grep -c . || true; }

# refute CMD...: fail when CMD succeeds (a bare `! CMD` never fails a bats test).
refute() {
        if "$@"; then
                echo "unexpectedly true: $*" >&2
                return 1
        fi
}

# ---- a private dockerd (daemon restart tests; never the main one) ----------

# pd_init [RECDIR]: choose the private daemon's directory PD (short: unix
# socket paths are limited to 108 bytes) and socket PD_SOCK; nothing is
# started.  RECDIR (default $T) records its directories and PIDs for pd_cleanup.
pd_init() {
        PD_REC=${1:-$T}
        PD=$(mktemp -d "${CTR_PD_PREFIX:-/tmp/ctrtest-pd}.XXXXXX")
        PD_SOCK=$PD/d.sock
        echo "$PD" >>"$PD_REC/pd.dirs"
}

pd_ping() { curl -fsS --max-time 2 --unix-socket "$PD_SOCK" http://localhost/_ping >/dev/null 2>&1; }

# pd_start: start the private Engine (CTR_ENGINE's daemon, see
# tests/lib/engines.sh; dockerd by default) and wait for /_ping.
pd_start() {
        rm -f "$PD/pid"
        engine_start || { tail -n 20 "$PD/log" >&2; return 1; }
        echo "$PD_PID" >>"$PD_REC/pd.pids"
        if ! wait_until 60 pd_ping; then
                echo "private dockerd did not answer; its log:" >&2
                tail -n 20 "$PD/log" >&2
                return 1
        fi
}

# pd_stop: stop the private dockerd (TERM, as a service manager would) and
# wait until it is gone, with its children: rootless Podman serves from a
# child it re-executes in its user namespace, which may outlive the parent
# for a moment and keep serving the open event streams.
pd_stop() {
        [ -n "${PD_PID:-}" ] || return 0
        local kids
        kids=$(pgrep -P "$PD_PID" || true)
        kill -TERM "$PD_PID" 2>/dev/null || true
        if ! wait_until 40 pd_gone "$PD_PID" $kids; then
                # shellcheck disable=SC2086 # PIDs
                kill -KILL "$PD_PID" $kids 2>/dev/null || true
                wait_until 10 pd_gone "$PD_PID" $kids || true
        fi
        wait "$PD_PID" 2>/dev/null || true
        PD_PID=
}
# pd_gone [PID...]: each PID (default PD_PID) has exited (or is a zombie).
pd_gone() {
        local st p
        for p in "${@:-$PD_PID}"; do
                if st=$(ps -o stat= -p "$p") && [ "${st:0:1}" != Z ]; then return 1; fi
        done
}

# pd_cleanup [RECDIR]: stop every private daemon recorded in RECDIR (default
# $T) and remove its files.
pd_cleanup() {
        local pid dir m rec=${1:-$T}
        if [ -f "$rec/pd.pids" ]; then
                while read -r pid; do
                        PD_PID=$pid
                        pd_gone || pd_stop
                done <"$rec/pd.pids"
        fi
        [ -f "$rec/pd.dirs" ] || return 0
        while read -r dir; do
                [ -d "$dir" ] || continue
                # Shims of a daemon that had to be killed carry its exec root;
                # Podman's conmon and pause processes are the engine's.
                engine_cleanup "$dir"
                # Mounts left by a killed daemon: detach them before removing.
                awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
                        while read -r m; do umount -l "$m" 2>/dev/null || true; done
                rm -rf "$dir"
        done <"$rec/pd.dirs"
}

# Conditions for wait_for (evaluated on every poll, unlike a "$(...)" argument).
# grep_ge N FILE GREP-ARGS...: at least N lines of FILE match.
grep_ge() {
        local n=$1 f=$2
        shift 2
        [ -f "$f" ] && [ "$(grep -c "$@" -- "$f")" -ge "$n" ]
}
# log_count_ge N STRINGS...: at least N log lines contain all STRINGS.
log_count_ge() {
        local n=$1
        shift
        [ "$(log_count "$@")" -ge "$n" ]
}
# dir_has_file DIR: DIR holds at least one regular file.
dir_has_file() { [ -n "$(find "$1" -type f 2>/dev/null)" ]; }

# ---- a stand-in host ---------------------------------------------------------
# standin_start: a process in its own PID and mount namespace (PID 1 a sleep
# with CTR_STANDIN=${STANDIN_VALUE:-1}, HOSTDIR a tmpfs only it sees), whose
# proc is mounted at $SYSIMAGE/proc, for %host bodies without the real host;
# standin_stop ends it.  Its PIDs go to $T/pids.
standin_start() {
        SYSIMAGE=$T/sysimage
        mkdir -p "$SYSIMAGE/proc" "$T/hostdir"
        echo outside >"$T/hostdir/which"
        unshare --pid --mount --fork --propagation private \
                sh -c 'mount -t tmpfs ctrtest "$1" && echo inside >"$1/which" &&
                       exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin M="$2" HOSTDIR="$1" \
                            CTR_STANDIN="$3" sleep 600' \
                sh "$T/hostdir" "$M" "${STANDIN_VALUE:-1}" \
                </dev/null >"$T/standin.log" 2>&1 3>&- &
        STANDIN_UNSHARE=$!
        echo "$STANDIN_UNSHARE" >>"$T/pids"
        wait_for "the stand-in's sleep" 10 standin_found
        echo "$STANDIN_PID" >>"$T/pids"
        nsenter --target "$STANDIN_PID" --pid -- mount -t proc ctrtest-proc "$SYSIMAGE/proc"
        STANDIN_MOUNTED=1
        # The proc at $SYSIMAGE/proc shows the stand-in's namespace: PID 1 is its sleep.
        [ "$(tr '\0' ' ' <"$SYSIMAGE/proc/1/cmdline")" = "sleep 600 " ]
        grep -qz '^CTR_STANDIN=' "$SYSIMAGE/proc/1/environ"
        [ "$(cat "$T/hostdir/which")" = outside ]
}

standin_found() {
        local p
        p=$(pgrep -P "$STANDIN_UNSHARE" | head -n 1) || return 1
        [ -n "$p" ] && tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -q '^CTR_STANDIN=' || return 1
        STANDIN_PID=$p
}

standin_stop() {
        if [ -n "${STANDIN_MOUNTED:-}" ]; then
                umount -l "$SYSIMAGE/proc" 2>/dev/null || true
                STANDIN_MOUNTED=
        fi
        # PID 1 of a namespace only dies of SIGKILL from outside.
        [ -z "${STANDIN_PID:-}" ] || kill -KILL "$STANDIN_PID" 2>/dev/null || true
        STANDIN_PID=
}
