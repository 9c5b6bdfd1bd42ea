#!/usr/bin/env bats
# contrainer init: runit services and the ordered, bounded shutdown.

load init_helpers

setup() { init_setup; }
teardown() { init_teardown; }

# service NAME STOPS_ON_TERM(yes|no): a runit service that logs to $T/order.
service() {
        if [ "$2" = yes ]; then
                printf 'echo "%s up $GREETING" >>"$T/order"\nexec sleep 600\n' "$1" | script "service/$1/run"
        else
                printf 'echo "%s up $GREETING" >>"$T/order"\ntrap "" TERM\nwhile :; do sleep 0.05; done\n' "$1" |
                        script "service/$1/run"
        fi
        echo "echo \"$1 finish\" >>\"\$T/order\"" | script "service/$1/finish"
}

@test "boot, services (with the boot's environment), command, then ordered shutdown" {
        echo 'echo boot >>"$T/order"; echo hi >/etc/container_environment/GREETING' | script boot.d/10_boot
        service svc_a yes
        echo 'echo shutdown.d >>"$T/order"' | script shutdown.d/10_s
        echo 'echo pre_shutdown.d >>"$T/order"' | script my_init.pre_shutdown.d/10_p
        echo 'echo post_shutdown.d >>"$T/order"' | script my_init.post_shutdown.d/10_p
        # shellcheck disable=SC2016
        run_init -- sh -c 'd=$(( $(date +%s) + 10 )); until grep -q "svc_a up" "$T/order"; do [ $(date +%s) -lt $d ] || exit 1; sleep 0.05; done; echo command >>"$T/order"'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$(cat "$T/order" | tr '\n' '|')" = \
          "boot|svc_a up hi|command|shutdown.d|pre_shutdown.d|svc_a finish|post_shutdown.d|" ]
}

@test "short-lived services: no runsv throttle second, finish scripts run, nothing left for the KILL step" {
        # runsv sleeps 1 s (TERM blocked) after a service that ran < 1 s,
        # which starts after its finish: a runsv still in that sleep outlives
        # the services step (KILL_PROCESS_TIMEOUT + 0.5 s) and is left for
        # the final sweep ("killing all processes").
        service svc_a yes
        service svc_b yes
        # shellcheck disable=SC2016
        KILL_PROCESS_TIMEOUT=0.5 KILL_ALL_PROCESSES_TIMEOUT=0.3 run_init -- sh -c '
                d=$(( $(date +%s) + 10 ))
                until [ "$(grep -c " up" "$T/order" 2>/dev/null)" = 2 ]; do [ $(date +%s) -lt $d ] || exit 1; sleep 0.01; done'
        echo "$output"
        [ "$status" -eq 0 ]
        grep -q "svc_a finish" "$T/order"
        grep -q "svc_b finish" "$T/order"
        no_line "did not stop in time" <<<"$output"
        no_line "killing all processes" <<<"$output"
        # The command ends before the services may even have started: each
        # one that came up got its finish, and nothing was left either.
        for i in 1 2 3 4 5; do
                rm -f "$T/order"
                KILL_PROCESS_TIMEOUT=1 KILL_ALL_PROCESSES_TIMEOUT=0.3 run_init -- true
                echo "$output"
                [ "$status" -eq 0 ]
                cat "$T/order" 2>/dev/null || true
                # (a run may get its TERM before it says "up": finish anyway)
                for s in svc_a svc_b; do
                        if grep -q "$s up" "$T/order" 2>/dev/null; then grep -q "$s finish" "$T/order"; fi
                done
                no_line "killing all processes" <<<"$output"
        done
}

@test "a service that keeps crashing does not hold the shutdown for runsv's throttle second" {
        # runsv sleeps a second after each crash before it reads the stop
        # request; with a 0.5 s KILL_PROCESS_TIMEOUT, waiting that out would
        # end in "did not stop in time".
        echo 'echo crash >>"$T/order"; exit 1' | script service/crashy/run
        # shellcheck disable=SC2016
        KILL_PROCESS_TIMEOUT=0.5 KILL_ALL_PROCESSES_TIMEOUT=0.3 run_init -- sh -c '
                d=$(( $(date +%s) + 10 ))
                until [ "$(grep -c crash "$T/order" 2>/dev/null)" -ge 2 ]; do [ $(date +%s) -lt $d ] || exit 1; sleep 0.01; done'
        echo "$output"
        [ "$status" -eq 0 ]
        no_line "did not stop in time" <<<"$output"
        no_line "killing all processes" <<<"$output"
}

