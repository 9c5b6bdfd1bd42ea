#!/usr/bin/env bats
# `contrainer watch` status and metrics (docs/status.md): GET /status, /metrics
# and /healthz on the status socket and on --metrics-listen, the counters
# moving by exactly what a test caused, health following the Engine, a
# client that never reads, and `contrainer status`.

# shellcheck disable=SC2016,SC2034,SC2030,SC2031 # bodies are shell text expanded where they run; CTL_ENV is read by the helpers
load watch_helpers

setup_file() { watch_setup_file; }
teardown_file() { watch_teardown_file; }
setup() { watch_setup; }
teardown() {
        watch_teardown
        if [ -n "${SHORT_DIR:-}" ]; then rm -rf "$SHORT_DIR"; fi
        if [ -f "$T/pd.dirs" ]; then
                pd_cleanup
                export DOCKER_HOST=$CTR_DOCKER_HOST
        fi
}

PROMCHECK=$BATS_TEST_DIRNAME/../lib/promcheck.awk

# get PATH: GET PATH on the controller's status socket (body on stdout).
get() { curl -fsS --max-time 10 --unix-socket "$T/state/status.sock" "http://localhost$1"; }
# code PATH: the HTTP status code of GET PATH on the status socket.
code() { curl -sS -o /dev/null -w '%{http_code}' --max-time 10 --unix-socket "$T/state/status.sock" "http://localhost$1"; }
healthz_is() { [ "$(code /healthz)" = "$1" ]; }
# jq_ok FILTER [ARGS...]: /status satisfies the jq FILTER (true/false).
jq_ok() { local f=$1; shift; get /status | jq -e "$@" "$f" >/dev/null 2>&1; }
# metric FILE SERIES: the value of SERIES (name with labels, exactly) in FILE.
metric() { awk -v s="$2" '$1 == s { print $2; found = 1 } END { exit !found }' "$1"; }
# metrics_ok FILE: FILE is well-formed exposition text (and promtool agrees, if installed).
metrics_ok() {
        awk -f "$PROMCHECK" "$1" || return 1
        if command -v promtool >/dev/null 2>&1; then
                promtool check metrics <"$1" || return 1
        fi
}

@test "/status: a container's registration and its body's result; the socket is mode 0600" {
        reg a 10-st "%me" 'echo hello'
        ctl_start
        crun a
        wait_for "a's result in /status" 30 jq_ok \
                '.containers[] | select(.name == $n) | .last_results[0].status == "exit 0"' --arg n "$N-a"
        [ "$(stat -c '%a %F' "$T/state/status.sock")" = "600 socket" ]
        get /status >"$T/status.json"
        local id
        id=$(cid "$N-a")
        jq -e --arg n "$N-a" --arg id "$id" --arg sd "$CTR_SD" --arg path "$(engine_dispatch_path)" '
                .version != "" and .engine.connected == true and .engine.api_version != ""
                and .dispatch_mode == "auto" and (.cursor.time_nano | test("^[0-9]+$"))
                and ([.containers[] | select(.name == $n)] | length == 1)
                and (.containers[] | select(.name == $n)
                     | .id == $id
                       and (.registrations | length == 1)
                       and .registrations[0].script == ($sd + "/10-st")
                       and .registrations[0].header == "%me"
                       and .registrations[0].entries == ["%me"]
                       and .last_results[0].event == "immediate"
                       and .last_results[0].registrar == $n
                       and .last_results[0].target == $n
                       and .last_results[0].path == $path
                       and .last_results[0].result == "ok")
                and ([.dispatches[] | select(.registrar == $n and .status == "exit 0")] | length == 1)
                and .counters.bodies.ok >= 1' "$T/status.json" || { cat "$T/status.json"; return 1; }
        # The controller goes, and its socket with it.
        ctl_stop
        [ "$CTL_RC" -eq 0 ]
        expect_absent "$T/state/status.sock"
}

