#!/usr/bin/env bats
# contrainer/controller started as documented (docs/images.md):
#   docker run -d --privileged --pid=host -v /var/run/docker.sock:/var/run/docker.sock \
#     -v /:/host -e SYSIMAGE=/host contrainer/controller
# dispatches a %me registration into a busybox container and, with the
# policy allowing it, a %host one onto the host.
# Isolation from other controllers on this Engine: ours looks for scripts in
# /<prefix>-scripts (CONTRAINER_WATCH_ARGS=--script-dir ...), where only our
# test container has any; other controllers look in /contrainer, where ours
# has none.
load images_helpers

setup_file() { img_setup_file build; }
teardown_file() { img_teardown_file; rm -f "/tmp/${IP}host-marker"; }
setup() {
        img_setup
        SD="/${IP}scripts"
        mkdir -p "$T/scripts"
}
teardown() {
        if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
                echo "--- controller log (tail):" >&2
                docker logs "${IP}ctl" 2>&1 | tail -40 >&2 || true
        fi
        img_teardown
        rm -f "/tmp/${IP}host-marker"
}

# privileged_flags: --privileged, or where this machine cannot grant every
# capability (here the VM's bounding set lacks CAP_SYS_RESOURCE, and runc
# then fails with "unable to apply caps"), the closest equivalent: every
# capability it has, no seccomp or AppArmor confinement.
privileged_flags() {
        local err
        if err=$(timeout 30 docker run --rm --network none --privileged "$BB_IMAGE" true 2>&1); then
                PRIV=(--privileged)
        elif [[ "$err" == *"unable to apply caps"* ]]; then
                PRIV=(--cap-add ALL --cap-drop SYS_RESOURCE --security-opt apparmor=unconfined
                        --security-opt seccomp=unconfined)
                echo "note: --privileged cannot be granted here ($err); using ${PRIV[*]}" >&2
        else
                echo "docker run --privileged failed: $err" >&2
                return 1
        fi
}

ctl_start() {
        privileged_flags
        timeout 60 docker run -d --name "${IP}ctl" --network none "${PRIV[@]}" --pid=host \
                -v "${DOCKER_SOCK:-/var/run/docker.sock}:/var/run/docker.sock" -v /:/host -e SYSIMAGE=/host \
                -e CONTRAINER_WATCH_ARGS="--script-dir $SD --exec-timeout 20" \
                -e CONTRAINER_ALLOW="${IP}*=me,host" \
                contrainer/controller:latest >/dev/null
        wait_for "controller running" 30 ctr_running "${IP}ctl"
}

ctl_log_has() { docker logs "${IP}ctl" 2>&1 | grep -E -- "$1" >/dev/null; }

# reg NAME HEADER BODY: a registration script printing HEADER then BODY.
reg() {
        printf '#!/bin/sh\ncat <<"EOF"\n%s\n%s\nEOF\n' "$2" "$3" >"$T/scripts/$1"
        chmod 755 "$T/scripts/$1"
}

bb_start() {
        timeout 60 docker run -d --name "${IP}bb" --network none -v "$T/scripts:$SD:ro" \
                "$BB_IMAGE" sh -c 'trap "exit 0" TERM; sleep 600 & wait' >/dev/null
}

@test "controller image: the contrainer service runs contrainer watch as documented" {
        ctl_start
        wait_for "watch running under runit" 30 sh -c "docker exec '${IP}ctl' sv status contrainer | grep -q '^run: '"
        run in_ctr "${IP}ctl" sh -c 'tr "\0" " " </proc/$(sv status contrainer | sed "s/^run: [^(]*(pid \([0-9]*\)).*/\1/")/cmdline'
        [ "$status" -eq 0 ]
        [[ "$output" == "/sbin/contrainer watch --allow ${IP}*=me,host --stop-timeout 3 --script-dir $SD --exec-timeout 20"* ]]
}

@test "controller image: a %me registration runs in the busybox container" {
        reg 10-me '%me' 'echo "me-ran $CONTRAINER_TARGET" >/tmp/me-marker'
        ctl_start
        bb_start
        wait_for "the %me body in ${IP}bb" 60 in_ctr "${IP}bb" test -s /tmp/me-marker
        [ "$(in_ctr "${IP}bb" cat /tmp/me-marker)" = "me-ran ${IP}bb" ]
}

@test "controller image: the admin helpers work from inside it (docker client, --pid=host)" {
        ctl_start
        bb_start
        run in_ctr "${IP}ctl" enter "${IP}bb" cat /proc/1/cmdline
        [ "$status" -eq 0 ]
        [[ "$output" == sh* ]]
        run in_ctr "${IP}ctl" stopall -y -f "name=^${IP}bb\$"
        [ "$status" -eq 0 ]
        [ "$(docker inspect -f '{{.State.Running}}' "${IP}bb")" = false ]
        run in_ctr "${IP}ctl" host cat /etc/hostname
        if nsenter_host_ok; then
                [ "$status" -eq 0 ]
                [ "$output" = "$(cat /etc/hostname)" ]
        else
                [ "$status" -eq 1 ]
                [[ "$output" == "host: error: cannot enter the host's mount namespace through '/host/proc/1/ns/mnt'"* ]]
        fi
}

@test "controller image: a %host registration allowed by policy leaves a marker on the host" {
        local marker="/tmp/${IP}host-marker"
        reg 10-sync '%me' 'echo synced >/tmp/sync-marker'
        reg 20-host '%host' "echo host-ran >$marker"
        ctl_start
        bb_start
        wait_for "the %me body in ${IP}bb" 60 in_ctr "${IP}bb" test -s /tmp/sync-marker
        if ! nsenter_host_ok; then
                # This machine's PID 1 namespaces cannot be opened even by root
                # (docs/engine-notes.md): the body must fail with one clear line.
                wait_for "the %host failure line in the controller log" 30 \
                        ctl_log_has '%host.*(cannot|denied|fail)|(cannot|fail).*%host'
                [ ! -e "$marker" ]
                docker logs "${IP}ctl" 2>&1 | grep -E '%host' >&2
                skip "this machine's /proc/1/ns/* cannot be entered (nsenter -t 1 -m fails); checked the controller's failure line instead"
        fi
        wait_for "the %host marker on the host" 60 test -s "$marker"
        [ "$(cat "$marker")" = host-ran ]
}
