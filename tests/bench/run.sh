#!/bin/bash
# make bench: contrainer against its peers, measured in one run on one
# machine, printed as two markdown tables of medians and ratios (init, then
# controller), also written to $BENCH_OUT (default: bench.md next to the
# binary).
#
#   tests/bench/run.sh /abs/path/to/contrainer
#
# Environment: BENCH_QUICK=1 (fewer runs, smaller bursts: ~3 min instead
# of ~10), BENCH_ONLY=init|ctl|static|direct|events|hooks|regs|scale (one
# section; events = hooks + regs, both in the full run; scale = 1,000
# registrations, only when named), BENCH_KEEP=1 (keep the scratch dir with logs).  Nothing here is a test: there are no thresholds,
# and a value that could not be measured is printed as
# "not measured: <reason>", never as a number.
#
# The small C helpers (spawn_timer, pid1probe, sigecho, zombies, stamp) are
# built here with cc into the scratch dir.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"

if [ $# -ne 1 ]; then
        echo "usage: $0 /abs/path/to/contrainer" >&2
        exit 2
fi
CTR=$1
case $CTR in
/*) ;;
*) CTR=$PWD/$CTR ;;
esac
if [ "$(id -u)" != 0 ]; then
        echo "bench: needs root (PID namespaces, mounts, the Docker socket)" >&2
        exit 2
fi
BENCH_QUICK=${BENCH_QUICK:-0}
BENCH_ONLY=${BENCH_ONLY:-}
BENCH_OUT=${BENCH_OUT:-$(dirname "$CTR")/bench.md}
WORK=$(mktemp -d /tmp/ctrbench.XXXXXX)
HB=$WORK/bin
BENCH_RESULTS=$WORK/results.tsv
export CTR HB WORK BENCH_RESULTS BENCH_QUICK
: >"$BENCH_RESULTS"

cleanup() {
        if [ "${BENCH_KEEP:-0}" = 1 ]; then
                say "scratch dir kept: $WORK"
        else
                rm -rf "$WORK"
        fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- helpers ------------------------------------------------------------------
mkdir -p "$HB"
for h in spawn_timer pid1probe sigecho zombies; do
        if ! cc -std=gnu11 -O2 -Wall -Wextra -o "$HB/$h" "$here/$h.c"; then
                echo "bench: cannot build $h" >&2
                exit 1
        fi
done
# static: it is copied into a busybox image
if ! cc -std=gnu11 -O2 -static -o "$HB/stamp" "$here/stamp.c"; then
        echo "bench: cannot build stamp (static libc needed)" >&2
        exit 1
fi

t_begin=$SECONDS
if [ -z "$BENCH_ONLY" ] || [ "$BENCH_ONLY" = init ]; then
        # private mount namespace: init.sh mounts a tmpfs copy over /etc
        unshare --mount --propagation private \
                env CTRBENCH_PRIVATE_MNT=1 bash "$here/init.sh"
        bash "$here/init_docker.sh"
fi
if [ -z "$BENCH_ONLY" ] || [ "$BENCH_ONLY" = ctl ]; then
        bash "$here/ctl.sh"
fi
{ [ -z "$BENCH_ONLY" ] || [ "$BENCH_ONLY" = direct ]; } && bash "$here/direct.sh"
# label hooks and registrations at scale (events.sh): which of its parts
case $BENCH_ONLY in
'' | events) EV_PARTS="hooks regs" ;;
hooks | regs | scale) EV_PARTS=$BENCH_ONLY ;;
*) EV_PARTS='' ;;
esac
[ -z "$EV_PARTS" ] || EV_PARTS=$EV_PARTS bash "$here/events.sh"

# ---- tables -------------------------------------------------------------------
declare -A NUM TXT
while IFS=$'\t' read -r k n t; do
        [ "$k" = note ] && continue
        [ "$n" = - ] && n=''
        NUM[$k]=$n
        TXT[$k]=$t
done <"$BENCH_RESULTS"

cell() { # KEY
        if [ -n "${TXT[$1]+x}" ]; then printf '%s' "${TXT[$1]}"; else printf '—'; fi
}
num() { # KEY
        printf '%s' "${NUM[$1]:-}"
}
# ratio A B [LABEL] — "A/B×" (with LABEL), or n/a when either is missing.
ratio() {
        if [ -z "$1" ] || [ -z "$2" ]; then
                printf 'n/a'
                return
        fi
        awk -v a="$1" -v b="$2" -v l="${3:-}" 'BEGIN {
                if (b == 0) { printf "n/a"; exit }
                printf "%.2f×%s", a / b, (l == "" ? "" : " " l) }'
}
# best_peer METRIC — "NUMBER NAME" of the lowest peer value.
best_peer() {
        local p v bv='' bn=''
        for p in tini dumb-init catatonit; do
                v=$(num "init.$1.$p")
                [ -n "$v" ] || continue
                if [ -z "$bv" ] || awk -v a="$v" -v b="$bv" 'BEGIN { exit !(a < b) }'; then
                        bv=$v bn=$p
                fi
        done
        [ -n "$bv" ] && printf '%s %s' "$bv" "$bn"
}
# init_row LABEL METRIC [RATIO_MODE] [CONTRAINER_KEY]
#   RATIO_MODE: best (default: contrainer / lowest peer), none, or a text
init_row() {
        local label=$1 m=$2 mode=${3:-best} ck=${4:-init.$2.contrainer} r b
        case $mode in
        best)
                b=$(best_peer "$m")
                r=$(ratio "$(num "$ck")" "${b%% *}" "${b#* }") ;;
        none) r='—' ;;
        *) r=$mode ;;
        esac
        printf '| %s | %s | %s | %s | %s | %s |\n' "$label" "$(cell "$ck")" \
                "$(cell "init.$m.tini")" "$(cell "init.$m.dumb-init")" \
                "$(cell "init.$m.catatonit")" "$r"
}
ctl_row() { # LABEL METRIC [RATIO_MODE: loop|floor|none|text]
        local label=$1 m=$2 mode=${3:-loop} r
        case $mode in
        loop) r=$(ratio "$(num "ctl.$m.contrainer")" "$(num "ctl.$m.loop")" "shell loop") ;;
        floor) r=$(ratio "$(num "ctl.$m.contrainer")" "$(num "ctl.$m.floor")" "floor") ;;
        none) r='—' ;;
        *) r=$mode ;;
        esac
        printf '| %s | %s | %s | %s | %s |\n' "$label" "$(cell "ctl.$m.contrainer")" \
                "$(cell "ctl.$m.loop")" "$(cell "ctl.$m.floor")" "$r"
}

tables() {
        local q=full
        [ "$BENCH_QUICK" = 1 ] && q="quick (BENCH_QUICK=1)"
        echo "### Benchmarks"
        echo
        echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), Linux $(uname -r), $q run, $((SECONDS - t_begin)) s;" \
                "contrainer $("$CTR" --version 2>/dev/null | awk '{ print $2 }'), $(tini --version 2>/dev/null | awk '{ print "tini " $3 }'), $(dumb-init --version 2>&1 | awk '{ print "dumb-init " $2 }'), catatonit $(dpkg-query -W -f '${Version}' catatonit 2>/dev/null), Docker $(docker version --format '{{.Server.Version}}' 2>/dev/null)."
        echo "Medians; ratios are contrainer ÷ the best peer, from this one run (lower is better)."
        if [ -z "$BENCH_ONLY" ] || [ "$BENCH_ONLY" = init ]; then
                local p1 p20
                echo
                echo "| init (PID 1) | contrainer | tini | dumb-init | catatonit | ratio vs best peer |"
                echo "|---|---|---|---|---|---|"
                init_row "start-up overhead (\`INIT -- true\` − \`true\`), contrainer with empty --boot-dir/--service-dir" startup
                init_row "start-up overhead, plain \`contrainer init -- true\`" startup best init.startup.contrainer_plain
                init_row "start-up overhead, \`contrainer init --skip-startup-files --skip-runit -- true\`" startup best init.startup.contrainer_min
                local c3 c300 t3 t300
                vs_tini() { ratio "$(num "init.$1.contrainer")" "$(num "init.$1.tini")" tini; }
                for n in 3 35 300; do
                        init_row "start-up overhead with $n environment variables (plain \`contrainer init -- true\` vs \`tini -- true\`)" "startup_env$n" "$(vs_tini "startup_env$n")"
                done
                c3=$(num init.startup_env3.contrainer) c300=$(num init.startup_env300.contrainer)
                t3=$(num init.startup_env3.tini) t300=$(num init.startup_env300.tini)
                if [ -n "$c3" ] && [ -n "$c300" ] && [ -n "$t3" ] && [ -n "$t300" ]; then
                        printf '| start-up growth per environment variable (300 vs 3) | %s µs | %s µs | — | — | — |\n' \
                                "$(awk -v a="$c300" -v b="$c3" 'BEGIN { printf "%.1f", (a - b) / 297 }')" \
                                "$(awk -v a="$t300" -v b="$t3" 'BEGIN { printf "%.1f", (a - b) / 297 }')"
                fi
                init_row "\`docker run --rm\` base image \`true\` (tini: \`--init --entrypoint /bin/true\`, same image)" docker_run "$(vs_tini docker_run)"
                init_row "\`docker stop\`, services-only base container (tini: \`--init\` running \`sleep\`)" docker_stop "$(vs_tini docker_stop)"
                init_row "PID 1 private memory (Private_Clean+Private_Dirty)" mem_priv
                init_row "PID 1 private memory, ratio vs tini" mem_priv "$(vs_tini mem_priv)"
                init_row "PID 1 VmRSS" mem_rss
                init_row "PID 1 VmHWM" mem_hwm
                init_row "reap $( [ "$BENCH_QUICK" = 1 ] && echo 2,000 || echo 10,000) orphans released at once (until none left in /proc)" reap
                init_row "zombies left after 60 s" reap_left none
                init_row "signal forwarding, kill(PID 1) → command's handler ran" sig
                init_row "shutdown, 1 runit service (stops on TERM)" shut_p1 none
                p1=$(num init.shut_p1.contrainer) p20=$(num init.shut_p20.contrainer)
                init_row "shutdown, 20 runit services (stop on TERM)" shut_p20 "$(ratio "$p20" "$p1" "of 1 service")"
                init_row "services that got TERM and stopped gracefully (of 20)" grace none
                init_row "shutdown, 20 services ignoring TERM (KILL_PROCESS_TIMEOUT=1)" shut_i20 none
        fi
        if [ -z "$BENCH_ONLY" ] || [ "$BENCH_ONLY" = ctl ]; then
                echo
                echo "| controller | contrainer watch | shell loop | floor (curl) | ratio |"
                echo "|---|---|---|---|---|"
                ctl_row "one exec round trip on the socket (create, attached start, inspect)" rtt none
                ctl_row "dispatch latency, one container at a time: median" one_med floor
                ctl_row "dispatch latency, one container at a time: p95" one_p95 floor
                ctl_row "dispatch latency, one at a time: median (default \`--dispatch auto\`: direct here) vs the shell loop" one_med loop
                ctl_row "dispatch latency, one at a time, interleaved with the shell loop (both running, alternate starts): median" ione_med loop
                printf '| %s | %s | %s | %s | %s |\n' "dispatch latency, one at a time: median, \`--dispatch api\`" \
                        "$(cell ctl.one_med.contrainer_api)" "$(cell ctl.one_med.loop)" "$(cell ctl.one_med.floor)" \
                        "$(ratio "$(num ctl.one_med.contrainer_api)" "$(num ctl.one_med.loop)" "shell loop"); direct: $(ratio "$(num ctl.one_med.contrainer)" "$(num ctl.one_med.contrainer_api)" "api")"
                printf '| %s | %s | %s | %s | %s |\n' "dispatch latency, one at a time: median, \`--dispatch api\` vs its floor (listing + two exec round trips)" \
                        "$(cell ctl.one_med.contrainer_api)" "—" "$(cell ctl.apifloor)" \
                        "$(ratio "$(num ctl.one_med.contrainer_api)" "$(num ctl.apifloor)" "API floor")"
                ctl_row "burst of $(num meta.burst_n) starts: median latency" burst_med
                ctl_row "burst: p95 latency" burst_p95
                ctl_row "burst: last dispatch after the last \`docker start\` returned" burst_tail
                ctl_row "burst: dispatched" burst_done none
                ctl_row "throughput: burst of $(num meta.tp_n) starts, first start to last dispatch" tp_total
                ctl_row "throughput: last dispatch after the last \`docker start\` returned" tp_tail
                ctl_row "throughput: dispatched" tp_done none
                ctl_row "daemon CPU per dispatch (dockerd, one at a time)" dcpu
                printf '| %s | %s | %s | %s | %s |\n' "daemon CPU per dispatch, \`--dispatch api\`" \
                        "$(cell ctl.dcpu.contrainer_api)" "$(cell ctl.dcpu.loop)" "$(cell ctl.dcpu.floor)" \
                        "$(ratio "$(num ctl.dcpu.contrainer_api)" "$(num ctl.dcpu.loop)" "shell loop")"
                ctl_row "idle memory: VmRSS after one dispatch (shell loop: all its processes)" idle_rss
                ctl_row "idle memory: private (smaps_rollup Private_Clean+Private_Dirty)" idle_priv
                ctl_row "resident memory (VmRSS; shell loop: all its processes)" mem
                ctl_row "events missed while stopped (of 5)" missed none
        fi
        if [ -n "$EV_PARTS" ]; then
                echo
                echo "| events and label hooks | value | compared with | ratio |"
                echo "|---|---|---|---|"
                case " $EV_PARTS " in *" hooks "*)
                        ev_row "controller CPU per start, label hook (own + reaped workers')" ev.hooks_cpu.label ev.hooks_cpu.script "script registration"
                        ev_row "dockerd CPU per start, label hook" ev.hooks_dcpu.label ev.hooks_dcpu.script "script registration"
                        ev_row "latency start → body, label hook (median)" ev.hooks_lat.label ev.hooks_lat.script "script registration"
                esac
                case " $EV_PARTS " in *" regs "*)
                        ev_row "controller CPU per unrelated event, 200 registrations (real containers)" ev.regs.200 ev.regs.10 "10 registrations"
                        ev_row "the same, 200 registrations vs 10 measured again afterwards" ev.regs.200 ev.regs.10b "10 registrations, again"
                esac
                case " $EV_PARTS " in *" scale "*)
                        ev_row "controller CPU per unrelated event, 1,000 registrations (paused containers)" ev.scale.1000 ev.scale.10 "10 registrations"
                esac
        fi
        echo
        awk -F'\t' '$1 == "note" { print "- " $3 }' "$BENCH_RESULTS"
}
# ev_row LABEL KEY BASE_KEY BASE_NAME: value, the base's value, KEY ÷ BASE
ev_row() {
        printf '| %s | %s | %s: %s | %s |\n' "$1" "$(cell "$2")" "$4" "$(cell "$3")" \
                "$(ratio "$(num "$2")" "$(num "$3")")"
}
tables | tee "$BENCH_OUT"
{ [ -z "$BENCH_ONLY" ] || [ "$BENCH_ONLY" = static ]; } && unshare --mount --propagation private env CTRBENCH_PRIVATE_MNT=1 bash "$here/static.sh" | tee -a "$BENCH_OUT"
say "table written to $BENCH_OUT"
