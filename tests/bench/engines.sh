#!/bin/bash
# make bench, per engine (docs/engines.md): the latency of a dispatch on each
# engine users run, by the path the controller takes there (direct, or the
# exec API), as a ratio to that engine's own exec loop — the shell loop a
# user would write: `docker events` piped into `docker exec` (the docker
# CLI speaks to Podman's Docker API too).
#
# Each engine runs as a private daemon of the bench's own (tests/lib/engines.sh,
# the same set-ups as make check-engines), never the machine's Engine.  One
# registrar per container ("%me:start", body "/bin/stamp >>/bench/t");
# latency = the body's first stamp − the container's State.StartedAt (the
# same clock).  BENCH_ENGINE_N containers per contestant (default 7), one
# after the other; the median is reported.  Everything made here is removed
# at the end and on failure.
#   usage: tests/bench/engines.sh CONTRAINER   (CTR_ENGINES: which engines)
set -u
export LC_ALL=C
CTR=${1:?usage: engines.sh CONTRAINER}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/dockerd.sh
. "$here/../lib/dockerd.sh"
# shellcheck source=tests/lib/engines.sh
. "$here/../lib/engines.sh"

N=${BENCH_ENGINE_N:-7}
ENGINES=${CTR_ENGINES:-docker20 docker-trixie podman podman-rootless docker-rootless}
IMG=ctrbench/engines:latest
W=$(mktemp -d /tmp/ctrbench-eng.XXXXXX)
chmod 0755 "$W"
ctl_pid='' loop_pid='' PD='' PD_PID=''

cc -O2 -static -o "$W/stamp" "$here/stamp.c" || exit 1
mkdir -p "$W/s"
printf '#!/bin/sh\necho %%me:start\necho %s\n' "'/bin/stamp >>/bench/t'" >"$W/s/10-bench"
chmod 0755 "$W/s/10-bench"

stop_pid() { # PID [GROUP]: TERM (the group with GROUP), wait up to 30 s, KILL
        [ -n "$1" ] || return 0
        if [ -n "${2:-}" ]; then kill -TERM -- "-$1" 2>/dev/null; else kill -TERM "$1" 2>/dev/null; fi
        wait_until 30 sh -c "! kill -0 $1 2>/dev/null" || kill -KILL "$1" 2>/dev/null
        wait "$1" 2>/dev/null
}
engine_down() {
        local ids m
        stop_pid "$ctl_pid"
        stop_pid "$loop_pid" group
        ctl_pid='' loop_pid=''
        [ -n "$PD" ] || return 0
        ids=$(docker ps -aq --filter name=ctrbench-e 2>/dev/null)
        # shellcheck disable=SC2086 # ids from docker ps
        [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1
        stop_pid "$PD_PID"
        engine_cleanup "$PD"
        awk -v d="$PD/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
                while read -r m; do umount -l "$m" 2>/dev/null; done
        rm -rf "$PD"
        PD='' PD_PID=''
}
# shellcheck disable=SC2317 # called by the trap
cleanup() {
        engine_down
        rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

image() { # busybox + /bin/stamp, imported (no registry)
        local root=$W/root a
        rm -rf "$root"
        mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/proc" "$root/sys" "$root/dev" "$root/bench"
        cp /bin/busybox "$W/stamp" "$root/bin/"
        for a in $("$root/bin/busybox" --list); do
                [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
        done
        echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
        echo 'root:x:0:' >"$root/etc/group"
        tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' - "$IMG" >/dev/null
}

# run_one CONTESTANT I [OPTIONS...]: start container I, wait for its stamp,
# print the latency in ms.
run_one() {
        local c=$1 i=$2 name d started first
        shift 2
        name=ctrbench-e$c-$i
        d=$W/b/$CTR_ENGINE-$c-$i
        mkdir -p "$d"
        chmod 0777 "$d"
        docker run -d --network none --name "$name" -v "$d:/bench" "$@" "$IMG" \
                sh -c 'trap "exit 0" TERM; sleep 600 & wait' >/dev/null || return 1
        wait_until 60 test -s "$d/t" || { echo "no stamp from $name" >&2; return 1; }
        started=$(docker inspect -f '{{.State.StartedAt}}' "$name")
        first=$(head -n 1 "$d/t")
        docker rm -f "$name" >/dev/null 2>&1
        awk -v a="$first" -v b="$(date -d "$started" +%s%N)" 'BEGIN { printf "%.1f\n", (a - b) / 1e6 }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "n/a" }'; }

rows=""
for e in $ENGINES; do
        PD=$(mktemp -d /tmp/ctrtest-pd.XXXXXX)
        PD_SOCK=$PD/d.sock
        CTR_ENGINE=$e
        if ! engine_start || ! wait_until 60 curl -fsS --max-time 2 --unix-socket "$PD_SOCK" \
                http://localhost/_ping >/dev/null 2>&1; then
                rows="$rows
| $e | n/a | n/a | n/a | engine did not start |"
                engine_down
                continue
        fi
        export DOCKER_HOST=unix://$PD_SOCK
        image || { engine_down; continue; }
        # the controller (dispatch auto: direct where exact, else the API)
        "$CTR" watch --docker-socket "$PD_SOCK" --state-dir "$W/state-$e" --script-dir /ctrbench \
                --sysimage "$W/no-sysimage" >"$W/ctl-$e.log" 2>&1 &
        ctl_pid=$!
        wait_until 30 grep -q "watching " "$W/ctl-$e.log"
        ctr=$(for i in $(seq 1 "$N"); do run_one ctl "$i" -v "$W/s:/ctrbench:ro"; done | median)
        path=direct
        grep -q "goes through the exec API\|direct dispatch is off" "$W/ctl-$e.log" && path=api
        stop_pid "$ctl_pid"
        ctl_pid=''
        # the engine's own exec loop
        # shellcheck disable=SC2016 # expanded by the loop's shell
        # (by name in the loop: Podman 4.3's API ignores a name filter)
        setsid sh -c 'docker events --filter type=container --filter event=start \
                --format "{{.ID}} {{.Actor.Attributes.name}}" | while read -r id n; do
                case $n in ctrbench-eloop-*) docker exec "$id" sh -c "/bin/stamp >>/bench/t" ;; esac; done' \
                >"$W/loop-$e.log" 2>&1 &
        loop_pid=$!
        sleep 1 # scenario time: `docker events` subscribes (no answer to wait for)
        loop=$(for i in $(seq 1 "$N"); do run_one loop "$i"; done | median)
        ratio=$(awk -v a="$ctr" -v b="$loop" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f×", a / b; else print "n/a" }')
        rows="$rows
| $e ($(grep -o 'watching [A-Za-z]* [^ ]*' "$W/ctl-$e.log" | head -1 | cut -d' ' -f2-)) | $path | $ctr | $loop | $ratio |"
        engine_down
done
echo
echo "Dispatch latency per engine: start → body's first output, median of $N (ms); ratio = contrainer ÷ the engine's own exec loop (lower is better)."
echo
echo "| engine | contrainer path | contrainer | docker exec loop | ratio |"
echo "|---|---|---|---|---|"
echo "${rows#?}"