@test "/metrics: strict exposition format; counters move by exactly what the test caused; TCP serves no /status" {
        engine_skip_on Podman "the docker CLI's 'events --until' does not end against Podman 4.3's API"
        local port=$((20000 + RANDOM % 20000))
        ctl_start --metrics-listen "127.0.0.1:$port"
        ctl_ready
        wait_for "the ready body counted" 30 sh -c "curl -fsS --max-time 5 --unix-socket '$T/state/status.sock' http://localhost/metrics | grep -qx 'contrainer_bodies_total{result=\"ok\"} 1'"
        get /metrics >"$T/m0"
        metrics_ok "$T/m0"
        local t0 t1
        t0=$(date +%s.%N)
        reg b 10-ok "%me" 'exit 0'
        reg b 20-fail "%me" 'exit 3'
        reg b 30-deny "%contrainer" 'true'
        crun b
        wait_for "b's two bodies counted" 30 sh -c "curl -fsS --max-time 5 --unix-socket '$T/state/status.sock' http://localhost/metrics | grep -qx 'contrainer_bodies_total{result=\"failed\"} 1'"
        t1=$(date +%s.%N)
        # Every container event the Engine had in [t0, t1] has reached the controller.
        local want
        want=$(timeout 10 docker events --since "$t0" --until "$t1" --filter type=container --format '{{.Action}}' | grep -c .)
        wait_for "$want events counted" 30 sh -c "curl -fsS --max-time 5 --unix-socket '$T/state/status.sock' http://localhost/metrics | grep -qx 'contrainer_events_total $(($(metric "$T/m0" contrainer_events_total) + want))'"
        get /metrics >"$T/m1"
        metrics_ok "$T/m1"
        d() { echo $(($(metric "$T/m1" "$1") - $(metric "$T/m0" "$1"))); }
        [ "$(d 'contrainer_bodies_total{result="ok"}')" -eq 1 ]
        [ "$(d 'contrainer_bodies_total{result="failed"}')" -eq 1 ]
        [ "$(d 'contrainer_bodies_total{result="timeout"}')" -eq 0 ]
        [ "$(d 'contrainer_bodies_total{result="error"}')" -eq 0 ]
        [ "$(d contrainer_scripts_run_total)" -eq 3 ]
        [ "$(d contrainer_denials_total)" -eq 1 ]
        [ "$(d contrainer_reconnects_total)" -eq 0 ]
        [ "$(d contrainer_reconciliations_total)" -eq 0 ]
        [ "$(d contrainer_dispatch_latency_seconds_count)" -eq 2 ]
        [ "$(d 'contrainer_dispatch_latency_seconds_bucket{le="+Inf"}')" -eq 2 ]
        [ "$(metric "$T/m1" contrainer_registrations)" -eq 4 ]
        [ "$(metric "$T/m1" contrainer_event_stream_up)" -eq 1 ]
        [ "$(metric "$T/m1" 'contrainer_queue_depth{queue="events"}')" -eq 0 ]
        # --metrics-listen: the same families on TCP, /healthz, never /status.
        curl -fsS --max-time 10 "http://127.0.0.1:$port/metrics" >"$T/m2"
        metrics_ok "$T/m2"
        diff <(grep '^# TYPE' "$T/m1") <(grep '^# TYPE' "$T/m2")
        [ "$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$port/healthz")" = 200 ]
        [ "$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$port/status")" = 404 ]
}

@test "the strict parser rejects malformed exposition text (it can fail)" {
        printf 'a_total 1\n# TYPE a_total counter\n' >"$T/bad1"
        printf 'b{x="y} 1\n' >"$T/bad2"
        printf '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n' >"$T/bad3"
        printf 'c 1\nc 2\n' >"$T/bad4"
        printf 'd one\n' >"$T/bad5"
        local f
        for f in "$T"/bad*; do
                refute awk -f "$PROMCHECK" "$f"
        done
        printf '# HELP ok_total x\n# TYPE ok_total counter\nok_total{a="q\\"\\\\"} 3\n' >"$T/good"
        awk -f "$PROMCHECK" "$T/good"
}