@test "services that ignore SIGTERM are killed by the deadline, all in parallel" {
        service stubborn1 no
        service stubborn2 no
        service polite yes
        # shellcheck disable=SC2016
        KILL_PROCESS_TIMEOUT=1 KILL_ALL_PROCESSES_TIMEOUT=0.5 run_init -- sh -c '
                d=$(( $(date +%s) + 10 ))
                until [ "$(grep -c " up" "$T/order" 2>/dev/null)" = 3 ]; do [ $(date +%s) -lt $d ] || exit 1; sleep 0.05; done
                date +%s%N >"$T/t0"'
        t1=$(date +%s%N)
        echo "$output"
        [ "$status" -eq 0 ]
        t=$(( (t1 - $(cat "$T/t0")) / 1000000 ))
        echo "shutdown took ${t} ms"
        # one KILL_PROCESS_TIMEOUT for all services, not one each
        [ "$t" -ge 900 ] && [ "$t" -lt 2500 ]
        grep -q "service '/etc/service/stubborn1' did not stop in time, killing it" <<<"$output"
        grep -q "service '/etc/service/stubborn2' did not stop in time" <<<"$output"
        no_line "service '/etc/service/polite' did not stop" <<<"$output"
        grep -q "stubborn1 finish" "$T/order"
        grep -q "polite finish" "$T/order"
}

@test "however badly everything behaves, shutdown ends in 2 x KPT + KAPT" {
        service stubborn no
        # a daemon that ignores TERM, orphaned to PID 1
        echo '(sh -c "trap \"\" TERM; exec sleep 600" &)' | script boot.d/10_daemon
        # shellcheck disable=SC2016
        KILL_PROCESS_TIMEOUT=1 KILL_ALL_PROCESSES_TIMEOUT=1 start_init -- \
                sh -c 'trap "" TERM; (trap "" TERM; exec sleep 600) & touch "$T/ready"; while :; do sleep 0.05; done'
        wait_for 10 test -e "$T/ready"
        wait_for 10 file_has "$T/order" "stubborn up"
        t0=$(now_ms)
        kill -TERM "$INIT_PID"
        wait_init 20
        t=$(( $(now_ms) - t0 ))
        cat "$T/out"
        echo "shutdown took ${t} ms"
        [ "$INIT_STATUS" -eq 137 ]
        [ "$t" -ge 2900 ] && [ "$t" -lt 4500 ]
        grep -q "processes left after 1.000s, sending SIGKILL" "$T/out"
}

@test "the final sweep TERMs leftovers; --no-kill-all-on-exit skips it" {
        # shellcheck disable=SC2016
        echo '(sh -c "trap \"echo got TERM >\\\"\$T/daemon\\\"; exit 0\" TERM; touch \"\$T/daemon_up\"; while :; do sleep 0.05; done" &)' |
                script boot.d/10_daemon
        run_init --skip-runit -- sh -c 'd=$(( $(date +%s) + 10 )); until [ -e "$T/daemon_up" ]; do [ $(date +%s) -lt $d ] || exit 1; sleep 0.05; done'
        [ "$status" -eq 0 ]
        [ "$(cat "$T/daemon")" = "got TERM" ]
        grep -q "killing all processes" <<<"$output"
        rm -f "$T/daemon" "$T/daemon_up"
        run_init --skip-runit --no-kill-all-on-exit -- sh -c 'd=$(( $(date +%s) + 10 )); until [ -e "$T/daemon_up" ]; do [ $(date +%s) -lt $d ] || exit 1; sleep 0.05; done'
        [ "$status" -eq 0 ]
        [ ! -e "$T/daemon" ]  # the kernel's SIGKILL at namespace end, no TERM
        no_line "killing all processes" <<<"$output"
}

@test "--skip-runit starts no runsvdir; --service-dir picks the directory" {
        service svc_a yes
        # shellcheck disable=SC2016
        run_init --skip-runit -- sh -c 'sleep 0.5; echo "runsv=$(cat /proc/[0-9]*/comm | grep -c "^runsv")"'
        [ "$status" -eq 0 ]
        [[ "$output" == *"runsv=0"* ]]
        [ ! -e "$T/order" ]
        mv "$T/etc/service/svc_a" "$T/svc_a"
        mkdir "$T/other"
        mv "$T/svc_a" "$T/other/"
        # shellcheck disable=SC2016
        run_init --service-dir "$T/other" -- sh -c 'd=$(( $(date +%s) + 10 )); until grep -q "svc_a up" "$T/order" 2>/dev/null; do [ $(date +%s) -lt $d ] || exit 1; sleep 0.05; done'
        [ "$status" -eq 0 ]
        grep -q "svc_a finish" "$T/order"
}

@test "--quiet prints errors only" {
        service svc_a yes
        echo 'true' | script boot.d/10_ok
        run_init --quiet -- sh -c 'exit 4'
        [ "$status" -eq 4 ]
        [ -z "$output" ]
        run_init --quiet -- /nonexistent/x
        [ "$status" -eq 127 ]
        [ "${#lines[@]}" -eq 1 ]
        [[ "${lines[0]}" == "contrainer init: error: cannot run command"* ]]
}
