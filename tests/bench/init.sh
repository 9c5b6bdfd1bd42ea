#!/bin/bash
# Init benchmarks: contrainer init against tini, dumb-init and catatonit,
# each as PID 1 of a fresh PID namespace (unshare --pid --fork --mount-proc
# --kill-child: if unshare dies, its PID 1 and so the whole namespace die).
#
# run.sh starts this script inside a private mount namespace
# (unshare --mount, propagation private) and says so with
# CTRBENCH_PRIVATE_MNT=1: the first thing done here is to put a tmpfs copy
# of /etc over /etc, so that contrainer's environment export
# (/etc/container_environment*) never touches the real /etc.
#
# Inputs (environment): CTR (binary under test), HB (built helpers), WORK
# (scratch dir), BENCH_RESULTS, BENCH_QUICK.  Results: see lib.sh.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"

if [ "${CTRBENCH_PRIVATE_MNT:-}" != 1 ]; then
        echo "init.sh: run it through run.sh (needs a private mount namespace)" >&2
        exit 2
fi

quick=${BENCH_QUICK:-0}
if [ "$quick" = 1 ]; then
        START_RUNS=80 MEM_REPS=1 REAP_N=2000 REAP_REPS=1 SIG_N=500 SHUT_REPS=1
else
        START_RUNS=400 MEM_REPS=3 REAP_N=10000 REAP_REPS=3 SIG_N=2000 SHUT_REPS=3
fi

# Every init gets the environment a `docker run` container gets (PATH,
# HOSTNAME, HOME), not the bench's: contrainer exports each variable to
# /etc/container_environment*, so its start-up cost grows with the count.
CENV=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
      HOSTNAME=ctrbench HOME=/root)
NS=("${CENV[@]}" unshare --pid --fork --mount-proc --kill-child)
NSONLY=(unshare --pid --fork --mount-proc --kill-child)
W=$WORK/init
mkdir -p "$W/empty" "$W/log"
E=$W/empty

# ---- a private /etc ---------------------------------------------------------
# A copy, not an empty tmpfs: the peers and the shell need nothing from /etc,
# but a user's contrainer would see the image's /etc.  The host's
# /etc/service (one runit service whose supervise dir links into the real
# /run) is left out, so "plain" contrainer starts no services.
etc=$W/etc
mkdir -p "$etc"
if ! mount -t tmpfs -o size=64m ctrbench-etc "$etc" ||
   ! cp -a /etc/. "$etc/" ||
   ! rm -rf "$etc/service" "$etc/boot.d" "$etc/my_init.d" "$etc/rc.local" \
        "$etc/shutdown.d" "$etc/my_init.pre_shutdown.d" "$etc/my_init.post_shutdown.d" ||
   ! mount --bind "$etc" /etc; then
        say "cannot set up a private /etc; no init measurement"
        for k in startup mem reap sig shut; do
                na "init.$k.contrainer" "no private /etc (tmpfs + bind mount failed)"
        done
        exit 0
fi
note "init: each init is PID 1 of \`unshare --pid --fork --mount-proc\`, with a private tmpfs copy of /etc (no /etc/service, /etc/boot.d) and a container's environment (PATH, HOSTNAME, HOME)"

# ---- contestants ------------------------------------------------------------
# name -> argv prefix up to and including "--" (the command follows).
declare -A PRE
CONTESTANTS=()
ctr_reason=
ctr_log=$W/log/ctr-check.log
if [ ! -x "$CTR" ]; then
        ctr_reason="no binary at $CTR"
else
        # it must run COMMAND and give its exit status back
        timeout -s KILL 30 "${NS[@]}" "$CTR" init --boot-dir "$E" --service-dir "$E" \
                -- sh -c 'exit 3' >"$ctr_log" 2>&1
        rc=$?
        if [ "$rc" != 3 ]; then
                ctr_reason="contrainer init not working yet (\`init -- sh -c 'exit 3'\` gave $rc: $(first_line "$ctr_log"))"
        fi
fi
if [ -z "$ctr_reason" ]; then
        PRE[contrainer]="$CTR init --boot-dir $E --service-dir $E --"
        CONTESTANTS+=(contrainer)
else
        say "$ctr_reason"
fi
PEERS=()
for p in tini dumb-init catatonit; do
        if [ -x "/usr/bin/$p" ]; then
                PRE[$p]="/usr/bin/$p --"
                CONTESTANTS+=("$p")
                PEERS+=("$p")
        fi
