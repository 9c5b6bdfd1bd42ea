#!/usr/bin/env bats
# The product images (docs/images.md): built by images/build.sh from the package
# (make deb, see images_helpers.bash);
# contrainer init as PID 1 of contrainer/base; docker stop with runit
# services; a boot script's variable reaching `docker exec`.
load images_helpers

setup_file() {
        img_setup_file build
        # A test image FROM the base image: two services that mark their start
        # and, from their finish scripts, their stop in /markers (a bind
        # mount); a boot script exporting a variable the phusion way.
        local d=$BATS_FILE_TMPDIR/ctx s
        mkdir -p "$d/t1" "$d/t2"
        for s in t1 t2; do
                printf '#!/bin/sh\necho "$CTRIMG_BOOT_VAR" >/markers/%s.started\nexec sleep 100000\n' "$s" >"$d/$s/run"
                printf '#!/bin/sh\necho stopped >/markers/%s.stopped\n' "$s" >"$d/$s/finish"
                chmod 755 "$d/$s/run" "$d/$s/finish"
        done
        printf '#!/bin/sh\nprintf "from boot.d\\n" >/etc/container_environment/CTRIMG_BOOT_VAR\n' >"$d/50_export"
        chmod 755 "$d/50_export"
        cat >"$d/Dockerfile" <<'DF'
FROM contrainer/base:latest
COPY t1 /etc/service/t1
COPY t2 /etc/service/t2
COPY 50_export /etc/boot.d/50_export
DF
        export SVC_IMAGE="${IP}svc:latest"
        build_test_image "$SVC_IMAGE" "$d"
}
teardown_file() { img_teardown_file; }
setup() { img_setup; }
teardown() { img_teardown; }

@test "build.sh made both images, reported their sizes, and reuses the cached root filesystem" {
        grep -E '^images: contrainer/base:latest +[0-9.]+ MB$' "$BATS_FILE_TMPDIR/build.out"
        grep -E '^images: contrainer/controller:latest +[0-9.]+ MB$' "$BATS_FILE_TMPDIR/build.out"
        [ -s "$TOP/build/cache/rootfs-bookworm.tar" ] || [ -n "${CONTRAINER_CACHE:-}" ]
        grep -E '^images: contrainer/static:latest +[0-9.]+ MB$' "$BATS_FILE_TMPDIR/build.out"
        run timeout 300 "$TOP/images/build.sh" "$DEB" "$STATIC_BIN"
        [ "$status" -eq 0 ]
        [[ "$output" == *"reusing cached root filesystem"* ]]
        [[ "$output" != *debootstrap\ bookworm* ]]
}

@test "base image: the package installed, entrypoint contrainer init, my_init link, boot.d, services, helpers; controller adds only the contrainer service" {
        [ "$(docker image inspect -f '{{json .Config.Entrypoint}}' contrainer/base:latest)" = '["/sbin/contrainer","init"]' ]
        run timeout 30 docker run --rm --network none --entrypoint /bin/sh contrainer/base:latest -c '
                readlink -f /sbin/my_init
                readlink -f /sbin/contrainer
                dpkg-query -W -f "\${Status}\n" contrainer
                dpkg -S /usr/bin/contrainer >/dev/null || echo "missing package owner of /usr/bin/contrainer"
                test -e /etc/service/contrainer && echo contrainer-enabled-in-base
                ls /etc/boot.d; ls /etc/service; test -e /etc/sv/sshd/down && echo sshd-down
                for h in enter host clean stopall killall purge run-bash backup restore; do
                        test -x /usr/local/bin/$h || echo "missing $h"
                        [ "$(readlink /usr/local/bin/$h)" = /usr/bin/contrainer-$h ] || echo "missing link $h"
                done
                for c in runsvdir sv sshd cron nsenter; do command -v $c >/dev/null || echo "missing $c"; done'
        [ "$status" -eq 0 ]
        [[ "$output" != *missing* ]]
        [ "${lines[0]}" = /usr/bin/contrainer ]
        [ "${lines[1]}" = /usr/bin/contrainer ]
        [ "${lines[2]}" = "install ok installed" ]
        [[ "$output" == *10_ssh_keys*20_seed_volumes*30_config_override* ]]
        [[ "$output" == *cron*sshd* ]]
        [[ "$output" != *contrainer-enabled-in-base* ]]
        [[ "$output" == *sshd-down* ]]
        # the image's binary is the package's, byte for byte
        cmp <(dpkg-deb --fsys-tarfile "$DEB" | tar -xO ./usr/bin/contrainer) \
                <(docker run --rm --network none --entrypoint cat contrainer/base:latest /sbin/contrainer)
        run timeout 30 docker run --rm --network none --entrypoint /bin/sh contrainer/controller:latest -c \
                'ls /etc/service; readlink /etc/service/contrainer; ls /usr/lib/x86_64-linux-gnu/libcurl.so.4 /usr/lib/x86_64-linux-gnu/libcjson.so.1'
        [ "$status" -eq 0 ]
        [[ "$output" == *"/etc/sv/contrainer"* ]]
}

