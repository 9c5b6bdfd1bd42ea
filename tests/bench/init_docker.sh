#!/bin/bash
# Init under Docker: contrainer as the base image's PID 1 against Docker's
# own --init (tini) on the same image (issue 10's short-lived containers).
#   - `docker run --rm contrainer/base:latest true` vs
#     `docker run --rm --init --entrypoint /bin/true contrainer/base:latest`
#   - `docker stop` of a services-only base container (its runit services,
#     no COMMAND) vs a --init container running `sleep`
# Interleaved pairs (contrainer first in odd pairs, tini first in even
# ones), medians of each side; the ratio is taken by run.sh.
# Needs the image (make images) on the daemon of DOCKER_HOST (run it against
# a private daemon: source /work/wt/own-dockerd.sh NAME).
# Inputs: BENCH_RESULTS, BENCH_QUICK.  Results: see lib.sh.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"

IMG=contrainer/base:latest
# 15 pairs: a Docker call's wall time varies by tens of milliseconds on a
# loaded machine, more than the differences measured here.
PAIRS=15
[ "${BENCH_QUICK:-0}" = 1 ] && PAIRS=7
P=ctrbench-init

skip_all() {
        local k
        for k in docker_run docker_stop; do
                na "init.$k.contrainer" "$1"
                na "init.$k.tini" "$1"
        done
        exit 0
}
command -v docker >/dev/null || skip_all "no docker CLI"
docker image inspect "$IMG" >/dev/null 2>&1 || skip_all "no $IMG on this daemon (make images)"

cleanup() {
        docker ps -aq --filter "name=^$P-" | xargs -r docker rm -f >/dev/null 2>&1
}
trap cleanup EXIT
cleanup

# ms CMD...: wall milliseconds of CMD (its output discarded); "" if it failed.
ms() {
        local t0 t1
        t0=$(now_ns)
        "$@" >/dev/null 2>&1 || return 1
        t1=$(now_ns)
        echo $(( (t1 - t0) / 1000000 ))
}

say "init: docker run --rm true, $PAIRS interleaved pairs"
: >"$BENCH_RESULTS.drc"; : >"$BENCH_RESULTS.drt"
fail=
for i in $(seq 1 "$PAIRS"); do
        for side in $( [ $((i % 2)) = 1 ] && echo "c t" || echo "t c"); do
                if [ "$side" = c ]; then
                        v=$(ms docker run --rm --network none --name "$P-run-c$i" "$IMG" true) || fail="contrainer: docker run failed"
                        echo "$v" >>"$BENCH_RESULTS.drc"
                else
                        v=$(ms docker run --rm --network none --name "$P-run-t$i" --init --entrypoint /bin/true "$IMG") ||
                                fail="tini: docker run failed"
                        echo "$v" >>"$BENCH_RESULTS.drt"
                fi
        done
done
if [ -n "$fail" ]; then
        na init.docker_run.contrainer "$fail"; na init.docker_run.tini "$fail"
else
        c=$(median <"$BENCH_RESULTS.drc") t=$(median <"$BENCH_RESULTS.drt")
        put init.docker_run.contrainer "$c" "$c ms"
        put init.docker_run.tini "$t" "$t ms"
fi

say "init: docker stop, $PAIRS interleaved pairs"
: >"$BENCH_RESULTS.dsc"; : >"$BENCH_RESULTS.dst"
fail=
for i in $(seq 1 "$PAIRS"); do
        # both started first and given the same 1.5 s (the services run past
        # runsv's 1-second throttle), then stopped in alternating order
        docker run -d --network none --name "$P-stop-c$i" "$IMG" >/dev/null 2>&1 || fail="contrainer: docker run -d failed"
        docker run -d --network none --name "$P-stop-t$i" --init --entrypoint sleep "$IMG" 1000 >/dev/null 2>&1 ||
                fail="tini: docker run -d failed"
        sleep 1.5
        for side in $( [ $((i % 2)) = 1 ] && echo "c t" || echo "t c"); do
                v=$(ms docker stop "$P-stop-$side$i") || fail="docker stop failed"
                [ "$side" = c ] && echo "$v" >>"$BENCH_RESULTS.dsc"
                [ "$side" = t ] && echo "$v" >>"$BENCH_RESULTS.dst"
        done
        docker rm -f "$P-stop-c$i" "$P-stop-t$i" >/dev/null 2>&1
done
if [ -n "$fail" ]; then
        na init.docker_stop.contrainer "$fail"; na init.docker_stop.tini "$fail"
else
        c=$(median <"$BENCH_RESULTS.dsc") t=$(median <"$BENCH_RESULTS.dst")
        put init.docker_stop.contrainer "$c" "$c ms"
        put init.docker_stop.tini "$t" "$t ms"
fi
rm -f "$BENCH_RESULTS".ds? "$BENCH_RESULTS".dr?
note "init (Docker): $PAIRS interleaved pairs each; run = \`docker run --rm $IMG true\` vs \`docker run --rm --init --entrypoint /bin/true $IMG\`; stop = \`docker stop\` of \`docker run -d $IMG\` (its runit services, no COMMAND) vs \`docker run -d --init --entrypoint sleep $IMG 1000\`, all with \`--network none\` (the default bridge may be missing), each 1.5 s after start; wall time of the docker CLI call"
exit 0