done
# not-measured lines for absent contestants, for every init metric
absent() {
        local metric=$1 p
        [ -n "$ctr_reason" ] && na "init.$metric.contrainer" "$ctr_reason"
        for p in tini dumb-init catatonit; do
                [ -x "/usr/bin/$p" ] || na "init.$metric.$p" "/usr/bin/$p not installed"
        done
}

# ---- start-up ---------------------------------------------------------------
say "init: start-up ($START_RUNS runs each)"
args=("${NS[@]}" /bin/true)
labels=(base)
for c in "${CONTESTANTS[@]}"; do
        # shellcheck disable=SC2206 # PRE holds our own paths, no spaces
        args+=(::: "${NS[@]}" ${PRE[$c]} /bin/true)
        labels+=("$c")
done
if [ -z "$ctr_reason" ]; then
        args+=(::: "${NS[@]}" "$CTR" init -- /bin/true)
        labels+=(ctr_plain)
        args+=(::: "${NS[@]}" "$CTR" init --skip-startup-files --skip-runit -- /bin/true)
        labels+=(ctr_min)
fi
out=$("$HB/spawn_timer" "$START_RUNS" 20 -- "${args[@]}")
while read -r idx med _p10 _p90 diff fails; do
        l=${labels[$idx]}
        if [ "$l" = base ]; then
                note "init: start-up baseline \`unshare --pid --fork --mount-proc true\`: median $(fmt 2 "$(awk -v x="$med" 'BEGIN{print x/1000}')") ms"
                continue
        fi
        key=$l
        case $l in
        ctr_plain) key=contrainer_plain ;;
        ctr_min) key=contrainer_min ;;
        esac
        if [ "$fails" -gt 0 ]; then
                na "init.startup.$key" "$fails of $START_RUNS runs failed"
        else
                ms=$(awk -v x="$diff" 'BEGIN { printf "%.3f", x / 1000 }')
                put "init.startup.$key" "$ms" "$(fmt 2 "$ms") ms"
        fi
done <<<"$out"
absent startup
if [ -n "$ctr_reason" ]; then
        na init.startup.contrainer_plain "$ctr_reason"
        na init.startup.contrainer_min "$ctr_reason"
fi

# ---- start-up with 3, 35 and 300 environment variables ----------------------
# A Kubernetes pod gets dozens of variables per service; contrainer exports
# each one.  Each size is its own interleaved run with its own baseline (the
# same environment without an init).  3 = the container environment above.
say "init: start-up with 3, 35 and 300 environment variables ($START_RUNS runs each)"
for n in 3 35 300; do
        extra=()
        for i in $(seq 1 $((n - 3))); do
                extra+=("SERVICE_${i}_PORT=tcp://10.0.$((i / 250)).$((i % 250)):80$((i % 10))")
        done
        EN=("${CENV[@]}" "${extra[@]}" unshare --pid --fork --mount-proc --kill-child)
        args=("${EN[@]}" /bin/true ::: "${EN[@]}" /usr/bin/tini -- /bin/true)
        labels=(base tini)
        if [ -z "$ctr_reason" ]; then
                args+=(::: "${EN[@]}" "$CTR" init -- /bin/true)
                labels+=(contrainer)
        fi
        if [ ! -x /usr/bin/tini ]; then
                na "init.startup_env$n.tini" "/usr/bin/tini not installed"
                continue
        fi
        out=$("$HB/spawn_timer" "$START_RUNS" 20 -- "${args[@]}")
        while read -r idx _med _p10 _p90 diff fails; do
                l=${labels[$idx]}
                [ "$l" = base ] && continue
                if [ "$fails" -gt 0 ]; then
                        na "init.startup_env$n.$l" "$fails of $START_RUNS runs failed"
                else
                        us=$(awk -v x="$diff" 'BEGIN { printf "%.0f", x }')
                        put "init.startup_env$n.$l" "$us" "$(fmt 2 "$(awk -v x="$us" 'BEGIN { print x / 1000 }')") ms"
                fi
        done <<<"$out"
done
[ -n "$ctr_reason" ] && for n in 3 35 300; do na "init.startup_env$n.contrainer" "$ctr_reason"; done
note "init: start-up with N variables: \`env -i PATH HOSTNAME HOME + (N-3) SERVICE_i_PORT=tcp://… unshare … INIT -- true\` − the same without INIT; contrainer plain (\`contrainer init -- true\`, no /etc/service, no boot scripts), tini \`tini -- true\`"

