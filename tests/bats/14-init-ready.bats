#!/usr/bin/env bats
# contrainer init: --wait-for-services / CONTRAINER_WAIT_FOR_SERVICES
# (docs/init.md "Readiness").  Order is asserted through marker files.

load init_helpers

setup() { init_setup; }
teardown() { init_teardown; }

# slow_service NAME: up at once, but its ./check succeeds only a second
# after ./run started (and says so in $T/order when it does).
slow_service() {
        script "service/$1/run" <<'EOS'
date +%s%N >"$T/started"
exec sleep 600
EOS
        script "service/$1/check" <<EOS
[ -s "\$T/started" ] || exit 1
[ \$(( \$(date +%s%N) - \$(cat "\$T/started") )) -ge 1000000000 ] || exit 1
echo "$1 ready" >>"\$T/order"
EOS
        echo "echo \"$1 finish\" >>\"\$T/order\"" | script "service/$1/finish"
}

# CMD: the command records that it ran.
CMD=(sh -c 'echo command >>"$T/order"')

@test "the command starts only once every service is ready (check, or run for a second)" {
        slow_service slow
        printf 'echo "plain up" >>"$T/order"\nexec sleep 600\n' | script service/plain/run
        # a service with a down file is not waited for
        printf 'exec sleep 600\n' | script service/off/run
        touch "$T/etc/service/off/down"
        run_init --wait-for-services=20 -- "${CMD[@]}"
        echo "$output"
        cat "$T/order"
        [ "$status" -eq 0 ]
        # ready, then the command, then the shutdown's finish
        [ "$(grep -n . "$T/order" | grep -m1 'slow ready' | cut -d: -f1)" -lt \
          "$(grep -n . "$T/order" | grep 'command' | cut -d: -f1)" ]
        [ "$(grep -n . "$T/order" | grep 'plain up' | cut -d: -f1)" -lt \
          "$(grep -n . "$T/order" | grep 'command' | cut -d: -f1)" ]
        [ "$(grep -n . "$T/order" | grep 'command' | cut -d: -f1)" -lt \
          "$(grep -n . "$T/order" | grep 'slow finish' | cut -d: -f1)" ]
        grep -q "all 2 services ready" <<<"$output"
}

@test "CONTRAINER_WAIT_FOR_SERVICES does the same; 0 is off" {
        slow_service slow
        CONTRAINER_WAIT_FOR_SERVICES=20 run_init -- "${CMD[@]}"
        [ "$status" -eq 0 ]
        [ "$(head -1 "$T/order")" = "slow ready" ]
        rm -f "$T/order" "$T/started"
        CONTRAINER_WAIT_FOR_SERVICES=0 run_init -- "${CMD[@]}"
        [ "$status" -eq 0 ]
        no_line "services ready" <<<"$output"
        [ "$(head -1 "$T/order")" = command ]
}

@test "a service that never becomes ready: one line naming it, shutdown, exit 1" {
        printf 'exec sleep 600\n' | script service/never/run
        printf 'exit 1\n' | script service/never/check
        echo 'echo "never finish" >>"$T/order"' | script service/never/finish
        printf 'exec sleep 600\n' | script service/fine/run
        echo 'echo shutdown.d >>"$T/order"' | script shutdown.d/10_s
        for how in flag env; do
                rm -f "$T/order"
                if [ "$how" = flag ]; then
                        run_init --wait-for-services=4 -- "${CMD[@]}"
                else
                        CONTRAINER_WAIT_FOR_SERVICES=4 run_init -- "${CMD[@]}"
                fi
                echo "$output"
                [ "$status" -eq 1 ]
                [ "$(grep -c 'services not ready' <<<"$output")" -eq 1 ]
                grep -q "error: services not ready after 4\.[0-9]*s: '/etc/service/never'\$" <<<"$output"
                no_line command "$T/order"
                grep -q shutdown.d "$T/order"
                grep -q "never finish" "$T/order"
        done
}

@test "SIGTERM during the wait: the check's group gets it, no command, shutdown, 143" {
        printf 'exec sleep 600\n' | script service/hang/run
        # a check that hangs and ignores TERM, with a child
        script service/hang/check <<'EOS'
trap "" TERM
(trap "" TERM; exec sleep 600) &
touch "$T/checking"
while :; do sleep 0.05; done
EOS
        echo 'echo shutdown.d >>"$T/order"' | script shutdown.d/10_s
        KILL_PROCESS_TIMEOUT=0.5 start_init --wait-for-services=60 -- "${CMD[@]}"
        wait_for 10 test -e "$T/checking"
        kill -TERM "$INIT_PID"
        wait_init 20
        cat "$T/out"
        [ "$INIT_STATUS" -eq 143 ]
        no_line command "$T/order"
        grep -q shutdown.d "$T/order"
        no_line "killing all processes" "$T/out"
}
