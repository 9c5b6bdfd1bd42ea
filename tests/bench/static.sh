#!/bin/bash
# Static-init benchmarks (issue 14): the static (musl) init-only build of
# contrainer (make static) against the peers one copies into any image the
# same way, tini-static and catatonit (both static, from Debian), with the
# regular (dynamic) contrainer for reference.  Start-up overhead and PID 1
# private memory, measured as init.sh does (spawn_timer: interleaved runs,
# paired difference against `unshare ... true`; pid1probe mem: smaps_rollup
# of PID 1 while `sleep` runs).  Prints its own markdown table on stdout
# (run.sh appends it to the bench output).
#
# run.sh starts this script inside a private mount namespace and says so
# with CTRBENCH_PRIVATE_MNT=1: /etc is replaced by a tmpfs copy first, so
# contrainer's environment export never touches the real /etc.
# Inputs (environment): CTR (regular binary), CTR_STATIC (default: static/
# contrainer beside CTR), HB (built helpers), WORK, BENCH_QUICK.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"

if [ "${CTRBENCH_PRIVATE_MNT:-}" != 1 ]; then
        echo "static.sh: run it through run.sh (needs a private mount namespace)" >&2
        exit 2
fi
STATIC=${CTR_STATIC:-$(dirname "$CTR")/static/contrainer}
if [ "${BENCH_QUICK:-0}" = 1 ]; then
        START_RUNS=80 MEM_REPS=1
else
        START_RUNS=400 MEM_REPS=3
fi
CENV=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
      HOSTNAME=ctrbench HOME=/root)
NS=("${CENV[@]}" unshare --pid --fork --mount-proc --kill-child)
W=$WORK/static
E=$W/empty
mkdir -p "$E" "$W/log"

# ---- a private /etc (as init.sh) --------------------------------------------
# Also without an exported environment left in the machine's /etc by some
# earlier run outside a namespace: a fresh container has none, and
# re-reading dozens of stale variables would triple the start-up time.
etc=$W/etc
mkdir -p "$etc"
if ! mount -t tmpfs -o size=64m ctrbench-etc "$etc" || ! cp -a /etc/. "$etc/" ||
   ! rm -rf "$etc/service" "$etc/boot.d" "$etc/my_init.d" "$etc/rc.local" \
        "$etc/shutdown.d" "$etc/my_init.pre_shutdown.d" "$etc/my_init.post_shutdown.d" \
        "$etc/container_environment" "$etc/container_environment.sh" \
        "$etc/container_environment.json" ||
   ! mount --bind "$etc" /etc; then
        echo "static.sh: cannot set up a private /etc; no static-init measurement" >&2
        exit 0
fi

# ---- contestants: name -> argv prefix up to "--" ----------------------------
declare -A PRE WHY NUM TXT
NAMES=(static static_plain regular regular_plain tini-static catatonit)
PRE[static]="$STATIC init --boot-dir $E --service-dir $E --"
PRE[static_plain]="$STATIC init --"
PRE[regular]="$CTR init --boot-dir $E --service-dir $E --"
PRE[regular_plain]="$CTR init --"
PRE[tini-static]="/usr/bin/tini-static --"
PRE[catatonit]="/usr/bin/catatonit --"
[ -x "$STATIC" ] || { WHY[static]="no static build at $STATIC (make static)"; WHY[static_plain]=${WHY[static]}; }
[ -x "$CTR" ] || { WHY[regular]="no binary at $CTR"; WHY[regular_plain]=${WHY[regular]}; }
[ -x /usr/bin/tini-static ] || WHY[tini-static]="/usr/bin/tini-static not installed (apt-get install tini)"
[ -x /usr/bin/catatonit ] || WHY[catatonit]="/usr/bin/catatonit not installed"
RUN=()
for c in "${NAMES[@]}"; do
        [ -n "${WHY[$c]:-}" ] || RUN+=("$c")
done

# ---- start-up ---------------------------------------------------------------
say "static: start-up ($START_RUNS runs each)"
args=("${NS[@]}" /bin/true)
for c in "${RUN[@]}"; do
        # shellcheck disable=SC2206 # PRE holds our own paths, no spaces
        args+=(::: "${NS[@]}" ${PRE[$c]} /bin/true)
