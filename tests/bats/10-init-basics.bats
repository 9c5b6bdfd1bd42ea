#!/usr/bin/env bats
# contrainer init: options, exit statuses, reaping, the child's signal state,
# the my_init name and the not-PID-1 (subreaper) path.

load init_helpers

setup() { init_setup; }
teardown() { init_teardown; }

@test "--help lists every option and the environment, exit 0" {
        run "$CONTRAINER" init --help
        [ "$status" -eq 0 ]
        for o in --skip-startup-files --skip-runit --no-kill-all-on-exit --quiet \
                --boot-dir --service-dir --wait-for-services --help --version \
                KILL_PROCESS_TIMEOUT KILL_ALL_PROCESSES_TIMEOUT CONTRAINER_WAIT_FOR_SERVICES; do
                [[ "$output" == *"$o"* ]] || { echo "missing $o"; false; }
        done
}

@test "--version prints the version, exit 0" {
        run "$CONTRAINER" init --version
        [ "$status" -eq 0 ]
        [[ "$output" =~ ^contrainer\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "an unknown option is one error line and exit 2" {
        run "$CONTRAINER" init --bogus -- true
        [ "$status" -eq 2 ]
        [ "${#lines[@]}" -eq 1 ]
        [[ "$output" == "contrainer init: error: unknown option '--bogus'"* ]]
}

@test "a bad KILL_PROCESS_TIMEOUT is one error line and exit 2" {
        KILL_PROCESS_TIMEOUT=soon run "$CONTRAINER" init -- true
        [ "$status" -eq 2 ]
        [ "${#lines[@]}" -eq 1 ]
        [[ "$output" == *KILL_PROCESS_TIMEOUT* ]]
}

@test "exit status of the command is passed through" {
        run_init -- sh -c 'exit 3'
        [ "$status" -eq 3 ]
        run_init -- true
        [ "$status" -eq 0 ]
}

@test "a command killed by signal N gives 128+N" {
        run_init -- sh -c 'kill -USR1 $$'
        [ "$status" -eq $((128 + 10)) ]
        run_init -- sh -c 'kill -KILL $$'
        [ "$status" -eq 137 ]
}

@test "a command that is not found gives 127 and one line naming it" {
        run_init -- /nonexistent/cmd-xyz
        [ "$status" -eq 127 ]
        [ "$(grep -c "error: cannot run command '/nonexistent/cmd-xyz'" <<<"$output")" -eq 1 ]
        run_init -- no-such-cmd-xyz
        [ "$status" -eq 127 ]
}

@test "a command that cannot be executed gives 126" {
        printf 'data\n' >"$T/notexec"
        chmod 644 "$T/notexec"
        run_init -- "$T/notexec"
        [ "$status" -eq 126 ]
        [[ "$output" == *"cannot run command '$T/notexec': Permission denied"* ]]
}

@test "1000 orphaned zombies are all reaped" {
        # Each subshell leaves a sleep orphaned to PID 1.  Once all 1000 are
        # counted, they are killed at once: 1000 zombies for PID 1 to reap.
        # The command then checks the process table itself.
        cat >"$T/zombies.sh" <<'EOS'
i=0
while [ $i -lt 1000 ]; do (exec sleep 1000 &) ; i=$((i + 1)); done
n=$(grep -l '^PPid:[[:space:]]*1$' /proc/[0-9]*/status 2>/dev/null | wc -l)
echo "orphans: $n"
for s in /proc/[0-9]*/status; do
        grep -q '^PPid:[[:space:]]*1$' "$s" 2>/dev/null || continue
        grep -q '^Name:[[:space:]]*sleep$' "$s" 2>/dev/null || continue
        p=${s#/proc/}; kill "${p%/status}" 2>/dev/null
done
deadline=$(( $(date +%s) + 30 ))
while :; do
        z=$(cat /proc/[0-9]*/stat 2>/dev/null | awk '$3 == "Z"' | wc -l)
        s=$(cat /proc/[0-9]*/comm 2>/dev/null | grep -c '^sleep$')
        [ "$z" -eq 0 ] && [ "$s" -eq 0 ] && break
        [ "$(date +%s)" -lt "$deadline" ] || { echo "left: $z zombies, $s sleeps"; exit 1; }
        sleep 0.1
done
echo "all reaped"
EOS
        run_init --skip-runit -- sh "$T/zombies.sh"
        echo "$output"
        [ "$status" -eq 0 ]
        orphans=$(sed -n 's/^orphans: //p' <<<"$output")
        [ "$orphans" -ge 1000 ]
        [[ "$output" == *"all reaped"* ]]
}

@test "the command starts with an empty signal mask and default dispositions" {
        # tini's sigconf test: whatever init's parent blocked or ignored, and
        # whatever init blocks itself, the command starts clean.
        run timeout -k 5 60 "${NS[@]}" env --ignore-signal=HUP,PIPE,USR2 --block-signal=USR1,INT \
                "$CONTRAINER" init --skip-runit -- grep -E '^Sig(Blk|Ign):' /proc/self/status
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"SigBlk:	0000000000000000"* ]]
        [[ "$output" == *"SigIgn:	0000000000000000"* ]]
}

@test "the my_init name is a drop-in" {
        ln -s "$CONTRAINER" "$T/my_init"
        run timeout -k 5 60 "${NS[@]}" "$T/my_init" --skip-runit -- sh -c 'exit 5'
        [ "$status" -eq 5 ]
        run "$T/my_init" --version
        [[ "$output" == contrainer\ * ]]
}

@test "not PID 1: subreaper reaps the command's orphans, the sweep spares others" {
        # sh is PID 1 of the namespace; contrainer is its child next to a
        # sibling sleep that must survive contrainer's final sweep.
        cat >"$T/cmd.sh" <<'EOS'
(sleep 0.3 & echo $! >"$T/orphan"; exec sleep 0.05)
(sh -c 'trap "" TERM; exec sleep 60' & echo $! >"$T/stubborn")
deadline=$(( $(date +%s) + 10 ))
while [ -e "/proc/$(cat "$T/orphan")" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || { echo "orphan not reaped"; exit 1; }
        sleep 0.05
done
echo "orphan reaped"
EOS
        # shellcheck disable=SC2016
        run timeout -k 5 60 unshare --pid --fork --kill-child --mount-proc --propagation private sh -c '
                mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/etc,workdir=$T/work" /etc || exit 99
                sleep 60 & sib=$!
                T="$T" KILL_ALL_PROCESSES_TIMEOUT=0.5 "$CONTRAINER" init --skip-runit -- sh "$T/cmd.sh"
                echo "init status $?"
                kill -0 "$sib" && echo "sibling alive"
                stub=$(cat "$T/stubborn")
                if [ -e "/proc/$stub" ]; then echo "stubborn left"; fi
                kill "$sib"'
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"running as a child subreaper"* ]]
        [[ "$output" == *"orphan reaped"* ]]
        [[ "$output" == *"init status 0"* ]]
        [[ "$output" == *"sibling alive"* ]]
        [[ "$output" != *"stubborn left"* ]]
}
