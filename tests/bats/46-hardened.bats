#!/usr/bin/env bats
# The base image where containers really run (docs/hardening.md,
# examples/hardened/): every combination of root / --user 1000:1000 /
# --user 123456 (no passwd entry), writable / --read-only root, with /
# without --tmpfs /run keeps the command's exit status; services run as
# that user wherever /run is writable; critical services; the hardened
# docker run line and the Kubernetes securityContext of examples/hardened/.
load images_helpers

# The product image is built once (images/build.sh) and tagged with this
# file's prefix at once, so that a parallel rebuild of contrainer/base by
# another suite does not change what these tests run.
setup_file() {
        img_setup_file build || return 1
        docker tag "$BASE_IMAGE" "${IP}base" || return 1
        local d=$BATS_FILE_TMPDIR/svc
        mkdir -p "$d"
        cat >"$d/Dockerfile" <<EOF2
FROM ${IP}base
RUN mkdir -p /etc/sv/hello && printf '#!/bin/sh\nid -u >"/run/hello.\$(id -u)"\nexec sleep 600\n' >/etc/sv/hello/run && \
    chmod 0755 /etc/sv/hello/run && ln -s /run/runit/supervise/hello /etc/sv/hello/supervise && \
    ln -s /etc/sv/hello /etc/service/hello
EOF2
        build_test_image "${IP}svc" "$d" || return 1
        d=$BATS_FILE_TMPDIR/crit
        mkdir -p "$d"
        cat >"$d/Dockerfile" <<EOF2
FROM ${IP}base
RUN mkdir -p /etc/sv/crit && printf '#!/bin/sh\n[ -z "\$CRASH" ] || { sleep 0.5; exit "\$CRASH"; }\nexec sleep 600\n' >/etc/sv/crit/run && \
    chmod 0755 /etc/sv/crit/run && touch /etc/sv/crit/critical && ln -s /etc/sv/crit /etc/service/crit
EOF2
        build_test_image "${IP}crit" "$d"
}
teardown_file() { img_teardown_file; }
setup() { img_setup; }
teardown() { img_teardown; }

# no_line PATTERN... FILE: PATTERN occurs nowhere (a negated command cannot
# fail a bats test).
no_line() { ! grep -q "$@"; }

# combo USER RO TMPFS: the docker run flags of one combination.
combo() {
        FLAGS=()
        [ -z "$1" ] || FLAGS+=(--user "$1")
        [ "$2" = 0 ] || FLAGS+=(--read-only)
        [ "$3" = 0 ] || FLAGS+=(--tmpfs /run)
}

# statuses USER: the base image keeps the command's exit status with or
# without --read-only and --tmpfs /run, for USER ("" = root).
statuses() {
        local ro tmp st
        for ro in 0 1; do
                for tmp in 0 1; do
                        combo "$1" "$ro" "$tmp"
                        st=0
                        timeout 60 docker run --rm --network none "${FLAGS[@]}" "${IP}base" \
                                sh -c 'test -n "$PATH" && exit 3' 2>"$T/err" || st=$?
                        echo "user=${1:-root} ro=$ro tmpfs=$tmp: $st"
                        cat "$T/err"
                        [ "$st" -eq 3 ]
                        no_line -E 'error|boot script .* failed' "$T/err"
                        timeout 60 docker run --rm --network none "${FLAGS[@]}" "${IP}base" true
                done
        done
}

@test "base image as root: the command's exit status with and without --read-only and --tmpfs /run" {
        statuses ""
}

@test "base image as --user 1000:1000: the command's exit status with and without --read-only and --tmpfs /run" {
        statuses 1000:1000
}

@test "base image as --user 123456 (no passwd entry): the command's exit status in every combination" {
        statuses 123456
}