# ---- resident memory of PID 1 -----------------------------------------------
# A fresh container has no /etc/container_environment: drop the one the
# 300-variable runs left in the private /etc, whose names contrainer would
# otherwise take in (docs/init.md: files already there fill in names).
rm -rf /etc/container_environment /etc/container_environment.sh /etc/container_environment.json
# Read 1 s after the command appeared: the steady state while it runs
# (contrainer gives its start-up pages back once it has been idle 0.1 s,
# which a loaded machine can delay past a shorter wait).
say "init: memory of PID 1 while \`sleep\` runs"
for c in "${CONTESTANTS[@]}"; do
        : >"$W/mem.$c"
        err=
        for _ in $(seq "$MEM_REPS"); do
                # shellcheck disable=SC2086
                r=$("$HB/pid1probe" mem -l "$W/log/mem.$c.log" -w sleep -s 1000 -- \
                        "${NS[@]}" ${PRE[$c]} sleep 1000)
                case $r in
                error:*) err=${r#error: }; break ;;
                *) echo "$r" >>"$W/mem.$c" ;;
                esac
        done
        if [ -n "$err" ]; then
                for f in hwm rss priv; do na "init.mem_$f.$c" "$err"; done
                continue
        fi
        hwm=$(awk '{print $1}' "$W/mem.$c" | median)
        rss=$(awk '{print $2}' "$W/mem.$c" | median)
        priv=$(awk '{print $3}' "$W/mem.$c" | median)
        put "init.mem_hwm.$c" "$hwm" "$hwm kB"
        put "init.mem_rss.$c" "$rss" "$rss kB"
        put "init.mem_priv.$c" "$priv" "$priv kB"
done
absent mem_hwm; absent mem_rss; absent mem_priv
note "init: memory = PID 1's /proc/PID/status and smaps_rollup, read 1 s after \`INIT -- sleep 1000\` started sleep (contrainer with empty --boot-dir/--service-dir)"

# ---- reaping ----------------------------------------------------------------
say "init: reaping $REAP_N orphans ($REAP_REPS runs each)"
for c in "${CONTESTANTS[@]}"; do
        : >"$W/reap.$c"
        err=
        for _ in $(seq "$REAP_REPS"); do
                rm -f "$W/reap.out"
                # shellcheck disable=SC2086
                timeout -s KILL 180 "${NS[@]}" ${PRE[$c]} "$HB/zombies" "$REAP_N" "$W/reap.out" \
                        >"$W/log/reap.$c.log" 2>&1
                rc=$?
                if [ ! -s "$W/reap.out" ]; then
                        err="no result (exit $rc: $(first_line "$W/log/reap.$c.log"))"
                        break
                fi
                cat "$W/reap.out" >>"$W/reap.$c"
        done
        if [ -n "$err" ]; then
                na "init.reap.$c" "$err"
                na "init.reap_left.$c" "$err"
                continue
        fi
        left=$(awk '$3 > m { m = $3 } END { print m + 0 }' "$W/reap.$c")
        zleft=$(awk '$4 > m { m = $4 } END { print m + 0 }' "$W/reap.$c")
        if [ "$left" -gt 0 ]; then
                na "init.reap.$c" "$left processes ($zleft zombies) still there after 60 s"
        else
                ms=$(awk '{print $1}' "$W/reap.$c" | median)
                put "init.reap.$c" "$ms" "$(fmt 0 "$ms") ms"
        fi
        put "init.reap_left.$c" "$zleft" "$zleft"
done
absent reap; absent reap_left

# ---- signal forwarding ------------------------------------------------------
say "init: signal forwarding ($SIG_N signals each)"
fifo=$W/sig.fifo
sig_one() { # KEY ARGV...
        local key=$1 r med p90 lost
        shift
        r=$("$HB/pid1probe" sig -l "$W/log/sig.$key.log" -f "$fifo" -n "$SIG_N" -- "$@")
        case $r in
        error:*) na "init.sig.$key" "${r#error: }"; return ;;
        esac
        read -r med p90 lost <<<"$r"
        if [ "$lost" -gt 0 ]; then
                na "init.sig.$key" "$lost signals never reached the command"
        else
                put "init.sig.$key" "$med" "$(fmt 0 "$med") µs (p90 $(fmt 0 "$p90"))"
        fi
}
for c in "${CONTESTANTS[@]}"; do
        # shellcheck disable=SC2086
        sig_one "$c" "${NS[@]}" ${PRE[$c]} "$HB/sigecho" "$fifo"
