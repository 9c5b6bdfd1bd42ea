#!/bin/bash
# Controller benchmarks: `contrainer watch` against the shell loop a user
# would write and against the floor (one exec round trip made directly on
# the socket with curl), on the real Engine, with the same test containers
# for every contestant.
#
# Test containers: ctrbench-NNN (label ctrbench=1, --network none), image
# ctrbench/bench (busybox + a static `stamp` + /ctrbench/10-bench, whose
# registration runs the body "/bin/stamp >>/bench/t" once per start, see below), each
# with its own host dir bind-mounted at /bench.  The shell loop runs the same
# body with `docker exec`.  Latency = first stamp in /bench/t − the Engine's
# timeNano of that container's start event (same clock).
#
# The controller is given --script-dir /ctrbench so that it collects nothing
# from other containers on this Engine, and other controllers (which look in
# /contrainer) collect nothing from ours.  Every container, process and
# image made here is removed at the end and on failure (trap).
#
# Inputs (environment): CTR, HB, WORK, BENCH_RESULTS, BENCH_QUICK.
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/lib/dockerd.sh
. "$here/../lib/dockerd.sh"

if [ "${BENCH_QUICK:-0}" = 1 ]; then
        N_ONE=5 BURST=20 TP=50 RTT_N=5 STOPPED_WINDOW=5
else
        N_ONE=20 BURST=50 TP=200 RTT_N=20 STOPPED_WINDOW=10
fi
put meta.burst_n "$BURST" "$BURST"
put meta.tp_n "$TP" "$TP"
W=$WORK/ctl
MARKS=$W/marks
IMG_BASE=ctrbench/busybox:latest
IMG=ctrbench/bench:latest
IMG_LOOP=ctrbench/bench-noscript:latest
NCON=$TP
[ "$BURST" -gt "$NCON" ] && NCON=$BURST
[ "$N_ONE" -gt "$NCON" ] && NCON=$N_ONE
METRICS="one_med one_p95 burst_med burst_p95 burst_tail burst_done tp_total tp_tail tp_done mem missed"
mkdir -p "$W" "$MARKS"

ctr_pid='' loop_pid='' listen_pid='' started_engine=''

all_na() { # CONTESTANT REASON
        local m
        for m in $METRICS; do na "ctl.$m.$1" "$2"; done
}
name() { printf 'ctrbench-%03d' "$1"; }
names() { # FROM TO
        local i
        for i in $(seq "$1" "$2"); do name "$i"; echo; done
}

