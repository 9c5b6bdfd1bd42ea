#!/bin/bash
# Label hooks and registrations at scale (run by run.sh; writes to
# $BENCH_RESULTS; docs/benchmarks-events.md explains the figures).
#
#   hooks   — what a start costs when the registration comes from labels
#             (contrainer.hook.NAME.on/.run, read from the inspect) against
#             a script registration (/ctrev/10-bench, run in the container):
#             the controller's CPU per start (its own and its reaped
#             workers', utime+stime+cutime+cstime of /proc/PID/stat),
#             dockerd's CPU per start and the latency from the start event to
#             the body's stamp; the same immediate %me body in both.
#   regs    — the controller's CPU per unrelated event ("kill" events:
#             SIGWINCH to a container that holds no registration) while 10, then 200 real
#             containers hold a script registration each (paused once
#             registered), from /proc/PID/stat utime+stime and, finer, the
#             sum of its threads' /proc/PID/task/*/schedstat.
#   scale   — the same at 10 and 1,000 registrations (paused containers,
#             ~5 MB each with their shims), run only with BENCH_ONLY=scale.
#
# Everything runs on a private dockerd (data in a scratch dir, --bridge=none,
# no iptables), so that nobody else's events reach the controller and ours
# reach nobody; it and every container and image made here are removed at
# the end (trap).  Names: ctrev-PID-....
#
# Inputs (environment): CTR, HB, WORK, BENCH_RESULTS, BENCH_QUICK, EV_PARTS
# (words of: hooks regs scale).
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/lib/dockerd.sh
. "$here/../lib/dockerd.sh"
: "${CTR:?CTR names the contrainer binary}"
: "${BENCH_RESULTS:?}"
EV_PARTS=${EV_PARTS:-hooks regs}

if [ "${BENCH_QUICK:-0}" = 1 ]; then
        K=8 M=600 BIG=200 HUGE=1000
else
        K=20 M=2000 BIG=200 HUGE=1000
fi
SMALL=10
W=$WORK/events
P=ctrev-$$
MARKS=$W/marks
IMG_BASE=$P-busybox:latest
IMG=$P-bench:latest
IMG_NOS=$P-noscript:latest
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
mkdir -p "$W" "$MARKS"
ctr_pid='' pd_pid=''
PD=$(mktemp -d /tmp/ctrev.XXXXXX)
SOCK=$PD/d.sock
export DOCKER_HOST=unix://$SOCK

all_na() { # REASON
        local k
        for k in $EV_PARTS; do
                case $k in
                hooks) for m in cpu dcpu lat; do
                        na "ev.hooks_$m.label" "$1"
                        na "ev.hooks_$m.script" "$1"
                done ;;
                regs) na "ev.regs.$SMALL" "$1"; na "ev.regs.$BIG" "$1" ;;
                scale) na "ev.scale.$SMALL" "$1"; na "ev.scale.$HUGE" "$1" ;;
                esac
        done
}