@test "contrainer/static holds only the static init; COPY --from puts it into another image as PID 1" {
        run timeout 30 docker image inspect -f '{{len .RootFS.Layers}} {{json .Config.Entrypoint}}' contrainer/static:latest
        [ "$output" = '1 ["/contrainer","init","--"]' ]
        run bash -c "docker save contrainer/static:latest | tar -xO --wildcards '*/layer.tar' | tar -t"
        [ "$status" -eq 0 ]
        [ "$output" = contrainer ]
        cmp "$STATIC_BIN" <(docker save contrainer/static:latest | tar -xO --wildcards '*/layer.tar' | tar -xO contrainer)
        # the README's way 2, on an image that is not Debian (busybox only)
        local d=$BATS_TEST_TMPDIR/ctx
        mkdir -p "$d"
        printf 'FROM %s\nCOPY --from=contrainer/static:latest /contrainer /sbin/contrainer\nENTRYPOINT ["/sbin/contrainer", "init", "--"]\n' \
                "$BB_IMAGE" >"$d/Dockerfile"
        build_test_image "${IP}copyfrom:latest" "$d"
        run timeout 60 docker run --rm --network none "${IP}copyfrom:latest" sh -c 'cat /proc/1/comm; exit 5'
        [ "$status" -eq 5 ]
        [[ "$output" == *contrainer* ]]
}

@test "base image runs a command as PID 1 and exits with its status" {
        run timeout 60 docker run --rm --network none contrainer/base:latest sh -c 'echo "pid=$$"; exit 7'
        [ "$status" -eq 7 ]
        [[ "$output" == *"pid="* ]]
        run timeout 60 docker run --rm --network none contrainer/base:latest sh -c 'cat /proc/1/cmdline | tr "\0" " "'
        [ "$status" -eq 0 ]
        [[ "$output" == *"/sbin/contrainer init"* ]]
        run timeout 60 docker run --rm --network none contrainer/base:latest true
        [ "$status" -eq 0 ]
        run timeout 60 docker run --rm --network none contrainer/base:latest false
        [ "$status" -eq 1 ]
}

@test "docker stop of two services and no command returns well before Docker's 10 s kill, the services' finish scripts ran" {
        mkdir -p "$T/markers"
        timeout 60 docker run -d --name "${IP}stop" --network none -v "$T/markers:/markers" "$SVC_IMAGE" >/dev/null
        wait_for "both services started" 30 test -e "$T/markers/t1.started" -a -e "$T/markers/t2.started"
        local t0=$SECONDS
        timeout 30 docker stop "${IP}stop" >/dev/null
        local took=$((SECONDS - t0))
        echo "docker stop took ${took}s" >&2
        [ "$took" -le 6 ]
        [ "$(cat "$T/markers/t1.stopped")" = stopped ]
        [ "$(cat "$T/markers/t2.stopped")" = stopped ]
        [ "$(docker inspect -f '{{.State.ExitCode}}' "${IP}stop")" -ne 137 ]
}

@test "a boot script's variable reaches the services and docker exec through /etc/container_environment" {
        mkdir -p "$T/markers"
        timeout 60 docker run -d --name "${IP}env" --network none -v "$T/markers:/markers" "$SVC_IMAGE" >/dev/null
        wait_for "service t1 started" 30 test -s "$T/markers/t1.started"
        [ "$(cat "$T/markers/t1.started")" = "from boot.d" ]
        run in_ctr "${IP}env" sh -c '. /etc/container_environment.sh; echo "$CTRIMG_BOOT_VAR"'
        [ "$status" -eq 0 ]
        [ "$output" = "from boot.d" ]
        run in_ctr "${IP}env" cat /etc/container_environment/CTRIMG_BOOT_VAR
        [ "$output" = "from boot.d" ]
}