CTR_ARGS=()
start_controller() {
        "$CTR" watch --state-dir "$W/state" --script-dir /ctrbench --log-format json \
                ${CTR_ARGS[@]+"${CTR_ARGS[@]}"} >>"$W/contrainer.log" 2>&1 &
        ctr_pid=$!
}
stop_controller() {
        local deadline=$((SECONDS + 75))
        [ -n "$ctr_pid" ] || return 0
        kill -TERM "$ctr_pid" 2>/dev/null
        # it may let running bodies finish (up to --exec-timeout, 60 s)
        while kill -0 "$ctr_pid" 2>/dev/null; do
                if [ "$SECONDS" -ge "$deadline" ]; then
                        kill -KILL "$ctr_pid" 2>/dev/null
                        break
                fi
                sleep 0.05
        done
        wait "$ctr_pid" 2>/dev/null
        ctr_pid=''
}
# The loop a user would write; its own process group, so that stopping it
# stops `docker events`, the while-loop shell and any `docker exec` at once.
# shellcheck disable=SC2016 # expanded by the loop's shell, not here
LOOP='docker events --filter type=container --filter event=start --filter label=ctrbench=1 --format "{{.ID}}" |
while read -r id; do docker exec "$id" sh -c "/bin/stamp >>/bench/t"; done'
start_loop() { # [LOOP COMMAND, default $LOOP]
        setsid sh -c "${1:-$LOOP}" >>"$W/loop.log" 2>&1 &
        loop_pid=$!
}
stop_loop() {
        [ -n "$loop_pid" ] || return 0
        kill -TERM -- "-$loop_pid" 2>/dev/null || kill -TERM "$loop_pid" 2>/dev/null
        wait "$loop_pid" 2>/dev/null
        loop_pid=''
}
# shellcheck disable=SC2317 # called by the trap
cleanup() {
        local ids
        stop_controller
        stop_loop
        if [ -n "$listen_pid" ]; then
                kill "$listen_pid" 2>/dev/null
                wait "$listen_pid" 2>/dev/null
                listen_pid=''
        fi
        ids=$(docker ps -aq --filter label=ctrbench=1 --filter name=ctrbench- 2>/dev/null)
        # shellcheck disable=SC2086 # ids from docker ps
        [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1
        docker rmi "$IMG" "$IMG_LOOP" "$IMG_BASE" >/dev/null 2>&1
        [ -n "$started_engine" ] && dockerd_release
        return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the Engine -----------------------------------------------------------------
if docker_ping; then
        :
elif dockerd_ensure; then
        started_engine=1
else
        for c in contrainer loop; do all_na "$c" "no Docker Engine"; done
        na ctl.rtt.floor "no Docker Engine"
        na ctl.apifloor "no Docker Engine"
        exit 0
fi
SOCK=$DOCKER_SOCK
V=$(curl -sS -D - -o /dev/null --unix-socket "$SOCK" http://localhost/_ping |
        tr -d '\r' | awk -F': ' 'tolower($1) == "api-version" { print "v" $2 }')
[ -n "$V" ] || V=v1.41
api() { # METHOD PATH [JSON]
        if [ $# -ge 3 ]; then
                curl -sS --unix-socket "$SOCK" -X "$1" -H 'Content-Type: application/json' \
                        -d "$3" "http://localhost/$V$2"
        else
                curl -sS --unix-socket "$SOCK" -X "$1" "http://localhost/$V$2"
        fi
}

# The daemon this bench talks to (the process listening on $SOCK) and its
# CPU time: the sum of its threads' /proc/PID/task/TID/schedstat (ns on a
# CPU; Go keeps its threads), else utime+stime of /proc/PID/stat (ticks).
DOCKERD_PID=$(ss -xlpn src "$SOCK" 2>/dev/null | sed -n 's/.*"dockerd",pid=\([0-9]*\).*/\1/p' | head -n 1)
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
daemon_ms() { # → ms of CPU so far, or fails
        [ -n "$DOCKERD_PID" ] && [ -r "/proc/$DOCKERD_PID/stat" ] || return 1
        if [ -r "/proc/$DOCKERD_PID/task/$DOCKERD_PID/schedstat" ]; then
                cat "/proc/$DOCKERD_PID"/task/*/schedstat 2>/dev/null |
                        awk '{ s += $1 } END { printf "%.2f\n", s / 1e6 }'
        else
                awk -v hz="$CLK_TCK" '{ sub(/.*\) /, ""); printf "%.0f\n", ($12 + $13) * 1000 / hz }' \
                        "/proc/$DOCKERD_PID/stat"
        fi
}
# dcpu_put KEY FILE — daemon CPU per dispatch: the median of FILE's
# per-start CPU ("BEFORE AFTER" ms, one start a line) minus the median of
# the same starts with no contestant ($DCPU_BASE_MS); medians, because the
# daemon's garbage collector lands a few ms on a random start now and then
dcpu_put() {
        local v
        v=$(awk '{ print $2 - $1 }' "$2" 2>/dev/null | median)
        if [ -z "$v" ] || [ -z "${DCPU_BASE_MS:-}" ]; then
                na "$1" "dockerd's CPU time not readable (pid '${DOCKERD_PID:-?}')"
                return
        fi
        v=$(awk -v x="$v" -v z="$DCPU_BASE_MS" 'BEGIN { printf "%.1f", x - z }')
        put "$1" "$v" "$v ms"
}
# cpu_mark FILE BEFORE — append "BEFORE NOW" (daemon ms) to FILE
cpu_mark() {
        local now
        now=$(daemon_ms) && [ -n "$2" ] && echo "$2 $now" >>"$1"
}
# private_kb PID... — Private_Clean + Private_Dirty (smaps_rollup), summed
private_kb() {
        local p s=0 v
        for p in "$@"; do
                v=$(awk '/^Private_(Clean|Dirty):/ { s += $2 } END { print s + 0 }' \
                        "/proc/$p/smaps_rollup" 2>/dev/null)
                s=$((s + ${v:-0}))
        done
        echo "$s"
}
mb() { awk -v x="$1" 'BEGIN { printf "%.1f", x / 1024 }'; }

# ---- image and containers --------------------------------------------------------
say "controller: image and $NCON containers"
# leftovers of an interrupted run (ours: label and name prefix)
ids=$(docker ps -aq --filter label=ctrbench=1 --filter name=ctrbench-)
# shellcheck disable=SC2086
[ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1
ctx=$W/image
mkdir -p "$ctx"
cp "$HB/stamp" "$ctx/stamp"
# The registration: header $BENCH_HEADER, body "/bin/stamp >>/bench/t".  The
# default header is empty: an immediate entry on %me, which runs once each
# time the container starts (docs/watch.md: a restarted container registers
# afresh) — the same work as the shell loop's one exec per start.  "%me:start"
# is not that: an entry with events fires on the start of *any* container
# (docs/watch.md), so a burst of N starts runs ~N²/2 bodies.
HEADER=${BENCH_HEADER-}
printf '#!/bin/sh\necho %s\necho %s\n' "'$HEADER'" "'/bin/stamp >>/bench/t'" >"$ctx/10-bench"
chmod +x "$ctx/10-bench" "$ctx/stamp"
printf 'FROM %s\nCOPY stamp /bin/stamp\nCOPY 10-bench /ctrbench/10-bench\n' "$IMG_BASE" >"$ctx/Dockerfile"
if ! busybox_image "$IMG_BASE" || ! docker build -q -t "$IMG" "$ctx" >"$W/build.log" 2>&1; then
        r="cannot build the bench image: $(first_line "$W/build.log")"
        for c in contrainer loop; do all_na "$c" "$r"; done
        na ctl.rtt.floor "$r"
        na ctl.apifloor "$r"
        exit 0
fi
for i in $(seq 0 "$NCON"); do
        n=$(name "$i")
        mkdir -p "$MARKS/$n"
        out=$(api POST "/containers/create?name=$n" \
                "{\"Image\":\"$IMG\",\"Cmd\":[\"sleep\",\"1000000\"],\"Labels\":{\"ctrbench\":\"1\"},\"HostConfig\":{\"NetworkMode\":\"none\",\"Binds\":[\"$MARKS/$n:/bench\"]}}")
        case $out in
        *'"Id"'*) ;;
        *)
                r="cannot create containers: $out"
                for c in contrainer loop; do all_na "$c" "$r"; done
                na ctl.rtt.floor "$r"
                na ctl.apifloor "$r"
                exit 0 ;;
        esac
done

# The interleaved comparison's containers for the shell loop: the same body
# through `docker exec`, but no /ctrbench script (so contrainer, running at
# the same time, registers nothing in them), and a label of their own that
# only that loop listens to.
printf 'FROM %s\nCOPY stamp /bin/stamp\n' "$IMG_BASE" >"$ctx/Dockerfile.loop"
ILOOP_OK=''
if docker build -q -t "$IMG_LOOP" -f "$ctx/Dockerfile.loop" "$ctx" >>"$W/build.log" 2>&1; then
        ILOOP_OK=1
        for i in $(seq 0 "$N_ONE"); do
                n=ctrbench-l$(printf '%03d' "$i")
                mkdir -p "$MARKS/$n"
                out=$(api POST "/containers/create?name=$n" \
                        "{\"Image\":\"$IMG_LOOP\",\"Cmd\":[\"sleep\",\"1000000\"],\"Labels\":{\"ctrbench\":\"1\",\"ctrbench.loop\":\"1\"},\"HostConfig\":{\"NetworkMode\":\"none\",\"Binds\":[\"$MARKS/$n:/bench\"]}}")
                case $out in *'"Id"'*) ;; *) ILOOP_OK='' ;; esac
        done
fi

# every container event on ours, with its exact timeNano (Go's int64)
docker events --filter type=container --filter label=ctrbench=1 \
        --format '{{.TimeNano}} {{.Action}} {{.Actor.Attributes.name}}' >"$W/events.log" 2>&1 &
listen_pid=$!

clear_marks() { rm -f "$MARKS"/*/t; }
# count_marks NAME... — how many of these containers ran the body
count_marks() {
        local n c=0
        for n in "$@"; do [ -s "$MARKS/$n/t" ] && c=$((c + 1)); done
        echo "$c"
}
# wait_marks SECONDS NAME... — until all ran the body or SECONDS passed
wait_marks() {
        local deadline=$((SECONDS + $1))
        shift
        while [ "$(count_marks "$@")" -lt $# ]; do
                [ "$SECONDS" -lt "$deadline" ] || return 1
                sleep 0.05
        done
}
# stop_all — kill every running bench container, wait until none runs
stop_all() {
        local deadline=$((SECONDS + 60))
        docker ps -q --filter label=ctrbench=1 --filter name=ctrbench- |
                xargs -r -n 20 -P 4 docker kill >/dev/null 2>&1
        while [ -n "$(docker ps -q --filter label=ctrbench=1 --filter name=ctrbench-)" ]; do
                [ "$SECONDS" -lt "$deadline" ] || break
                sleep 0.1
        done
}
# awk's numbers are doubles: ns since the epoch (~1.8e18) are not exact, so
# subtract the last 15 digits (< 2^53), with the wrap every 1e15 ns (11 days)
AWK_NSDIFF='
function nsdiff(a, b,   x, y) {
        x = substr(a, length(a) - 14) + 0; y = substr(b, length(b) - 14) + 0
        if (x - y < -5e14) x += 1e15
        if (x - y > 5e14) y += 1e15
        return x - y
}'
# latencies T0_NS NAME... — per container that ran the body:
#   "<name> <latency_ms> <stamp_ns>", latency from its first start event at or
#   after T0_NS to its first stamp.
latencies() {
        local t0=$1 n
        shift
        for n in "$@"; do
                [ -s "$MARKS/$n/t" ] && printf 'M %s %s\n' "$n" "$(head -n 1 "$MARKS/$n/t")"
        done | awk -v t0="$t0" '
                FNR == NR { if ($2 == "start" && $1 >= t0 && !($3 in s)) s[$3] = $1; next }
                $1 == "M" && ($2 in s) {
                        printf "%s %.3f %s\n", $2, nsdiff($3, s[$2]) / 1e6, $3 }
        '"$AWK_NSDIFF" "$W/events.log" -
}
# ns_diff_ms A_NS B_NS — (A - B) in ms, exact for close timestamps
ns_diff_ms() {
        awk -v a="$1" -v b="$2" "$AWK_NSDIFF"'BEGIN { printf "%.1f", nsdiff(a, b) / 1e6 }'
}

# ---- the floor: one exec round trip on the socket ---------------------------------
say "controller: floor ($RTT_N exec round trips with curl)"
rtt_once() { # NAME — prints ms, or fails
        local t0 t1 out id
        t0=$EPOCHREALTIME
        out=$(api POST "/containers/$1/exec" \
                '{"AttachStdout":true,"AttachStderr":true,"Tty":false,"Cmd":["sh","-c","/bin/stamp >>/bench/t"]}')
        [[ $out =~ \"Id\":\"([0-9a-f]+)\" ]] || return 1
        id=${BASH_REMATCH[1]}
        curl -sS --unix-socket "$SOCK" -X POST -H 'Content-Type: application/json' \
                -d '{"Detach":false,"Tty":false}' -o /dev/null "http://localhost/$V/exec/$id/start" \
                --next -sS --unix-socket "$SOCK" -o "$W/rtt.json" "http://localhost/$V/exec/$id/json" || return 1
        t1=$EPOCHREALTIME
        grep -q '"ExitCode":0' "$W/rtt.json" || return 1
        awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", (b - a) * 1000 }'
}
c0=$(name 0)
: >"$W/rtt"
: >"$W/dcpu.floor"
if docker start "$c0" >/dev/null 2>&1; then
        sleep 0.25
        for _ in $(seq "$RTT_N"); do
                d0=$(daemon_ms)
                rtt_once "$c0" >>"$W/rtt" || break
                cpu_mark "$W/dcpu.floor" "$d0"
        done
fi
if [ "$(wc -l <"$W/rtt")" -eq "$RTT_N" ]; then
        ms=$(median <"$W/rtt")
        put ctl.rtt.floor "$ms" "$(fmt 1 "$ms") ms"
        # the floor of a dispatch is one round trip
        put ctl.one_med.floor "$ms" "$(fmt 1 "$ms") ms"
        DCPU_BASE_MS=0 dcpu_put ctl.dcpu.floor "$W/dcpu.floor"
else
        na ctl.rtt.floor "exec round trip failed: $(head -c 120 "$W/rtt.json" 2>/dev/null)"
fi

# ---- the API path's floor: what `--dispatch api` cannot avoid per start -----------
# the archive listing of the script dir (what the collection worker asks
# for), then two exec round trips: the script (its registration), the body
say "controller: API path floor ($RTT_N × listing + 2 exec round trips with curl)"
# exec_once NAME CMD_JSON — one exec round trip (create, attached start,
# inspect), exit code 0, or fails
exec_once() {
        local out id
        out=$(api POST "/containers/$1/exec" \
                "{\"AttachStdout\":true,\"AttachStderr\":true,\"Tty\":false,\"Cmd\":$2}")
        [[ $out =~ \"Id\":\"([0-9a-f]+)\" ]] || return 1
        id=${BASH_REMATCH[1]}
        curl -sS --unix-socket "$SOCK" -X POST -H 'Content-Type: application/json' \
                -d '{"Detach":false,"Tty":false}' -o /dev/null "http://localhost/$V/exec/$id/start" \
                --next -sS --unix-socket "$SOCK" -o "$W/rtt.json" "http://localhost/$V/exec/$id/json" || return 1
        grep -q '"ExitCode":0' "$W/rtt.json"
}
apifloor_once() { # NAME — prints ms from the listing's request to the body's stamp, or fails
        local t0 t1
        rm -f "$MARKS/$1/t"
        t0=$(now_ns)
        curl -sS --unix-socket "$SOCK" -o "$W/list.tar" -w '%{http_code}' \
                "http://localhost/$V/containers/$1/archive?path=%2Fctrbench" >"$W/list.code" || return 1
        grep -q '^200$' "$W/list.code" || return 1
        exec_once "$1" '["/ctrbench/10-bench"]' || return 1
        exec_once "$1" '["sh","-c","/bin/stamp >>/bench/t"]' || return 1
        t1=$(head -n 1 "$MARKS/$1/t" 2>/dev/null)
        [ -n "$t1" ] || return 1
        ns_diff_ms "$t1" "$t0"
        echo
}
: >"$W/apifloor"
if docker ps -q --filter "name=^$c0\$" | grep -q .; then
        for _ in $(seq "$RTT_N"); do
                apifloor_once "$c0" >>"$W/apifloor" || break
        done
fi
if [ "$(wc -l <"$W/apifloor")" -eq "$RTT_N" ]; then
        ms=$(median <"$W/apifloor")
        put ctl.apifloor "$ms" "$(fmt 1 "$ms") ms"
else
        na ctl.apifloor "listing or exec failed: $(head -c 120 "$W/list.code" "$W/rtt.json" 2>/dev/null | tr -d '\n')"
fi
stop_all

# ---- the daemon's CPU for the starts alone (no contestant) ------------------------
# the same N_ONE starts as a contestant's one-at-a-time phase, with nothing
# listening: what remains of a contestant's share is its dispatches' cost
say "controller: daemon CPU of $N_ONE starts with no contestant"
: >"$W/dcpu.none"
for i in $(seq 1 "$N_ONE"); do
        d0=$(daemon_ms)
        docker start "$(name "$i")" >/dev/null
        sleep 0.25
        cpu_mark "$W/dcpu.none" "$d0"
done
DCPU_BASE_MS=$(awk '{ print $2 - $1 }' "$W/dcpu.none" | median)
stop_all

# ---- contestants --------------------------------------------------------------------
# rss_kb PID... — sum of VmRSS
rss_kb() {
        local p s=0 v
        for p in "$@"; do
                v=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
                s=$((s + ${v:-0}))
        done
        echo "$s"
}

# contrainer: the default (--dispatch auto: direct, on the host);
# contrainer_api: --dispatch api, one at a time only; loop: the shell loop.
run_contestant() { # contrainer|contrainer_api|loop
        local who=$1 ok t_begin_ns t0 t1 lat ms p95 done_n last tail pids hwm rss nev c w reason priv d0
        clear_marks
        t_begin_ns=$(now_ns)
        if [ "$who" != loop ]; then start_controller; else start_loop; fi
        # warm-up and "does it work at all": one container, up to 30 s; its
        # start is repeated every 5 s because neither contestant says when
        # its event subscription is in place
        ok=''
        for _ in 1 2 3 4 5 6; do
                docker start "$c0" >/dev/null
                if wait_marks 5 "$c0"; then
                        ok=1
                        break
                fi
                stop_all
        done
        if [ -z "$ok" ]; then
                if [ "$who" != loop ]; then
                        if kill -0 "$ctr_pid" 2>/dev/null; then
                                reason="contrainer watch dispatched nothing within 30 s ($(tail -n 1 "$W/contrainer.log" | cut -c1-100 | tr -d '\t'))"
                        else
                                wait "$ctr_pid" 2>/dev/null
                                reason="contrainer watch not working yet (exit $?: $(first_line "$W/contrainer.log"))"
                                ctr_pid=''
                        fi
                else
                        reason="the shell loop dispatched nothing within 30 s ($(first_line "$W/loop.log"))"
                fi
                say "$reason"
                all_na "$who" "$reason"
                if [ "$who" != loop ]; then stop_controller; else stop_loop; fi
                stop_all
                return
        fi
        stop_all

        # -- idle memory: after one dispatch, nothing running
        if [ "$who" != contrainer_api ]; then
                sleep 1
                if [ "$who" = loop ]; then
                        mapfile -t pids < <(pgrep -g "$loop_pid")
                else
                        pids=("$ctr_pid")
                fi
                rss=$(rss_kb "${pids[@]}")
                priv=$(private_kb "${pids[@]}")
                put "ctl.idle_rss.$who" "$(mb "$rss")" "$(mb "$rss") MB"
                put "ctl.idle_priv.$who" "$(mb "$priv")" "$(mb "$priv") MB"
        fi

        # -- one at a time (and the daemon's CPU meanwhile)
        say "controller: $who: one at a time ($N_ONE)"
        clear_marks
        t0=$(now_ns)
        : >"$W/dcpu.$who"
        for i in $(seq 1 "$N_ONE"); do
                d0=$(daemon_ms)
                docker start "$(name "$i")" >/dev/null
                wait_marks 15 "$(name "$i")"
                # what follows the body (exec_die, the client's last
                # inspect) belongs to the dispatch too
                sleep 0.25
                cpu_mark "$W/dcpu.$who" "$d0"
        done
        dcpu_put "ctl.dcpu.$who" "$W/dcpu.$who"
        # shellcheck disable=SC2046
        lat=$(latencies "$t0" $(names 1 "$N_ONE"))
        if [ "$(wc -l <<<"$lat")" -lt "$N_ONE" ] || [ -z "$lat" ]; then
                na "ctl.one_med.$who" "only $(grep -c . <<<"$lat") of $N_ONE dispatched within 15 s each"
                na "ctl.one_p95.$who" "only $(grep -c . <<<"$lat") of $N_ONE dispatched"
        else
                ms=$(awk '{ print $2 }' <<<"$lat" | median)
                p95=$(awk '{ print $2 }' <<<"$lat" | pctl 95)
                put "ctl.one_med.$who" "$ms" "$(fmt 1 "$ms") ms"
                put "ctl.one_p95.$who" "$p95" "$(fmt 1 "$p95") ms"
        fi
        stop_all
        if [ "$who" = contrainer_api ]; then
                stop_controller
                return
        fi

        # -- bursts: every start request sent at once on the socket, 16 in
        #    flight (curl --parallel), as `docker compose up` or a host boot
        #    would; t1 = when the last start request returned
        burst() { # N KEY_PREFIX(burst|tp)
                local n=$1 k=$2 all urls=() u
                say "controller: $who: burst of $n"
                clear_marks
                mapfile -t all < <(names 1 "$n")
                for u in "${all[@]}"; do urls+=("http://localhost/$V/containers/$u/start"); done
                t0=$(now_ns)
                curl -sS --no-progress-meter --unix-socket "$SOCK" -X POST \
                        --parallel --parallel-max 16 -w '%{http_code}\n' "${urls[@]}" \
                        >"$W/burst.codes" 2>"$W/burst.err"
                t1=$(now_ns)
                if [ "$(grep -c '^204$' "$W/burst.codes")" -ne "$n" ]; then
                        say "burst: not every start returned 204: $(sort "$W/burst.codes" | uniq -c | tr -s '\n ' '  ') $(first_line "$W/burst.err")"
                fi
                wait_marks 180 "${all[@]}"
                lat=$(latencies "$t0" "${all[@]}")
                done_n=$(grep -c . <<<"$lat")
                put "ctl.${k}_done.$who" "$done_n" "$done_n of $n"
                if [ "$done_n" -eq 0 ]; then
                        for m in med p95 tail total; do na "ctl.${k}_$m.$who" "nothing dispatched within 180 s"; done
                        stop_all
                        return
                fi
                last=$(awk '{ print $3 }' <<<"$lat" | sort | tail -n 1)
                tail=$(ns_diff_ms "$last" "$t1")
                total=$(ns_diff_ms "$last" "$t0")
                ms=$(awk '{ print $2 }' <<<"$lat" | median)
                p95=$(awk '{ print $2 }' <<<"$lat" | pctl 95)
                if [ "$done_n" -lt "$n" ]; then
                        for m in med p95 tail total; do na "ctl.${k}_$m.$who" "only $done_n of $n dispatched within 180 s"; done
                else
                        put "ctl.${k}_med.$who" "$ms" "$(fmt 0 "$ms") ms"
                        put "ctl.${k}_p95.$who" "$p95" "$(fmt 0 "$p95") ms"
                        put "ctl.${k}_tail.$who" "$tail" "$(fmt 0 "$tail") ms"
                        put "ctl.${k}_total.$who" "$(awk -v x="$total" 'BEGIN { print x / 1000 }')" \
                                "$(fmt 2 "$(awk -v x="$total" 'BEGIN { print x / 1000 }')") s"
                fi
                stop_all
        }
        burst "$BURST" burst
        burst "$TP" tp

        # -- memory after everything above
        nev=$(awk -v t="$t_begin_ns" '$1 >= t' "$W/events.log" | wc -l)
        if [ "$who" != loop ]; then
                rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$ctr_pid/status" 2>/dev/null)
                hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$ctr_pid/status" 2>/dev/null)
                if [ -n "$rss" ]; then
                        put ctl.mem.contrainer "$(awk -v x="$rss" 'BEGIN { print x / 1024 }')" \
                                "$(fmt 1 "$(awk -v x="$rss" 'BEGIN { print x / 1024 }')") MB (HWM $(fmt 1 "$(awk -v x="$hwm" 'BEGIN { print x / 1024 }')")) after $nev events"
                else
                        na ctl.mem.contrainer "controller gone before the reading"
                fi
        else
                mapfile -t pids < <(pgrep -g "$loop_pid")
                rss=$(rss_kb "${pids[@]}")
                put ctl.mem.loop "$(awk -v x="$rss" 'BEGIN { print x / 1024 }')" \
                        "$(fmt 1 "$(awk -v x="$rss" 'BEGIN { print x / 1024 }')") MB (${#pids[@]} processes) after $nev events"
        fi

        # -- events while stopped: stop it, start 5 containers, start it again
        say "controller: $who: 5 starts while stopped"
        if [ "$who" != loop ]; then stop_controller; else stop_loop; fi
        clear_marks
        mapfile -t all < <(names 1 5)
        docker start "${all[@]}" >/dev/null
        if [ "$who" != loop ]; then start_controller; else start_loop; fi
        w=$STOPPED_WINDOW
        [ "$who" != loop ] && w=30
        wait_marks "$w" "${all[@]}"
        c=$(count_marks "${all[@]}")
        put "ctl.missed.$who" "$((5 - c))" "$((5 - c)) of 5"
        if [ "$who" != loop ]; then stop_controller; else stop_loop; fi
        stop_all
}

if [ -x "$CTR" ]; then
        run_contestant contrainer
        CTR_ARGS=(--dispatch api)
        run_contestant contrainer_api
        CTR_ARGS=()
else
        all_na contrainer "no binary at $CTR"
        all_na contrainer_api "no binary at $CTR"
fi
run_contestant loop

# ---- interleaved: contrainer and the shell loop both running, their starts
#      alternating one at a time, so that the machine's load (other jobs)
#      weighs on both alike --------------------------------------------------------
interleaved() {
        local lat_c lat_l lat ms who t0 i ok cl
        # shellcheck disable=SC2016 # expanded by the loop's shell, not here
        local iloop='docker events --filter type=container --filter event=start --filter label=ctrbench.loop=1 --format "{{.ID}}" |
while read -r id; do docker exec "$id" sh -c "/bin/stamp >>/bench/t"; done'
        if [ -z "$ILOOP_OK" ] || [ ! -x "$CTR" ]; then
                for who in contrainer loop; do na "ctl.ione_med.$who" "no containers or binary for it"; done
                return
        fi
        say "controller: interleaved one at a time ($N_ONE each)"
        clear_marks
        start_controller
        start_loop "$iloop"
        ok=''
        for _ in 1 2 3 4 5 6; do
                docker start "$(name 0)" ctrbench-l000 >/dev/null
                if wait_marks 5 "$(name 0)" ctrbench-l000; then
                        ok=1
                        break
                fi
                stop_all
        done
        stop_all
        clear_marks
        if [ -n "$ok" ]; then
                t0=$(now_ns)
                for i in $(seq 1 "$N_ONE"); do
                        cl=ctrbench-l$(printf '%03d' "$i")
                        # each start on a settled machine: the other's
                        # tail (a docker exec's last calls) is not in it
                        docker start "$(name "$i")" >/dev/null
                        wait_marks 15 "$(name "$i")"
                        sleep 0.25
                        docker start "$cl" >/dev/null
                        wait_marks 15 "$cl"
                        sleep 0.25
                done
                # shellcheck disable=SC2046
                lat_c=$(latencies "$t0" $(names 1 "$N_ONE") | awk '{ print $2 }')
                # shellcheck disable=SC2046
                lat_l=$(latencies "$t0" $(seq -f 'ctrbench-l%03g' 1 "$N_ONE") | awk '{ print $2 }')
        fi
        stop_controller
        stop_loop
        stop_all
        for who in contrainer loop; do
                if [ "$who" = contrainer ]; then lat=$lat_c; else lat=$lat_l; fi
                if [ -z "$ok" ] || [ "$(grep -c . <<<"$lat")" -lt "$N_ONE" ]; then
                        na "ctl.ione_med.$who" "only $(grep -c . <<<"$lat") of $N_ONE dispatched"
                else
                        ms=$(median <<<"$lat")
                        put "ctl.ione_med.$who" "$ms" "$(fmt 1 "$ms") ms"
                fi
        done
}
interleaved
note "controller: test containers ctrbench-NNN (busybox, --network none); body \`/bin/stamp >>/bench/t\` from a registration with header '$HEADER' (empty = immediate on %me: once per start of the container) in /ctrbench/10-bench (\`contrainer watch --script-dir /ctrbench --log-format json\`); latency = the body's stamp − the Engine's start event timeNano"
note "controller: shell loop = \`docker events --filter type=container --filter event=start --format '{{.ID}}' | while read id; do docker exec \"\$id\" sh -c '/bin/stamp >>/bench/t'; done\`; while stopped: the loop gets ${STOPPED_WINDOW} s after it restarts, contrainer up to 30 s"
note "controller: bursts: all start requests sent at once on the socket (curl --parallel, 16 in flight); \"after the last start returned\" counts from the end of that curl"
note "controller: contrainer = the default --dispatch auto (on the host: direct, no Engine exec); contrainer --dispatch api = through the exec API, one at a time only"
note "controller: interleaved = contrainer (default --dispatch auto) and a shell loop (on containers of its own label, without /ctrbench scripts) running at once, their containers started alternately one at a time (0.25 s after the previous body), $N_ONE each"
note "controller: daemon CPU per dispatch = dockerd's CPU time (the sum of its threads' schedstat) from before each start of the one-at-a-time phase to 0.25 s after its body ran, median of $N_ONE, minus the median of the same starts with no contestant (floor: the median of its $RTT_N curl round trips); idle memory = VmRSS and smaps_rollup Private_Clean+Private_Dirty 1 s after the warm-up dispatch, nothing running"
note "controller: floor = curl on the socket: POST /containers/ID/exec, POST /exec/ID/start (attached), GET /exec/ID/json, median of $RTT_N"
note "controller: API path floor = curl on the socket, one after the other: GET /containers/ID/archive?path=/ctrbench (the listing the collection worker asks for), then two exec round trips (the script /ctrbench/10-bench, then the body \`sh -c '/bin/stamp >>/bench/t'\`), from the listing's request to the body's stamp (where a dispatch's latency ends too), median of $RTT_N"
exit 0