# services USER: a service runs as USER wherever /run is writable (with
# --tmpfs /run, or on a writable root: the image's /run is sticky and
# world-writable, as /tmp); elsewhere one line and the command still runs.
services() {
        local ro tmp st uid=${1%%:*}
        uid=${uid:-0}
        for ro in 0 1; do
                for tmp in 0 1; do
                        combo "$1" "$ro" "$tmp"
                        st=0
                        if [ "$tmp" = 1 ] || [ "$ro" = 0 ]; then
                                # shellcheck disable=SC2016
                                timeout 60 docker run --rm --network none "${FLAGS[@]}" "${IP}svc" sh -c '
                                        i=0
                                        until [ -s "/run/hello.$(id -u)" ]; do
                                                i=$((i + 1)); [ "$i" -le 200 ] || exit 9
                                                sleep 0.05
                                        done
                                        cat "/run/hello.$(id -u)"; exit 4' >"$T/out" 2>"$T/err" || st=$?
                                echo "user=${1:-root} ro=$ro tmpfs=$tmp: $st $(cat "$T/out")"
                                [ "$st" -eq 4 ]
                                [ "$(cat "$T/out")" = "$uid" ]
                        else
                                timeout 60 docker run --rm --network none "${FLAGS[@]}" "${IP}svc" \
                                        sh -c 'exit 4' 2>"$T/err" || st=$?
                                echo "user=${1:-root} ro=$ro tmpfs=$tmp: $st"
                                cat "$T/err"
                                [ "$st" -eq 4 ]
                                [ "$(grep -c 'services will not run' "$T/err")" -eq 1 ]
                        fi
                done
        done
}

@test "a service runs as root wherever /run is writable; on a read-only root without it one line, same status" {
        services ""
}

@test "a service runs as 1000 wherever /run is writable; on a read-only root without it one line, same status" {
        services 1000:1000
}

@test "a service runs as 123456 wherever /run is writable; on a read-only root without it one line, same status" {
        services 123456
}

@test "the hardened docker run line of examples/hardened: status kept, export in /run/contrainer, services as 123456" {
        # shellcheck disable=SC2016
        run timeout 60 "$TOP/examples/hardened/docker-run.sh" --network none --name "${IP}hard" "${IP}svc" sh -c '
                i=0
                until [ -s /run/hello.123456 ]; do i=$((i + 1)); [ "$i" -le 200 ] || exit 9; sleep 0.05; done
                echo "uid=$(id -u) dir=$CONTRAINER_ENV_DIR svc=$(cat /run/hello.123456)"
                grep -q "^export CONTRAINER_ENV_DIR=" "$CONTRAINER_ENV_DIR.sh" && echo sh-ok
                exit 6'
        echo "$output"
        [ "$status" -eq 6 ]
        [[ "$output" == *"uid=123456 dir=/run/contrainer/container_environment svc=123456"* ]]
        [[ "$output" == *sh-ok* ]]
        [[ "$output" == *"cron: needs root, running as uid 123456: staying down"* ]]
}

@test "examples/hardened/pod.yaml asks Kubernetes for what docker-run.sh gives Docker" {
        local y=$TOP/examples/hardened/pod.yaml r=$TOP/examples/hardened/docker-run.sh
        grep -q 'runAsNonRoot: true' "$y"
        grep -q 'runAsUser: 123456' "$y" && grep -q -- '--user 123456' "$r"
        grep -q 'readOnlyRootFilesystem: true' "$y" && grep -q -- '--read-only --tmpfs /run' "$r"
        grep -q 'mountPath: /run' "$y" && grep -q 'emptyDir:' "$y"
        grep -q 'drop: \["ALL"\]' "$y" && grep -q -- '--cap-drop ALL' "$r"
        grep -q 'allowPrivilegeEscalation: false' "$y" && grep -q -- 'no-new-privileges' "$r"
}

@test "a critical service that crashes ends a services-only container with its status; with tmpfs /run as 1000 too" {
        run timeout 60 docker run --rm --network none -e CRASH=5 "${IP}crit"
        echo "$output"
        [ "$status" -eq 5 ]
        [[ "$output" == *"critical service '/etc/service/crit' ended with status 5"* ]]
        run timeout 60 docker run --rm --network none -e CRASH=6 --read-only --tmpfs /run --user 1000:1000 "${IP}crit"
        echo "$output"
        [ "$status" -eq 6 ]
}

@test "docker stop of a container with a critical service: 0 without a command, 143 with one, as today" {
        timeout 60 docker run -d --network none --name "${IP}c0" "${IP}crit" >/dev/null
        timeout 60 docker run -d --network none --name "${IP}c1" "${IP}crit" sleep 600 >/dev/null
        wait_for "critical service started" 30 sh -c "docker logs '${IP}c0' 2>&1 | grep -q 'starting critical service'"
        wait_for "command started" 30 sh -c "docker logs '${IP}c1' 2>&1 | grep -q 'running command'"
        timeout 60 docker stop -t 10 "${IP}c0" "${IP}c1" >/dev/null
        [ "$(docker inspect -f '{{.State.ExitCode}}' "${IP}c0")" -eq 0 ]
        [ "$(docker inspect -f '{{.State.ExitCode}}' "${IP}c1")" -eq 143 ]
}