@test "/healthz: 503 while the Engine is stopped, 200 once it is back" {
        pd_init
        pd_start
        ctl_start --docker-socket "$PD_SOCK"
        wait_for "healthz 200" 30 healthz_is 200
        get /metrics >"$T/m0"
        pd_stop
        wait_for "healthz 503 with the Engine stopped" 60 healthz_is 503
        get /metrics | grep -qx 'contrainer_event_stream_up 0'
        "$CONTRAINER" status --state-dir "$T/state" | grep -q 'event stream DOWN'
        refute "$CONTRAINER" status --state-dir "$T/state" --health
        pd_start
        wait_for "healthz 200 with the Engine back" 60 healthz_is 200
        "$CONTRAINER" status --state-dir "$T/state" --health
        get /metrics >"$T/m1"
        [ $(($(metric "$T/m1" contrainer_reconnects_total) - $(metric "$T/m0" contrainer_reconnects_total))) -eq 1 ]
}

# stuck_client MODE: a client of the status socket that never reads its
# answers, held for 600 s (killed in teardown).  MODE "pipeline" sends many
# requests, "silent" sends nothing, "half" half a request line.
stuck_client() {
        perl -MIO::Socket::UNIX -MIO::Handle -e '
                my ($path, $mode, $ready) = @ARGV;
                $SIG{PIPE} = "IGNORE";  # the server may close on us: we still hold on
                my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $path) or die "connect: $!";
                $s->blocking(0);
                my $req = "GET /status HTTP/1.1\r\nHost: x\r\n\r\n";
                if ($mode eq "pipeline") { for (1 .. 5000) { last unless defined syswrite($s, $req); } }
                elsif ($mode eq "half") { syswrite($s, "GET /sta"); }
                open(my $r, ">", $ready) and close($r);
                sleep 600;' "$T/state/status.sock" "$1" "$T/stuck.$1" </dev/null >/dev/null 2>&1 3>&- &
        echo $! >>"$T/pids"
}

@test "clients that connect and never read do not delay a dispatch" {
        # Many registrations make /status large enough to fill the socket.
        local i
        for i in $(seq 10 60); do reg big "$i-x" "%me" 'true'; done
        ctl_start
        crun big
        # 51 scripts, each an exec where direct dispatch is not possible
        wait_for "big's registrations in /status" $((30 * $(engine_slowness))) jq_ok '[.containers[].registrations[]] | length == 51'
        stuck_client pipeline
        stuck_client silent
        stuck_client half
        wait_for "the stuck clients connected" 10 sh -c "test -e '$T/stuck.pipeline' && test -e '$T/stuck.silent' && test -e '$T/stuck.half'"
        reg a 10-me "%me" "$(mark a.log)"
        crun a
        wait_line "$M/a.log" "immediate $N-a $N-a"
        # The stuck clients were still there while it ran, and others are served.
        local pid
        while read -r pid; do
                [ "$pid" = "$CTL_PID" ] || kill -0 "$pid"
        done <"$T/pids"
        [ "$(code /healthz)" = 200 ]
        "$CONTRAINER" status --state-dir "$T/state" --health
}

@test "--metrics-listen: idle clients from one address hold at most 4 slots; another address is served" {
        local port=$((20000 + RANDOM % 20000))
        ctl_start --metrics-listen "127.0.0.1:$port"
        ctl_ready
        # 16 silent connections from 127.0.0.1 (the listener's 16 slots).
        perl -MIO::Socket::INET -e '
                my ($port, $ready) = @ARGV;
                my @s;
                for (1 .. 16) {
                        push @s, IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $port,
                                                       LocalAddr => "127.0.0.1") or die "connect: $!";
                }
                open(my $r, ">", $ready) and close($r);
                sleep 600;' "$port" "$T/idle.ready" </dev/null >/dev/null 2>&1 3>&- &
        echo $! >>"$T/pids"
        wait_for "16 idle connections made" 10 test -e "$T/idle.ready"
        # Another loopback address is still served, at once.
        [ "$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 --interface 127.0.0.2 \
                "http://127.0.0.1:$port/healthz")" = 200 ]
        # One more from 127.0.0.1 is over its share: closed without an answer.
        refute curl -fsS -o /dev/null --max-time 5 --interface 127.0.0.1 "http://127.0.0.1:$port/healthz"
}

