#!/bin/bash
# The direct path's latency (run by run.sh; writes to $BENCH_RESULTS):
# `contrainer exec CTR true` against `docker exec CTR true` on one running
# busybox container, each run alternately, medians and their ratio from this
# one run.  Both include their own client start-up (a fresh process each).
# Needs root and a Docker Engine on $DOCKER_SOCK (started only if none).
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/lib/dockerd.sh
. "$here/../lib/dockerd.sh"
: "${CTR:?CTR names the contrainer binary}"
: "${BENCH_RESULTS:?}"
N=50
[ "${BENCH_QUICK:-0}" = 1 ] && N=15
NAME=ctrbench-direct-$$
IMG=ctrbench/direct-busybox:latest
started_engine=''
export DOCKER_HOST=unix://$DOCKER_SOCK

cleanup() {
        docker rm -f "$NAME" >/dev/null 2>&1
        docker rmi "$IMG" >/dev/null 2>&1
        [ -n "$started_engine" ] && dockerd_release
        return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! docker_ping; then
        if ! dockerd_ensure; then
                na direct.exec.contrainer "no Docker Engine"
                exit 0
        fi
        started_engine=1
fi
if ! busybox_image "$IMG" ||
        ! docker run -d --network none --name "$NAME" "$IMG" sleep 3600 >/dev/null; then
        na direct.exec.contrainer "cannot start a busybox container"
        exit 0
fi
if ! "$CTR" exec --docker-socket "$DOCKER_SOCK" "$NAME" true 2>"$WORK/direct.err"; then
        na direct.exec.contrainer "contrainer exec refused: $(head -n1 "$WORK/direct.err")"
        exit 0
fi

say "direct: $N × contrainer exec vs docker exec"
if command -v hyperfine >/dev/null && command -v jq >/dev/null; then
        # hyperfine -N: no shell in between, so only the two clients are timed.
        hyperfine -N -w 3 -r "$N" --export-json "$WORK/direct.json" \
                "$CTR exec --docker-socket $DOCKER_SOCK $NAME true" \
                "docker exec $NAME true" >/dev/null 2>&1
        c=$(jq '.results[0].median * 1000 * 100 | round / 100' "$WORK/direct.json")
        a=$(jq '.results[1].median * 1000 * 100 | round / 100' "$WORK/direct.json")
        how="hyperfine -N, median of $N each"
else
        ms_of() { # CMD... → elapsed ms of one run (includes a fork of date)
                local t0 t1
                t0=$(date +%s%N)
                "$@" >/dev/null 2>&1
                t1=$(date +%s%N)
                awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", (b - a) / 1e6 }'
        }
        : >"$WORK/direct.ctr"
        : >"$WORK/direct.api"
        for _ in $(seq 1 "$N"); do
                ms_of "$CTR" exec --docker-socket "$DOCKER_SOCK" "$NAME" true >>"$WORK/direct.ctr"
                ms_of docker exec "$NAME" true >>"$WORK/direct.api"
        done
        c=$(median <"$WORK/direct.ctr")
        a=$(median <"$WORK/direct.api")
        how="date +%s%N around each run (no hyperfine), median of $N each"
fi
put direct.exec.contrainer "$c" "$c ms"
put direct.exec.docker "$a" "$a ms"
note "$(awk -v c="$c" -v a="$a" -v h="$how" 'BEGIN {
        printf "direct path: `contrainer exec CTR true` %.1f ms vs `docker exec CTR true` %.1f ms (%s, client start-up included): %.2f× of docker exec", c, a, h, c / a }')"
