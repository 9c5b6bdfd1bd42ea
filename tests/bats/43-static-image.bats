#!/usr/bin/env bats
# The static (musl) init-only build, `make static` (issue 14): a static ELF
# with no interpreter; init mode, --help and --version only (watch says in
# one line that it needs the regular build); PID 1 of a scratch image that
# holds nothing but it and busybox (`docker import` of a two-file tar).
# The binary: CONTRAINER_STATIC, else $CONTRAINER when that is the static
# build (make check-static), else build/static/contrainer beside it.
load images_helpers

setup_file() {
        img_setup_file
        S=${CONTRAINER_STATIC:-}
        if [ -z "$S" ]; then
                if "$CONTRAINER" --version 2>/dev/null | grep -q 'static'; then
                        S=$CONTRAINER
                else
                        S=$(dirname "$CONTRAINER")/static/contrainer
                fi
        fi
        [ -x "$S" ] || { echo "no static build at $S (make static)" >&2; return 1; }
        export S
        # The scratch image: /contrainer and /busybox, nothing else.
        local root=$BATS_FILE_TMPDIR/root
        mkdir -p "$root"
        cp "$S" "$root/contrainer"
        cp /bin/busybox "$root/busybox"
        export SIMG="${IP}static:latest"
        tar -C "$root" --numeric-owner -c contrainer busybox |
                timeout 60 docker import -c 'ENTRYPOINT ["/contrainer", "init", "--"]' \
                        -c "LABEL ctrimg.test=$IP" - "$SIMG" >/dev/null
}
teardown_file() { img_teardown_file; }
# srun ARG...: docker run, bounded; init's own log lines (stderr) go to
# $T/err so that $output holds the command's stdout alone.
srun() { timeout 60 docker run "$@" 2>"$T/err"; }
setup() { img_setup; }
teardown() { img_teardown; }

@test "the static build is a static ELF: no program interpreter, no dynamic section" {
        run readelf -lW "$S"
        [ "$status" -eq 0 ]
        [[ "$output" == *"LOAD"* ]]
        [[ "$output" != *"INTERP"* ]]
        [[ "$output" != *"DYNAMIC"* ]]
}

@test "the static build: watch and any other mode are one line naming the regular build, exit 2" {
        for m in watch exec bogus; do
                run "$S" "$m" --help
                [ "$status" -eq 2 ]
                [ "${#lines[@]}" -eq 1 ]
                [[ "$output" == "contrainer: '$m' is not in this static init-only build; the controller (watch) needs the regular build" ]]
        done
}

@test "the static build: --help, --version and init --help work" {
        run "$S" --help
        [ "$status" -eq 0 ]
        [[ "$output" == *"contrainer init [OPTIONS]"* ]]
        [[ "$output" != *"contrainer watch [OPTIONS]"* ]]
        run "$S" --version
        [ "$status" -eq 0 ]
        [[ "$output" =~ ^contrainer\ [0-9]+\.[0-9]+\.[0-9]+\ \(static,\ init\ only\)$ ]]
        run "$S" init --help
        [ "$status" -eq 0 ]
        [[ "$output" == *--skip-runit* ]]
}

@test "scratch image with only the static init and busybox: PID 1, environment export, exit status" {
        [ "$(docker image inspect -f '{{len .RootFS.Layers}}' "$SIMG")" = 1 ]
        run srun --rm --network none -e CTRIMG_VAR=from-run --name "${IP}run" "$SIMG" \
                /busybox sh -c '
                        /busybox readlink /proc/1/exe
                        /busybox cat /etc/container_environment/CTRIMG_VAR; echo
                        /busybox grep -c CTRIMG_VAR /etc/container_environment.sh
                        exit 7'
        echo "$output"; cat "$T/err"
        [ "$status" -eq 7 ]
        grep -qx 'contrainer init: command exited with status 7' "$T/err"
        [ "${lines[0]}" = /contrainer ]
        [ "${lines[1]}" = from-run ]
        [ "${lines[2]}" = 1 ]
}

@test "scratch image: docker stop reaches the command through the static init (143, not SIGKILL)" {
        timeout 60 docker run -d --network none --name "${IP}stop" "$SIMG" /busybox sleep 100000 >/dev/null
        wait_for "the container to run" 30 ctr_running "${IP}stop"
        wait_for "sleep to run under PID 1" 30 sh -c "docker top '${IP}stop' | grep -q 'sleep 100000'"
        run timeout 60 docker stop -t 30 "${IP}stop"
        [ "$status" -eq 0 ]
        # SIGTERM reached sleep (forwarded by PID 1): 128+15, not the 137 of
        # Docker's SIGKILL at the end of the grace period.
        [ "$(docker inspect -f '{{.State.ExitCode}}' "${IP}stop")" = 143 ]
}

@test "scratch image: orphans are reaped by the static PID 1" {
        run srun --rm --network none --name "${IP}reap" "$SIMG" /busybox sh -c '
                for i in 1 2 3 4 5; do /busybox sh -c "/busybox sleep 0.2 &" ; done
                i=0
                while [ $i -lt 100 ]; do
                        z=$(/busybox grep -l "^State:.*Z" /proc/[0-9]*/status 2>/dev/null | /busybox wc -l)
                        n=$(/busybox pidof sleep | /busybox wc -w)
                        [ "$z" = 0 ] && [ "$n" = 0 ] && { echo reaped; exit 0; }
                        /busybox sleep 0.1; i=$((i + 1))
                done
                echo "left: $z zombies, $n sleeps"; exit 1'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$output" = reaped ]
}
