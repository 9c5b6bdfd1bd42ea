#!/usr/bin/env bats
# contrainer init: signal forwarding, terminating signals, the kill timeout,
# running without a command, and the terminal's foreground group.

load init_helpers

setup() { init_setup; }
teardown() { init_teardown; }

# A command that records the signals it gets in $T/got and says READY.
recorder() {
        cat >"$T/rec.sh" <<'EOS'
for s in USR1 USR2 HUP WINCH CONT ALRM; do trap "echo $s >>\"\$T/got\"" "$s"; done
trap 'echo TERM >>"$T/got"; exit 42' TERM
echo ready >"$T/ready"
while :; do sleep 0.05; done
EOS
}

@test "SIGUSR1, SIGHUP and others are forwarded to the command" {
        recorder
        start_init --skip-runit -- sh "$T/rec.sh"
        wait_for 10 test -e "$T/ready"
        for s in USR1 HUP USR2 WINCH; do
                kill -"$s" "$INIT_PID"
                wait_for 10 file_has "$T/got" "^$s\$"
        done
        kill -TERM "$INIT_PID"
        wait_init 20
        [ "$INIT_STATUS" -eq 42 ]
        [ "$(cat "$T/got" | tr '\n' ' ')" = "USR1 HUP USR2 WINCH TERM " ]
}

@test "SIGINT and SIGQUIT are forwarded and start the shutdown" {
        for s in INT QUIT; do
                # shellcheck disable=SC2016
                start_init --skip-runit -- sh -c "trap 'echo $s >\"\$T/got_$s\"; exit 9' $s; touch \"\$T/ready_$s\"; while :; do sleep 0.05; done"
                wait_for 10 test -e "$T/ready_$s"
                kill -"$s" "$INIT_PID"
                wait_init 20
                [ "$INIT_STATUS" -eq 9 ]
                [ "$(cat "$T/got_$s")" = "$s" ]
        done
}

@test "a command that ignores SIGTERM is killed after KILL_PROCESS_TIMEOUT" {
        # shellcheck disable=SC2016
        KILL_PROCESS_TIMEOUT=1 start_init --skip-runit -- \
                sh -c 'trap "" TERM; echo $$ >"$T/cmdpid"; while :; do sleep 0.05; done'
        wait_for 10 test -s "$T/cmdpid"
        t0=$(now_ms)
        kill -TERM "$INIT_PID"
        wait_init 20
        t=$(( $(now_ms) - t0 ))
        cat "$T/out"
        [ "$INIT_STATUS" -eq 137 ]
        [ "$t" -ge 900 ] && [ "$t" -lt 3000 ]
        grep -q 'command did not exit within 1.000s of SIGTERM, killing it' "$T/out"
}

@test "KILL_PROCESS_TIMEOUT takes fractions of a second" {
        # shellcheck disable=SC2016
        KILL_PROCESS_TIMEOUT=0.3 start_init --skip-runit -- \
                sh -c 'trap "" TERM; touch "$T/ready"; while :; do sleep 0.05; done'
        wait_for 10 test -e "$T/ready"
        t0=$(now_ms)
        kill -TERM "$INIT_PID"
        wait_init 20
        t=$(( $(now_ms) - t0 ))
        [ "$INIT_STATUS" -eq 137 ]
        [ "$t" -ge 250 ] && [ "$t" -lt 1500 ]
}

@test "without a command, init runs until SIGTERM, SIGINT or SIGQUIT and exits 0" {
        for s in TERM INT QUIT; do
                echo 'touch "$T/booted"' | script boot.d/10_mark
                rm -f "$T/booted"
                start_init --skip-runit
                wait_for 10 test -e "$T/booted"
                # still running a while later
                ! wait_for 1 eval '! kill -0 "$UPID" 2>/dev/null'
                kill -"$s" "$INIT_PID"
                wait_init 20
                [ "$INIT_STATUS" -eq 0 ]
                grep -q "received SIG$s, shutting down" "$T/out"
        done
}