done
out=$("$HB/spawn_timer" "$START_RUNS" 20 -- "${args[@]}")
while read -r idx _med _p10 _p90 diff fails; do
        [ "$idx" -gt 0 ] || continue
        c=${RUN[$((idx - 1))]}
        if [ "$fails" -gt 0 ]; then
                TXT[startup.$c]="not measured: $fails of $START_RUNS runs failed"
        else
                NUM[startup.$c]=$(awk -v x="$diff" 'BEGIN { printf "%.3f", x / 1000 }')
                TXT[startup.$c]="$(fmt 2 "${NUM[startup.$c]}") ms"
        fi
done <<<"$out"

# ---- memory of PID 1 --------------------------------------------------------
say "static: memory of PID 1 while \`sleep\` runs"
for c in "${RUN[@]}"; do
        case $c in *_plain) continue ;; esac
        : >"$W/mem.$c"
        err=
        for _ in $(seq "$MEM_REPS"); do
                # shellcheck disable=SC2086
                r=$("$HB/pid1probe" mem -l "$W/log/mem.$c.log" -w sleep -- \
                        "${NS[@]}" ${PRE[$c]} sleep 1000)
                case $r in
                error:*) err=${r#error: }; break ;;
                *) echo "$r" >>"$W/mem.$c" ;;
                esac
        done
        if [ -n "$err" ]; then
                TXT[priv.$c]="not measured: $err" TXT[rss.$c]="not measured: $err"
                continue
        fi
        NUM[priv.$c]=$(awk '{print $3}' "$W/mem.$c" | median)
        NUM[rss.$c]=$(awk '{print $2}' "$W/mem.$c" | median)
        TXT[priv.$c]="${NUM[priv.$c]} kB" TXT[rss.$c]="${NUM[rss.$c]} kB"
done

# ---- table ------------------------------------------------------------------
cell() { # METRIC NAME
        if [ -n "${WHY[$2]:-}" ]; then printf 'not measured: %s' "${WHY[$2]}"
        else printf '%s' "${TXT[$1.$2]:-—}"; fi
}
# vs METRIC KEY: KEY ÷ the lower of tini-static and catatonit
vs() {
        local a=${NUM[$1.$2]:-} t=${NUM[$1.tini-static]:-} k=${NUM[$1.catatonit]:-} b n
        if [ -n "$t" ] && { [ -z "$k" ] || awk -v x="$t" -v y="$k" 'BEGIN { exit !(x <= y) }'; }; then
                b=$t n=tini-static
        else
                b=$k n=catatonit
        fi
        if [ -z "$a" ] || [ -z "$b" ] || [ "$b" = 0 ] || [ "$b" = 0.000 ]; then
                printf 'n/a'
        else
                awk -v a="$a" -v b="$b" -v n="$n" 'BEGIN { printf "%.2f× %s", a / b, n }'
        fi
}
row() { # LABEL METRIC KEY REGULAR_KEY
        printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$(cell "$2" "$3")" \
                "$(cell "$2" "$4")" "$(cell "$2" tini-static)" "$(cell "$2" catatonit)" "$(vs "$2" "$3")"
}
echo
echo "| static init (PID 1), \`make static\` | contrainer static | contrainer (regular) | tini-static | catatonit | ratio vs best static peer |"
echo "|---|---|---|---|---|---|"
row "start-up overhead (\`INIT -- true\` − \`true\`), contrainer with empty --boot-dir/--service-dir (starts runsvdir)" startup static regular
row "start-up overhead, plain \`contrainer init -- true\` (no /etc/service: no runsvdir)" startup static_plain regular_plain
row "PID 1 private memory (Private_Clean+Private_Dirty)" priv static regular
row "PID 1 VmRSS" rss static regular
echo
echo "- static: $(file -b "$STATIC" 2>/dev/null | cut -d, -f1-2), $(stat -c %s "$STATIC" 2>/dev/null) bytes; tini-static $(stat -c %s /usr/bin/tini-static 2>/dev/null) bytes, catatonit $(stat -c %s /usr/bin/catatonit 2>/dev/null) bytes; $START_RUNS start-up runs, $MEM_REPS memory runs each, same set-up as the init table"
