#!/usr/bin/env bats
# Many hosts (docs/images.md "Single host and Swarm"): images/controller/stack.yml deployed on a three-node
# Docker Swarm made of three dockerds in their own network and mount
# namespaces on this machine (swarm_helpers.bash), the controller image
# loaded into each node with docker save/load (no registry).  One controller
# task per node; a container with a %me script on each node gets its body
# run by its own node's controller; each node's status shows only its own
# containers; each task says once what Swarm leaves out.
# Run by `make check-swarm`, which starts a dockerd when none answers (as
# every Engine suite does) and builds the product images from the package
# first, as the image suites do (CTR_SWARM_IMAGE names a ready image instead).

# shellcheck disable=SC2016 # bodies are shell text expanded where they run
load ../bats/watch_helpers
load ../bats/images_helpers
load swarm_helpers

IMAGE=${CTR_SWARM_IMAGE:-$CTL_IMAGE}
STACK=ctrtestsw

setup_file() {
        export SWT=$BATS_FILE_TMPDIR
        if [ -z "${CTR_SWARM_IMAGE:-}" ]; then
                img_setup_file build || return 1
        fi
        docker image inspect "$IMAGE" >/dev/null 2>&1 ||
                { echo "$IMAGE is not on ${DOCKER_HOST:-the default Engine}" >&2; return 1; }
        docker save -o "$SWT/image.tar" "$IMAGE"
        mkdir -p "$SWT/sw"
        sw_up "$SWT/sw"
        local n
        for n in 1 2 3; do
                sw_docker "$n" load -i "$SWT/image.tar" >/dev/null
                DOCKER_HOST="unix://$(sw_sock "$n")" busybox_image ctrtest/busybox:latest
        done
        rm -f "$SWT/image.tar"
        sw_docker 1 stack deploy --resolve-image never -c "$BATS_TEST_DIRNAME/../../images/controller/stack.yml" "$STACK" >/dev/null
        for n in 1 2 3; do
                wait_until 120 task_running "$n" ||
                        { echo "no running controller task on node $n" >&2; sw_docker 1 service ps --no-trunc "${STACK}_controller" >&2; return 1; }
                wait_until 60 task_healthy_status "$n" ||
                        { echo "the controller of node $n does not answer contrainer status" >&2; sw_docker "$n" logs "$(task "$n")" >&2; return 1; }
        done
}

teardown_file() {
        sw_docker 1 stack rm "$STACK" >/dev/null 2>&1 || true
        sw_down
}

# task N: the id of node N's running controller task container.
task() { sw_docker "$1" ps -q --filter "label=com.docker.swarm.service.name=${STACK}_controller" --filter status=running | head -n 1; }
task_running() { [ -n "$(task "$1")" ]; }
task_healthy_status() { sw_docker "$1" exec "$(task "$1")" /sbin/contrainer status --health >/dev/null 2>&1; }
# status_json N: node N's controller's /status.
status_json() { sw_docker "$1" exec "$(task "$1")" /sbin/contrainer status --json; }

# service_replicas: "MODE RUNNING/DESIRED" of the controller service.
service_replicas() { sw_docker 1 service ls --filter "name=${STACK}_controller" --format '{{.Mode}} {{.Replicas}}'; }
all_healthy() { [[ "$(service_replicas)" == "global 3/3"* ]]; }

@test "the stack runs exactly one controller task on each node, healthy by the image's HEALTHCHECK" {
        local n
        # A task counts as running once its HEALTHCHECK (contrainer status
        # --health) passed: the first check comes 30 s after the start.
        wait_until 150 all_healthy || { service_replicas; sw_docker 1 service ps "${STACK}_controller"; return 1; }
        for n in 1 2 3; do
                [ "$(sw_docker "$n" inspect -f '{{.State.Health.Status}}' "$(task "$n")")" = healthy ]
        done
        for n in 1 2 3; do
                [ "$(sw_docker "$n" ps -q --filter "label=com.docker.swarm.service.name=${STACK}_controller" --filter status=running | grep -c .)" -eq 1 ]
        done
}

@test "each task says once at start-up that Swarm leaves out %host and direct dispatch" {
        local n
        for n in 1 2 3; do
                sw_docker "$n" logs "$(task "$n")" >"$SWT/log$n" 2>&1
                [ "$(grep -c 'targets on the host and direct dispatch are not available here' "$SWT/log$n")" -eq 1 ]
                status_json "$n" | jq -e '.unavailable == ["%host", "direct dispatch"] and .engine.connected' >/dev/null
        done
}

@test "a %me container on each node is served by its own node's controller; each status shows only its own" {
        local n name
        mkdir -p "$SWT/s" "$SWT/m"
        chmod 777 "$SWT/m"
        # The body says which controller ran it ($CONTRAINER_NAME: the task's name).
        cat >"$SWT/s/10-me" <<'EOS'
#!/bin/sh
echo '%me'
echo 'echo "$CONTRAINER_NAME" >"/m/$CONTRAINER_SOURCE_NAME"'
EOS
        chmod 755 "$SWT/s/10-me"
        for n in 1 2 3; do
                sw_docker "$n" run -d --network none --name "ctrtestsw-c$n" -v "$SWT/s:/contrainer:ro" \
                        -v "$SWT/m:/m" ctrtest/busybox:latest sh -c 'trap "exit 0" TERM; sleep 600 & wait' >/dev/null
        done
        for n in 1 2 3; do
                wait_until 60 test -s "$SWT/m/ctrtestsw-c$n" || { echo "no body on node $n" >&2; return 1; }
        done
        for n in 1 2 3; do
                name=$(sw_docker "$n" inspect -f '{{.Name}}' "$(task "$n")")
                [ "$(cat "$SWT/m/ctrtestsw-c$n")" = "${name#/}" ] ||
                        { echo "node $n's body ran by '$(cat "$SWT/m/ctrtestsw-c$n")', not '${name#/}'" >&2; return 1; }
                status_json "$n" >"$SWT/status$n"
                jq -e --arg me "ctrtestsw-c$n" '[.containers[].name] == [$me]
                        and .containers[0].last_results[0].status == "exit 0"' "$SWT/status$n" >/dev/null ||
                        { cat "$SWT/status$n" >&2; return 1; }
                # Metrics on the node's loopback (the task uses the node's
                # network; the stack serves them on 127.0.0.1 only).
                ip netns exec "$(sw_ns "$n")" curl -fsS --max-time 10 "http://127.0.0.1:9323/metrics" |
                        grep -qx 'contrainer_bodies_total{result="ok"} 1'
        done
        for n in 1 2 3; do
                sw_docker "$n" rm -f "ctrtestsw-c$n" >/dev/null
        done
}
