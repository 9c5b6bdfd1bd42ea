# shellcheck shell=bash
# A three-node Docker Swarm on one machine, for tests/swarm (make check-swarm).
#
# Each node is a dockerd in its own network namespace (ip netns ctrswN-$$,
# a veth to a bridge in a hub namespace, 10.213.X.N/24) and its own mount
# namespace, where a directory of the test's
# own is bind-mounted over /run and another over /var/lib/docker: every node
# then has its Engine at /var/run/docker.sock *as its containers see it*,
# which is what images/controller/stack.yml mounts, and its own data root.
# From the test, node N's Engine is unix://$SW/nN/run/docker.sock.
# Nothing here touches the machine's own dockerd or any name but ours; the
# teardown kills only the processes in our namespaces, by PID.

SW_NODES=3

sw_ns() { echo "ctrsw$1-$SW_ID"; }
sw_sock() { echo "$SW/n$1/run/docker.sock"; }
# sw_docker N ARGS...: the docker CLI on node N.
sw_docker() { local n=$1; shift; DOCKER_HOST="unix://$(sw_sock "$n")" docker "$@"; }
sw_ping() { curl -fsS --max-time 2 --unix-socket "$(sw_sock "$1")" http://localhost/_ping >/dev/null 2>&1; }

# sw_up DIR: make the namespaces and network, start the three dockerds, form
# the swarm (node 1 manager, 2 and 3 workers).
sw_up() {
        SW=$1
        SW_ID=$$
        SW_NET=10.213.$((SW_ID % 200 + 20))
        export SW SW_ID SW_NET
        local hub n ns
        hub=$(sw_ns hub)
        ip netns add "$hub"
        echo "$hub" >>"$SW/netns"
        ip -n "$hub" link add br0 type bridge
        ip -n "$hub" link set br0 up
        ip -n "$hub" link set lo up
        for n in $(seq 1 "$SW_NODES"); do
                ns=$(sw_ns "$n")
                ip netns add "$ns"
                echo "$ns" >>"$SW/netns"
                ip -n "$hub" link add "v$n" type veth peer name eth0 netns "$ns"
                ip -n "$hub" link set "v$n" master br0 up
                ip -n "$ns" link set lo up
                ip -n "$ns" addr add "$SW_NET.$n/24" dev eth0
                ip -n "$ns" link set eth0 up
                mkdir -p "$SW/n$n/run" "$SW/n$n/lib" "$SW/n$n/log"
                # Its network namespace, a mount namespace of its own (not
                # `ip netns exec`, which remounts /sys and so hides the
                # cgroup hierarchies dockerd needs).  Positional parameters,
                # no interpolation into the script.
                # shellcheck disable=SC2016 # expanded by that sh
                setsid nsenter --net="/run/netns/$ns" unshare --mount --uts --propagation slave sh -c '
                        hostname "$3" && mount --bind "$1" /run && mount --bind "$2" /var/lib/docker &&
                        exec dockerd --iptables=false --ip-masq=false --bridge=none \
                                --pidfile /run/docker.pid' sh "$SW/n$n/run" "$SW/n$n/lib" "ctrsw-n$n" \
                        </dev/null >>"$SW/n$n/log/dockerd.log" 2>&1 3>&- &
        done
        for n in $(seq 1 "$SW_NODES"); do
                wait_until 90 sw_ping "$n" || { echo "node $n's dockerd did not answer:" >&2; tail -n 20 "$SW/n$n/log/dockerd.log" >&2; return 1; }
        done
        sw_docker 1 swarm init --advertise-addr "$SW_NET.1" --listen-addr "$SW_NET.1:2377" >/dev/null || return 1
        local token
        token=$(sw_docker 1 swarm join-token -q worker) || return 1
        for n in $(seq 2 "$SW_NODES"); do
                sw_docker "$n" swarm join --token "$token" --advertise-addr "$SW_NET.$n" \
                        --listen-addr "$SW_NET.$n:2377" "$SW_NET.1:2377" >/dev/null || return 1
        done
        wait_until 60 sw_nodes_ready || { sw_docker 1 node ls >&2; return 1; }
}

sw_nodes_ready() { [ "$(sw_docker 1 node ls --format '{{.Status}}' 2>/dev/null | grep -c '^Ready$')" -eq "$SW_NODES" ]; }

# sw_down: leave nothing behind: processes in our namespaces (by PID), the
# namespaces, the directories.
sw_down() {
        [ -n "${SW:-}" ] && [ -d "$SW" ] || return 0
        local n ns pid
        for n in $(seq 1 "$SW_NODES"); do
                sw_ping "$n" && sw_docker "$n" swarm leave --force >/dev/null 2>&1
                [ -f "$SW/n$n/run/docker.pid" ] && kill -TERM "$(cat "$SW/n$n/run/docker.pid")" 2>/dev/null
        done
        for n in $(seq 1 "$SW_NODES"); do
                wait_until 30 sw_gone "$n" || true
        done
        if [ -f "$SW/netns" ]; then
                while read -r ns; do
                        for pid in $(ip netns pids "$ns" 2>/dev/null); do
                                kill -KILL "$pid" 2>/dev/null || true
                        done
                done <"$SW/netns"
                while read -r ns; do
                        ip netns del "$ns" 2>/dev/null || true
                done <"$SW/netns"
        fi
        rm -rf "$SW"
}

sw_gone() { [ -z "$(ip netns pids "$(sw_ns "$1")" 2>/dev/null)" ]; }
