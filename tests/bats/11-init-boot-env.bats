#!/usr/bin/env bats
# contrainer init: boot scripts (order, skip rules, failure) and the
# environment export (/etc/container_environment{/,.sh,.json}) with re-read.

load init_helpers

setup() { init_setup; }
teardown() { init_teardown; }

@test "boot.d, then my_init.d, then rc.local, executables only, byte order" {
        for s in boot.d/10_b boot.d/00_a boot.d/B9 my_init.d/05_m rc.local; do
                echo "echo $s >>\"\$T/order\"" | script "$s"
        done
        echo 'echo plain >>"$T/order"' | script boot.d/20_plain
        chmod -x "$T/etc/boot.d/20_plain"
        echo 'echo hidden >>"$T/order"' | script boot.d/.30_hidden
        mkdir "$T/etc/boot.d/40_dir"
        ln -s ../my_init.d/05_m "$T/etc/boot.d/50_link"
        run_init --skip-runit -- sh -c 'echo command >>"$T/order"'
        [ "$status" -eq 0 ]
        [ "$(cat "$T/order" | tr '\n' ' ')" = \
          "boot.d/00_a boot.d/10_b my_init.d/05_m boot.d/B9 my_init.d/05_m rc.local command " ]
}

@test "a failing boot script stops the boot: its status, one line naming it" {
        echo 'exit 7' | script boot.d/10_fail
        echo 'echo ran >"$T/later"' | script boot.d/20_later
        echo 'echo ran >"$T/shutdown"' | script shutdown.d/10_s
        run_init --skip-runit -- sh -c 'echo ran >"$T/cmd"'
        [ "$status" -eq 7 ]
        [ "$(grep -c "error: boot script '/etc/boot.d/10_fail' failed with exit status 7" <<<"$output")" -eq 1 ]
        [ "$(grep -c 'error:' <<<"$output")" -eq 1 ]
        [ ! -e "$T/later" ]
        [ ! -e "$T/cmd" ]
        [ -e "$T/shutdown" ]  # the shutdown sequence still runs
}

@test "a boot script killed by signal N gives 128+N" {
        echo 'kill -TERM $$' | script boot.d/10_killed
        run_init --skip-runit -- true
        [ "$status" -eq 143 ]
        [[ "$output" == *"boot script '/etc/boot.d/10_killed' was killed by signal 15 (SIGTERM)"* ]]
}

@test "--skip-startup-files runs no boot script; --boot-dir picks the directory" {
        echo 'echo default >>"$T/order"' | script boot.d/10_a
        echo 'echo other >>"$T/order"' | script other/10_a
        run_init --skip-runit --skip-startup-files -- true
        [ "$status" -eq 0 ]
        [ ! -e "$T/order" ]
        run_init --skip-runit --boot-dir /etc/other -- true
        [ "$status" -eq 0 ]
        [ "$(cat "$T/order")" = other ]
}

@test "a boot script's new variable reaches later scripts and the command" {
        echo 'printf "hello world\n" >/etc/container_environment/GREETING' | script boot.d/10_add
        echo 'printf "%s" "$GREETING" >"$T/seen_by_20"' | script boot.d/20_see
        run_init --skip-runit -- sh -c 'printf "%s" "$GREETING" >"$T/seen_by_cmd"'
        [ "$status" -eq 0 ]
        [ "$(cat "$T/seen_by_20")" = "hello world" ]
        [ "$(cat "$T/seen_by_cmd")" = "hello world" ]
        grep -qx "export GREETING='hello world'" "$T/etc/container_environment.sh"
}

@test "a boot script deleting a variable file removes the variable" {
        echo 'rm /etc/container_environment/DOOMED' | script boot.d/10_del
        echo 'echo "changed" >/etc/container_environment/KEPT' | script boot.d/20_change
        DOOMED=1 KEPT=orig run_init --skip-runit -- \
                sh -c 'echo "doomed=${DOOMED-unset} kept=$KEPT" >"$T/seen"'
        [ "$status" -eq 0 ]
        [ "$(cat "$T/seen")" = "doomed=unset kept=changed" ]
        ! grep -q DOOMED "$T/etc/container_environment.sh"
        [ "$(jq -r 'has("DOOMED")' "$T/etc/container_environment.json")" = false ]
}

@test "spaces, quotes and newlines survive the .sh and .json round trip" {
        weird=$'a b \'single\' "double" $HOME `cmd` \\back\nline2\ttab'
        # env after the namespace's sh: shells drop names like my-var
        WEIRD=$weird HOME=/nothome run timeout -k 5 60 "${NS[@]}" env 'my-var=dash' \
                "$CONTRAINER" init --skip-runit -- true
        [ "$status" -eq 0 ]
        # shellcheck disable=SC2016
        got=$(env -i sh -c '. "$1"; printf "%s" "$WEIRD"' sh "$T/etc/container_environment.sh")
        [ "$got" = "$weird" ]
        [ "$(jq -j .WEIRD "$T/etc/container_environment.json")" = "$weird" ]
        [ "$(cat "$T/etc/container_environment/WEIRD")" = "$weird" ]
        # not a shell name: kept in the JSON and the directory, not in .sh
        [ "$(jq -r '."my-var"' "$T/etc/container_environment.json")" = dash ]
        [ "$(cat "$T/etc/container_environment/my-var")" = dash ]
        ! grep -q 'my-var' "$T/etc/container_environment.sh"
        # HOME is never exported
        [ "$(jq -r 'has("HOME")' "$T/etc/container_environment.json")" = false ]
        [ ! -e "$T/etc/container_environment/HOME" ]
}

@test "one trailing newline of a variable file is dropped on re-read" {
        printf 'printf "v\\n\\n" >/etc/container_environment/NL\n' | script boot.d/10_nl
        run_init --skip-runit -- sh -c 'printf "[%s]" "$NL" >"$T/seen"'
        [ "$status" -eq 0 ]
        [ "$(cat "$T/seen")" = "[v
]" ]
}

@test "the real /etc is left untouched" {
        echo 'touch /etc/boot-was-here' | script boot.d/10_touch
        run_init --skip-runit -- touch /etc/cmd-was-here
        [ "$status" -eq 0 ]
        [ -e "$T/etc/boot-was-here" ] && [ -e "$T/etc/cmd-was-here" ]
        [ ! -e /etc/boot-was-here ] && [ ! -e /etc/cmd-was-here ]
        [ ! -e /etc/container_environment.sh ] || [ "$(stat -c %Y /etc/container_environment.sh)" -lt "$(stat -c %Y "$T/etc/container_environment.sh")" ]
}