done
sig_one direct "${NS[@]}" "$HB/sigecho" "$fifo"
absent sig
dl=$(awk -F'\t' '$1 == "init.sig.direct" { print $3 }' "$BENCH_RESULTS")
note "init: signal baseline without an init (kill() straight to the command as PID 1 of its namespace): $dl"

# ---- shutdown with runit services -------------------------------------------
# Each service's run script marks ready.<name> in $R once it has run for more
# than a second and, for the prompt kind, stopped.<name> from its TERM trap (a
# graceful stop).  Why the second: runsv(8) sleeps 1 s after a service that
# ran for less than 1 s before it looks at anything else (runit's restart
# throttle in runsv.c), which would time runit's throttle, not the shutdown.
R=$W/ready
mk_services() { # DIR COUNT KIND(prompt|ignore)
        local dir=$1 n=$2 kind=$3 i s
        mkdir -p "$dir/sv" "$dir/service"
        for i in $(seq -w 1 "$n"); do
                s=$dir/sv/s$i
                mkdir -p "$s"
                if [ "$kind" = prompt ]; then
                        printf '#!/bin/sh\ntrap '\''touch %s/stopped.s%s; exit 0'\'' TERM\nsleep 1.1\ntouch %s/ready.s%s\nwhile :; do sleep 1 & wait $!; done\n' \
                                "$R" "$i" "$R" "$i" >"$s/run"
                else
                        printf '#!/bin/sh\ntrap '\'''\'' TERM\nsleep 1.1\ntouch %s/ready.s%s\nwhile :; do sleep 1; done\n' \
                                "$R" "$i" >"$s/run"
                fi
                chmod +x "$s/run"
                ln -s "$s" "$dir/service/s$i"
        done
}
mk_services "$W/p1" 1 prompt
mk_services "$W/p20" 20 prompt
mk_services "$W/i20" 20 ignore
say "init: shutdown with runit services ($SHUT_REPS runs each)"
# shut_one KEY COUNT SERVICE_DIR KILL_PROCESS_TIMEOUT
shut_one() {
        local key=$1 n=$2 sd=$3 kpt=$4 c r err ms g
        for c in "${CONTESTANTS[@]}"; do
                : >"$W/shut.$key.$c"
                : >"$W/grace.$key.$c"
                err=
                for _ in $(seq "$SHUT_REPS"); do
                        rm -rf "$R" && mkdir -p "$R"
                        if [ "$c" = contrainer ]; then
                                r=$("$HB/pid1probe" term -l "$W/log/shut.$key.$c.log" -r "$R" -c "$n" -- \
                                        "${CENV[@]}" KILL_PROCESS_TIMEOUT="$kpt" KILL_ALL_PROCESSES_TIMEOUT=1 \
                                        "${NSONLY[@]}" "$CTR" init --boot-dir "$E" --service-dir "$sd/service")
                        else
                                # shellcheck disable=SC2086
                                r=$("$HB/pid1probe" term -l "$W/log/shut.$key.$c.log" -r "$R" -c "$n" -- \
                                        "${NS[@]}" ${PRE[$c]} runsvdir -P "$sd/service")
                        fi
                        case $r in
                        error:*) err=${r#error: }; break ;;
                        esac
                        echo "$r" >>"$W/shut.$key.$c"
                        find "$R" -name 'stopped.*' | wc -l >>"$W/grace.$key.$c"
                done
                if [ -n "$err" ]; then
                        na "init.shut_$key.$c" "$err"
                        [ "$key" = p20 ] && na "init.grace.$c" "$err"
                        continue
                fi
                ms=$(median <"$W/shut.$key.$c")
                put "init.shut_$key.$c" "$ms" "$(fmt 0 "$ms") ms"
                if [ "$key" = p20 ]; then
                        g=$(median <"$W/grace.$key.$c")
                        put "init.grace.$c" "$g" "$g of $n"
                fi
        done
        absent "shut_$key"
}
shut_one p1 1 "$W/p1" 4
shut_one p20 20 "$W/p20" 4
absent grace
shut_one i20 20 "$W/i20" 1
note "init: shutdown = SIGTERM to PID 1 until PID 1 has exited. contrainer: \`contrainer init --boot-dir EMPTY --service-dir DIR\` (no COMMAND); peers: \`PEER -- runsvdir -P DIR\`. Services ignoring TERM: KILL_PROCESS_TIMEOUT=1 KILL_ALL_PROCESSES_TIMEOUT=1 (defaults 4 and 1)."
exit 0
