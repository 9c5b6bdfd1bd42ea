# shellcheck shell=bash
# Test set-up for a real Docker Engine (sourced by run-bats.sh, bats files and
# the benchmarks).  dockerd_ensure starts Debian's dockerd only when nothing
# answers /_ping on the socket and records, in this shell, that it did;
# dockerd_release stops only a daemon this shell started, by its PID.  (Not
# a file: another run on the machine that found the daemon answering must
# never stop it.)

DOCKER_SOCK=${DOCKER_SOCK:-/var/run/docker.sock}
CTR_STATE_DIR=${CTR_STATE_DIR:-/tmp/contrainer-tests}
CTR_DOCKERD_STARTED=

docker_ping() {
        curl -fsS --max-time 2 --unix-socket "$DOCKER_SOCK" http://localhost/_ping >/dev/null 2>&1
}

# Wait until CMD... succeeds or SECONDS pass.  usage: wait_until SECONDS CMD...
wait_until() {
        local deadline=$((SECONDS + $1))
        shift
        until "$@"; do
                [ "$SECONDS" -lt "$deadline" ] || return 1
                sleep 0.1
        done
}

dockerd_ensure() {
        docker_ping && return 0
        command -v dockerd >/dev/null || { echo "dockerd not installed (apt-get install docker.io)" >&2; return 1; }
        mkdir -p "$CTR_STATE_DIR"
        setsid dockerd --pidfile "$CTR_STATE_DIR/dockerd.pid" \
                >"$CTR_STATE_DIR/dockerd.log" 2>&1 </dev/null &
        CTR_DOCKERD_STARTED=$!
        if ! wait_until 60 docker_ping; then
                echo "dockerd did not answer /_ping within 60 s; its log:" >&2
                tail -20 "$CTR_STATE_DIR/dockerd.log" >&2
                return 1
        fi
}

dockerd_release() {
        local pid=$CTR_DOCKERD_STARTED
        [ -n "$pid" ] || return 0
        CTR_DOCKERD_STARTED=
        kill "$pid" 2>/dev/null || return 0
        wait_until 30 sh -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null
}

# A busybox-static root filesystem as image TAG (default ctrtest/busybox:latest),
# built from files on this machine (no registry exists).
busybox_image() {
        local tag=${1:-ctrtest/busybox:latest} root
        docker image inspect "$tag" >/dev/null 2>&1 && return 0
        root=$(mktemp -d)
        mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/proc" "$root/sys" "$root/dev"
        cp /bin/busybox "$root/bin/busybox"
        for a in $("$root/bin/busybox" --list); do
                [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
        done
        echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
        echo 'root:x:0:' >"$root/etc/group"
        tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' - "$tag" >/dev/null
        local rc=$?
        rm -rf "$root"
        return $rc
}