@test "a terminating signal during the boot stops it after the current script" {
        echo 'touch "$T/in10"; sleep 1' | script boot.d/10_slow
        echo 'touch "$T/in20"' | script boot.d/20_next
        start_init --skip-runit -- sh -c 'touch "$T/cmd"'
        wait_for 10 test -e "$T/in10"
        kill -TERM "$INIT_PID"
        wait_init 20
        [ ! -e "$T/in20" ]
        [ ! -e "$T/cmd" ]
        [ "$INIT_STATUS" -eq 143 ]
}

@test "signals during the boot go to the running boot script's process group" {
        # The background child is in the script's group, not its pid: both
        # get the signal.
        script boot.d/10_bg <<'EOS'
(trap 'echo child USR1 >>"$T/got"' USR1; touch "$T/ready"; while :; do sleep 0.05; done) &
trap 'echo main USR1 >>"$T/got"' USR1
while :; do sleep 0.05; done
EOS
        start_init --skip-runit -- sh -c 'touch "$T/cmd"'
        wait_for 10 test -e "$T/ready"
        kill -USR1 "$INIT_PID"
        wait_for 10 file_has "$T/got" '^main USR1$'
        wait_for 10 file_has "$T/got" '^child USR1$'
        kill -TERM "$INIT_PID"
        wait_init 20
        cat "$T/out"
        [ "$INIT_STATUS" -eq 143 ]
        [ ! -e "$T/cmd" ]
}

@test "a boot script that ignores SIGTERM is killed with its group; shutdown.d runs; 128+N" {
        # A TERM-ignoring script with a TERM-ignoring background child; both
        # record their (namespace) pids, and shutdown.d says which still live.
        # shellcheck disable=SC2016
        printf '%s\n' 'trap "" TERM' '(trap "" TERM; exec sleep 600) &' 'echo "$! $$" >"$T/pids"' \
                'while :; do sleep 0.05; done' | script boot.d/10_stubborn
        echo 'touch "$T/in20"' | script boot.d/20_next
        script shutdown.d/10_check <<'EOS'
for p in $(cat "$T/pids"); do kill -0 "$p" 2>/dev/null && echo "alive $p" >>"$T/shutdown"; done
echo ran >>"$T/shutdown"
EOS
        for s in TERM INT; do
                rm -f "$T/pids" "$T/shutdown"
                KILL_PROCESS_TIMEOUT=0.5 start_init --skip-runit -- sh -c 'touch "$T/cmd"'
                wait_for 10 test -s "$T/pids"
                kill -"$s" "$INIT_PID"
                wait_init 20
                cat "$T/out"
                [ "$INIT_STATUS" -eq $(( 128 + $(kill -l "$s") )) ]
                [ ! -e "$T/in20" ]
                [ ! -e "$T/cmd" ]
                grep -q "boot script '/etc/boot.d/10_stubborn' did not exit within 0.500s of SIG$s, killing its process group" "$T/out"
                # shutdown.d ran, and no process of the script was left by then
                [ "$(cat "$T/shutdown")" = ran ]
                no_line "killing all processes" "$T/out"
        done
}

@test "with a terminal on stdin the command gets the foreground process group" {
        command -v script >/dev/null || skip "script(1) not installed"
        # script(1) gives init a pty as its controlling terminal.
        run timeout -k 5 60 script -qec "$(printf '%q ' "${NS[@]}" "$CONTRAINER" init --skip-runit -- \
                sh -c 'echo "pgid=$(ps -o pgid= -p $$ | tr -d " ") tpgid=$(ps -o tpgid= -p $$ | tr -d " ")"')" /dev/null
        echo "$output"
        [ "$status" -eq 0 ]
        line=$(grep -o 'pgid=[0-9]* tpgid=[0-9]*' <<<"$output")
        pg=${line#pgid=}; pg=${pg%% *}
        [ "$line" = "pgid=$pg tpgid=$pg" ]
        [ "$pg" -ne 1 ]
}