@test "--metrics-listen: 16 addresses with 4 idle clients each cannot keep a scrape out" {
        local port=$((20000 + RANDOM % 20000))
        ctl_start --metrics-listen "127.0.0.1:$port"
        ctl_ready
        # 4 silent connections from each of 127.0.0.1 .. 127.0.0.16 (16
        # containers on a bridge, each holding its share).
        perl -MIO::Socket::INET -e '
                my ($port, $ready) = @ARGV;
                my @s;
                for my $a (1 .. 16) {
                        for (1 .. 4) {
                                my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $port,
                                                              LocalAddr => "127.0.0.$a", Timeout => 1);
                                push @s, $c if $c;
                        }
                }
                open(my $r, ">", $ready) and close($r);
                sleep 600;' "$port" "$T/idle.ready" </dev/null >/dev/null 2>&1 3>&- &
        echo $! >>"$T/pids"
        wait_for "64 idle connections tried" 90 test -e "$T/idle.ready"
        # Prometheus, from another address, is still served (curl's own
        # bound is the test's, not a timing assertion).
        curl -fsS -o "$T/scrape" --max-time 5 --interface 127.0.0.100 "http://127.0.0.1:$port/metrics"
        grep -q '^contrainer_' "$T/scrape"
}

# listen_inode PORT: the socket inode of the TCP listener on 127.0.0.1:PORT.
listen_inode() {
        awk -v p="$(printf '%04X' "$1")" '$2 == "0100007F:" p && $4 == "0A" { print $10 }' /proc/net/tcp
}

@test "forked workers do not hold the --metrics-listen socket (a SIGKILLed controller must not leave its port taken)" {
        local port=$((20000 + RANDOM % 20000))
        ctl_start --metrics-listen "127.0.0.1:$port"
        reg a 10-me "%me" "$(mark a.log)"'
exec sleep 300'
        crun a
        wait_line "$M/a.log" "immediate $N-a $N-a"
        local ino w ws=()
        ino=$(listen_inode "$port")
        [ -n "$ino" ]
        # The controller holds it, and so may nobody else it forked.
        ls -l "/proc/$CTL_PID/fd" | grep -q "socket:\[$ino\]"
        mapfile -t ws < <(pgrep -P "$CTL_PID")
        [ "${#ws[@]}" -ge 1 ]
        for w in "${ws[@]}"; do
                if ls -l "/proc/$w/fd" 2>/dev/null | grep -q "socket:\[$ino\]"; then
                        echo "worker $w holds the listener" >&2
                        return 1
                fi
        done
}

@test "contrainer status: the table, --json and --status-socket" {
        reg a 10-st "%me" 'echo hello'
        reg a 20-st "%me:die,%me" 'true'
        ctl_start --status-socket "$T/other.sock"
        crun a
        wait_for "two results" 30 sh -c "'$CONTRAINER' status --status-socket '$T/other.sock' --json | jq -e '.counters.bodies.ok == 2' >/dev/null"
        expect_absent "$T/state/status.sock"
        "$CONTRAINER" status --status-socket "$T/other.sock" >"$T/table"
        cat "$T/table"
        grep -q 'event stream live' "$T/table"
        grep -qE "^$N-a +10-st +%me +immediate: exit 0 on $N-a +[0-9]+s" "$T/table"
        grep -qE '^ +20-st +%me:die,%me +- +-$' "$T/table"
        grep -qE "[0-9]+s +$N-a +immediate +$N-a +$(engine_dispatch_path) +exit 0 +[0-9.]+s" "$T/table"
        "$CONTRAINER" status --status-socket "$T/other.sock" --json | jq -e --arg n "$N-a" \
                '[.containers[] | select(.name == $n) | .registrations[].script] | length == 2' >/dev/null
        "$CONTRAINER" status --status-socket "$T/other.sock" --health
        run "$CONTRAINER" status --state-dir "$T/nowhere"
        [ "$status" -eq 1 ]
        [[ "$output" == *"cannot ask the controller at $T/nowhere/status.sock"* ]]
        run "$CONTRAINER" status --bogus
        [ "$status" -eq 2 ]
}