stop_controller() {
        [ -n "$ctr_pid" ] || return 0
        kill -TERM "$ctr_pid" 2>/dev/null
        wait_until 30 sh -c "! kill -0 $ctr_pid 2>/dev/null" || kill -KILL "$ctr_pid" 2>/dev/null
        wait "$ctr_pid" 2>/dev/null
        ctr_pid=''
}
# shellcheck disable=SC2317 # called by the trap
cleanup() {
        local m
        stop_controller
        if [ -n "$pd_pid" ]; then
                # its containers go with it: kill them first (paused ones too)
                docker ps -aq 2>/dev/null | xargs -r -n 50 docker rm -f >/dev/null 2>&1
                kill -TERM "$pd_pid" 2>/dev/null
                wait_until 60 sh -c "! kill -0 $pd_pid 2>/dev/null" || kill -KILL "$pd_pid" 2>/dev/null
                wait "$pd_pid" 2>/dev/null
        fi
        awk -v d="$PD/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
                while read -r m; do umount -l "$m" 2>/dev/null; done
        rm -rf "$PD"
        return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the private Engine, the image ------------------------------------------------
pd_ping() { curl -fsS --max-time 2 --unix-socket "$SOCK" http://localhost/_ping >/dev/null 2>&1; }
setsid dockerd --data-root "$PD/root" --exec-root "$PD/x" --pidfile "$PD/pid" \
        -H "unix://$SOCK" --bridge=none --iptables=false --ip-masq=false \
        </dev/null >"$PD/log" 2>&1 &
pd_pid=$!
if ! wait_until 60 pd_ping; then
        all_na "private dockerd did not start: $(tail -n 1 "$PD/log" | cut -c1-100)"
        exit 0
fi
DOCKERD_PID=$pd_pid
V=v1.41
api() { # METHOD PATH [JSON]
        if [ $# -ge 3 ]; then
                curl -sS --unix-socket "$SOCK" -X "$1" -H 'Content-Type: application/json' \
                        -d "$3" "http://localhost/$V$2"
        else
                curl -sS --unix-socket "$SOCK" -X "$1" "http://localhost/$V$2"
        fi
}
ctx=$W/image
mkdir -p "$ctx"
cp "$HB/stamp" "$ctx/stamp"
# the script registration of the "hooks" part; "regs" gives its own header
# through the environment variable H (default: empty = immediate on %me)
# (NOREG=1: the script fails, so the container registers nothing)
cat >"$ctx/10-bench" <<'EOF'
#!/bin/sh
[ -z "${NOREG-}" ] || exit 1
printf '%s\n' "${H-}" "${B:-/bin/stamp >>/bench/t}"
EOF
chmod +x "$ctx/10-bench" "$ctx/stamp"
printf 'FROM %s\nCOPY stamp /bin/stamp\nCOPY 10-bench /ctrev/10-bench\n' "$IMG_BASE" >"$ctx/Dockerfile"
if ! busybox_image "$IMG_BASE" || ! docker build -q --network none -t "$IMG" "$ctx" >"$W/build.log" 2>&1; then
        all_na "cannot build the bench image: $(first_line "$W/build.log")"
        exit 0
fi

# ---- measuring ----------------------------------------------------------------------
# ctl_ticks PID: utime+stime (+ cutime+cstime with "all") of PID, in ms
ctl_ms() { # PID [all]
        awk -v hz="$CLK_TCK" -v all="${2:-}" '{ sub(/.*\) /, "");
                t = $12 + $13; if (all != "") t += $14 + $15
                printf "%.0f\n", t * 1000 / hz }' "/proc/$1/stat" 2>/dev/null
}
# sched_us PID: the sum of PID's threads' time on a CPU (schedstat), in µs
sched_us() {
        cat "/proc/$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s / 1e3 }'
}
daemon_ms() {
        cat "/proc/$DOCKERD_PID"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.2f\n", s / 1e6 }'
}
metric() { # NAME: a counter from the controller's /metrics
        curl -sS --max-time 5 --unix-socket "$W/state/status.sock" http://localhost/metrics 2>/dev/null |
                awk -v n="$1" '$1 == n { print $2; exit }'
}
metric_ge() { local v; v=$(metric "$1") && [ -n "$v" ] && [ "${v%.*}" -ge "$2" ]; }
metric_le() { local v; v=$(metric "$1") && [ -n "$v" ] && [ "${v%.*}" -le "$2" ]; }

start_controller() { # SCRIPT-DIR
        rm -rf "$W/state"
        mkdir -p "$W/state"
        "$CTR" watch --state-dir "$W/state" --script-dir "$1" --sysimage "$W/nosys" \
                --log-format json >>"$W/contrainer.log" 2>&1 &
        ctr_pid=$!
        wait_until 30 metric_ge contrainer_event_stream_up 1
}

# create NAME [LABELS-JSON] [ENV-JSON] [IMAGE]: a container of the bench
# image (or IMAGE), its own marks dir at /bench
create() {
        mkdir -p "$MARKS/$1"
        api POST "/containers/create?name=$1" \
                "{\"Image\":\"${4:-$IMG}\",\"Cmd\":[\"sleep\",\"1000000\"],\"Env\":${3:-[]},\"Labels\":${2:-{\}},\"HostConfig\":{\"NetworkMode\":\"none\",\"Binds\":[\"$MARKS/$1:/bench\"]}}" |
                grep -q '"Id"'
}
# start_all NAME...: start them, 8 requests in flight
start_all() {
        local u urls=()
        for u in "$@"; do urls+=("http://localhost/$V/containers/$u/start"); done
        curl -sS --no-progress-meter --unix-socket "$SOCK" -X POST --parallel --parallel-max 8 \
                -o /dev/null "${urls[@]}"
}
pause_all() { # pause|unpause NAME...
        local a=$1 u urls=()
        shift
        for u in "$@"; do urls+=("http://localhost/$V/containers/$u/$a"); done
        curl -sS --no-progress-meter --unix-socket "$SOCK" -X POST --parallel --parallel-max 8 \
                -o /dev/null "${urls[@]}"
}

# ---- hooks: label hook vs script registration, per start -------------------------------
hooks_part() {
        local who n i d0 c0 s t0 lat
        if ! grep -qaF 'contrainer.hook' "$CTR"; then
                for m in cpu dcpu lat; do
                        na "ev.hooks_$m.label" "label hooks are not in this contrainer"
                        na "ev.hooks_$m.script" "label hooks are not in this contrainer"
                done
                return
        fi
        # label containers: the same image without /ctrev (no script to
        # collect; the listing of the absent dir stays part of their cost)
        printf 'FROM %s\nCOPY stamp /bin/stamp\n' "$IMG_BASE" >"$ctx/Dockerfile.noscript"
        if ! docker build -q --network none -t "$IMG_NOS" -f "$ctx/Dockerfile.noscript" "$ctx" >>"$W/build.log" 2>&1; then
                for m in cpu dcpu lat; do na "ev.hooks_$m.label" "cannot build the image without script"; done
                return
        fi
        for i in $(seq 0 "$K"); do
                # the label hook carries the script's registration
                if ! create "$P-label-$i" '{"contrainer.hook.bench.on":"","contrainer.hook.bench.run":"/bin/stamp >>/bench/t"}' \
                        '[]' "$IMG_NOS" || ! create "$P-script-$i"; then
                        for m in cpu dcpu lat; do na "ev.hooks_$m.label" "cannot create containers"; done
                        return
                fi
        done
        # one controller for both; starts alternate, one at a time, so that
        # the machine's load weighs on both alike
        say "events: hooks: label hook and script registration, $K starts each, alternating"
        start_controller /ctrev
        start_all "$P-script-0" "$P-label-0"
        if ! wait_until 30 test -s "$MARKS/$P-script-0/t" || ! wait_until 30 test -s "$MARKS/$P-label-0/t"; then
                for m in cpu dcpu lat; do
                        na "ev.hooks_$m.label" "the warm-up starts dispatched nothing within 30 s ($(tail -n 1 "$W/contrainer.log" | cut -c1-100))"
                done
                stop_controller
                return
        fi
        : >"$W/hooks.script"
        : >"$W/hooks.label"
        for i in $(seq 1 "$K"); do
                for who in script label; do
                        n=$P-$who-$i
                        c0=$(ctl_ms "$ctr_pid" all) d0=$(daemon_ms) t0=$(now_ns)
                        start_all "$n"
                        wait_until 15 test -s "$MARKS/$n/t" || continue
                        # what follows the body (the worker's reaping, exec_die) counts too
                        sleep 0.25
                        s=$(head -n 1 "$MARKS/$n/t")
                        echo "$(($(ctl_ms "$ctr_pid" all) - c0)) $(awk -v a="$(daemon_ms)" -v b="$d0" 'BEGIN { print a - b }') $(awk -v a="${s: -12}" -v b="${t0: -12}" 'BEGIN { printf "%.1f", (a - b) / 1e6 }')" >>"$W/hooks.$who"
                done
        done
        stop_controller
        for who in script label; do
                if [ "$(wc -l <"$W/hooks.$who")" -lt "$K" ]; then
                        na "ev.hooks_cpu.$who" "only $(wc -l <"$W/hooks.$who") of $K starts dispatched"
                        continue
                fi
                # controller CPU: the mean (ticks of 1/CLK_TCK s are too coarse
                # for a median of single starts); dockerd and latency: medians
                lat=$(awk '{ s += $1 } END { printf "%.1f", s / NR }' "$W/hooks.$who")
                put "ev.hooks_cpu.$who" "$lat" "$lat ms"
                lat=$(awk '{ print $2 }' "$W/hooks.$who" | median)
                put "ev.hooks_dcpu.$who" "$lat" "$(fmt 1 "$lat") ms"
                lat=$(awk '{ print $3 }' "$W/hooks.$who" | median)
                put "ev.hooks_lat.$who" "$lat" "$(fmt 1 "$lat") ms"
        done
        # their registrations must not count in the parts that follow
        docker ps -aq --filter "name=^/$P-script-" --filter "name=^/$P-label-" |
                xargs -r -n 50 docker rm -f >/dev/null 2>&1
}

# ---- regs / scale: CPU per unrelated event as registrations grow ---------------------------
# noise_round NAME EVENTS: EVENTS "kill" (SIGWINCH) events of container NAME
# (which holds no registration), then wait until the controller has read
# them all: its /metrics is asked only after the last request (every 0.2 s),
# so that the status server's work stays out of the window
noise_round() {
        local n=$1 e=$2 have deadline=$((SECONDS + 120))
        have=$(metric contrainer_events_total)
        # SIGWINCH: an event ("kill") that costs the Engine no more than a
        # signal, and that the container's sleep ignores
        for _ in $(seq 1 "$e"); do
                api POST "/containers/$n/kill?signal=SIGWINCH" >/dev/null
        done
        until metric_ge contrainer_events_total $((${have%.*} + e)); do
                [ "$SECONDS" -lt "$deadline" ] || return 1
                sleep 0.2
        done
}
# measure KEY EVENTS NOISE: the controller's CPU per event over EVENTS
# unrelated events, less its idle CPU over as long a time (the timers a
# controller runs whether events come or not; the idle rate is read over
# at most 20 s)
measure() {
        local key=$1 e=$2 n=$3 c0 s0 c1 s1 i0 i1 t0 t1 t2 t3 per tick idle
        noise_round "$n" 20    # warm
        c0=$(ctl_ms "$ctr_pid") s0=$(sched_us "$ctr_pid") t0=$EPOCHREALTIME
        if ! noise_round "$n" "$e"; then
                na "$key" "the controller did not read $e events within 120 s"
                return
        fi
        c1=$(ctl_ms "$ctr_pid") s1=$(sched_us "$ctr_pid") t1=$EPOCHREALTIME
        # the idle rate over at most 20 s, times the noise's duration
        i0=$(sched_us "$ctr_pid") t2=$EPOCHREALTIME
        sleep "$(awk -v a="$t1" -v b="$t0" 'BEGIN { d = a - b; printf "%.2f", d < 20 ? d : 20 }')"
        i1=$(sched_us "$ctr_pid") t3=$EPOCHREALTIME
        idle=$(awk -v a="$i1" -v b="$i0" -v e="$e" -v d="$t1" -v c="$t0" -v y="$t3" -v x="$t2" \
                'BEGIN { printf "%.1f", (a - b) / (y - x) * (d - c) / e }')
        per=$(awk -v a="$s1" -v b="$s0" -v e="$e" -v z="$idle" 'BEGIN { printf "%.1f", (a - b) / e - z }')
        tick=$(awk -v a="$c1" -v b="$c0" -v e="$e" 'BEGIN { printf "%.1f", (a - b) * 1000 / e }')
        put "$key" "$per" "$per µs (stat utime+stime: $tick µs; idle share taken off: $idle µs) over $e events"
}
# grow TO LABELS-JSON ENV-JSON: registrars up to TO, started 8 at a time,
# registered, then paused
REGS=0
grow() {
        local to=$1 i names=()
        for i in $(seq $((REGS + 1)) "$to"); do
                create "$P-r$i" "$2" "$3" || return 1
                names+=("$P-r$i")
        done
        start_all "${names[@]}"
        # (a controller of its own: every registration it holds is ours)
        wait_until 300 metric_ge contrainer_registrations "$to" || return 1
        pause_all pause "${names[@]}"
        REGS=$to
}
regs_part() { # regs|scale SMALL BIG
        local part=$1 small=$2 big=$3 noise=$P-noise-$1
        # every registration: an entry on an event that never comes here
        # (oom), so that nothing fires while the noise runs
        local labels='{}' env='["H=%me:oom","B=true"]' sdir=/ctrev
        say "events: $part: CPU per unrelated event at $small and $big registrations"
        REGS=0
        # the noise container registers nothing (its script fails)
        create "$noise" '{}' '["NOREG=1"]' || { na "ev.$part.$small" "cannot create containers"; return; }
        start_controller "$sdir"
        start_all "$noise"
        if ! grow "$small" "$labels" "$env"; then
                na "ev.$part.$small" "registrations did not reach $small ($(metric contrainer_registrations))"
                stop_controller
                return
        fi
        measure "ev.$part.$small" "$M" "$noise"
        say "events: $part: growing to $big registrations"
        if ! grow "$big" "$labels" "$env"; then
                na "ev.$part.$big" "registrations did not reach $big ($(metric contrainer_registrations))"
                stop_controller
                return
        fi
        measure "ev.$part.$big" "$M" "$noise"
        # back to SMALL (the others removed: their registrations drop with
        # their die) and measured again: the machine's drift shows (regs
        # only: removing 990 containers takes minutes)
        if [ "$part" = regs ]; then
        say "events: $part: back to $small registrations"
        local i rm=()
        for i in $(seq $((small + 1)) "$big"); do rm+=("$P-r$i"); done
        printf '%s\n' "${rm[@]}" | xargs -r -n 50 docker rm -f >/dev/null 2>&1
        if wait_until 120 metric_le contrainer_registrations "$small"; then
                measure "ev.$part.${small}b" "$M" "$noise"
        else
                na "ev.$part.${small}b" "registrations did not drop to $small ($(metric contrainer_registrations))"
        fi
        fi
        note "events: $part: the controller held $(metric contrainer_registrations) registrations at the end (containers paused once registered); VmRSS $(awk '/^VmRSS:/ { print $2 " kB" }' "/proc/$ctr_pid/status")"
        stop_controller
}

for part in $EV_PARTS; do
        case $part in
        hooks) hooks_part ;;
        regs) regs_part regs "$SMALL" "$BIG" ;;
        scale) regs_part scale "$SMALL" "$HUGE" ;;
        esac
done
note "events: a private dockerd (--bridge=none), containers ctrev-PID-* (busybox + a static stamp, --network none); hooks: body \`/bin/stamp >>/bench/t\` as an immediate %me registration, from the labels contrainer.hook.bench.on/.run or from the script /ctrev/10-bench; $K starts one at a time, each 0.25 s after its body ran; controller CPU = utime+stime+cutime+cstime of /proc/PID/stat (its reaped workers included), mean per start; dockerd CPU = its threads' schedstat, median; latency = the body's stamp − the time before \`POST /start\`, median"
note "events: CPU per unrelated event = the controller's threads' schedstat (and utime+stime of /proc/PID/stat, in 1/$CLK_TCK s ticks) over $M unrelated events (kill events: SIGWINCH to a container without registration), divided by $M, while $SMALL, $BIG (regs) or $HUGE (BENCH_ONLY=scale) paused containers hold a registration each (header %me:oom: nothing fires)"
exit 0