# fake_status SOCKET READY: a server on the unix socket SOCKET that answers
# every request 200 with a body holding terminal control sequences; touches
# READY once it listens.  Run it as any user (setpriv).
FAKE_STATUS='
import os, socket, sys
path, ready = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path); os.chmod(path, 0o777); s.listen(8)
open(ready, "w").close()
body = b"live\x1b]0;owned\x07\x1b[2J\r\xc2\x9b\x9b \xc3\xa9\n"
while True:
    c, _ = s.accept()
    c.recv(65536)
    c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    c.close()
'

@test "contrainer status trusts only a server run by root or its own uid, and never prints control bytes" {
        # A short folder anyone may write (a socket path has 108 bytes).
        SHORT_DIR=$(mktemp -d /tmp/ctr35.XXXXXX)
        chmod 1777 "$SHORT_DIR"
        local pub=$SHORT_DIR
        setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c "$FAKE_STATUS" "$pub/nobody.sock" "$pub/nobody.ready" </dev/null >/dev/null 2>&1 3>&- &
        echo $! >>"$T/pids"
        /usr/bin/python3 -c "$FAKE_STATUS" "$pub/root.sock" "$pub/root.ready" </dev/null >/dev/null 2>&1 3>&- &
        echo $! >>"$T/pids"
        wait_for "the fake servers" 10 test -e "$pub/nobody.ready" -a -e "$pub/root.ready"
        # Another user's server: refused, nothing of its answer shown.
        run "$CONTRAINER" status --status-socket "$pub/nobody.sock" --health
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *"refusing its answer: the process serving it runs as uid 65534, neither root nor uid $(id -u)"* ]]
        [[ "$output" != *live* ]]
        run "$CONTRAINER" status --status-socket "$pub/nobody.sock" --json
        [ "$status" -eq 1 ]
        [[ "$output" != *live* ]]
        # Root's own: shown, its control bytes escaped.
        "$CONTRAINER" status --status-socket "$pub/root.sock" --health >"$T/health.out"
        "$CONTRAINER" status --status-socket "$pub/root.sock" --json >"$T/json.out"
        cat -v "$T/health.out"
        grep -q '^live' "$T/health.out"
        ! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$T/health.out" "$T/json.out"
        ! LC_ALL=C grep -q $'[\x80-\x9f]' "$T/health.out" "$T/json.out"
        grep -qF 'live\x1b]0;owned\x07\x1b[2J\x0d\xc2\x9b\x9b '$'\xc3\xa9' "$T/health.out"
}

@test "a --state-dir others can write or own is refused at start (exit 2, one line); a link planted as cursor.new is not followed" {
        mkdir -p "$T/sd"
        chmod 777 "$T/sd"
        run timeout 20 "$CONTRAINER" watch --state-dir "$T/sd" --script-dir "$CTR_SD"
        echo "$output"
        [ "$status" -eq 2 ]
        [ "${#lines[@]}" -eq 1 ]
        [[ "$output" == *"--state-dir '$T/sd': refusing it: writable by its group or others (mode 0777)"* ]]
        chmod 700 "$T/sd"
        chown 1234 "$T/sd"
        run timeout 20 "$CONTRAINER" watch --state-dir "$T/sd" --script-dir "$CTR_SD"
        [ "$status" -eq 2 ]
        [[ "$output" == *"refusing it: owned by uid 1234, not by this controller's uid $(id -u)"* ]]
        chown "$(id -u)" "$T/sd"
        echo precious >"$T/victim"
        ln -s "$T/victim" "$T/sd/cursor.new"
        # A stale socket (its server gone) is replaced, through status.sock.new.
        /usr/bin/python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$T/sd/status.sock"
        [ -S "$T/sd/status.sock" ]
        ctl_start --state-dir "$T/sd"
        ctl_ready
        "$CONTRAINER" status --state-dir "$T/sd" --health
        [ "$(stat -c %a "$T/sd/status.sock")" = 600 ]
        [ ! -e "$T/sd/status.sock.new" ]
        ctl_stop
        [ "$CTL_RC" -eq 0 ]
        [ "$(cat "$T/victim")" = precious ]
        [ -f "$T/sd/cursor" ] && [ ! -L "$T/sd/cursor" ]
        [ ! -e "$T/sd/cursor.new" ]
}
