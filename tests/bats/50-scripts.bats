#!/usr/bin/env bats
# The admin helpers (scripts/, docs/helpers.md), run from the work tree on the host
# against the real Engine: each one's --help, a happy path and an error path.
# The "everything" helpers are always narrowed with -f name=^<prefix> so that
# they touch only this file's containers.
load images_helpers

setup_file() { img_setup_file; }
teardown_file() { img_teardown_file; }
setup() {
        img_setup
        S=$TOP/scripts
}
teardown() {
        if [ -n "${STANDIN_PID:-}" ]; then kill "$STANDIN_PID" 2>/dev/null || true; fi
        # containers a test could not name with IP (their ids, one a line)
        if [ -s "$T/extra" ]; then
                # shellcheck disable=SC2046 # ids are hex words
                timeout 60 docker rm -f $(cat "$T/extra") >/dev/null 2>&1 || true
        fi
        img_teardown
}

# bb NAME [CMD...]: a running busybox test container (exits at once on TERM)
bb() {
        local n=$1
        shift
        [ $# -gt 0 ] || set -- sh -c 'trap "exit 0" TERM; sleep 600 & wait'
        timeout 60 docker run -d --name "$IP$n" --network none "${BB_RUN_ARGS[@]}" "$BB_IMAGE" "$@" >/dev/null
}
BB_RUN_ARGS=()

state() { # state CONTAINER: its status, or "gone"
        local s
        s=$(docker inspect -f '{{.State.Status}}' "$1" 2>/dev/null) || s=gone
        echo "$s"
}

@test "every helper has --help and is POSIX sh" {
        local h
        for h in enter host clean stopall killall purge run-bash backup restore; do
                run "$S/$h" --help
                [ "$status" -eq 0 ]
                [[ "${lines[0]}" == "usage: $h"* ]]
                head -1 "$S/$h" | grep -qx '#!/bin/sh'
        done
}

@test "helpers say clearly when the daemon cannot be reached" {
        local h
        for h in clean stopall killall purge; do
                DOCKER_HOST=unix:///nonexistent/docker.sock run "$S/$h" -y
                [ "$status" -eq 1 ]
                [[ "$output" == *"cannot reach the Docker daemon at unix:///nonexistent/docker.sock"* ]]
        done
        DOCKER_HOST=unix:///nonexistent/docker.sock run "$S/enter" somebody true
        [ "$status" -eq 1 ]
        [[ "$output" == *"cannot reach the Docker daemon"* ]]
}

@test "enter runs a command in the container's namespaces; a missing or stopped container is a clear error" {
        bb e
        run timeout 20 "$S/enter" "${IP}e" hostname
        [ "$status" -eq 0 ]
        [ "$output" = "$(docker inspect -f '{{.Config.Hostname}}' "${IP}e")" ]
        run timeout 20 "$S/enter" "${IP}e" sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; echo "$$"'
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == "sh -c trap"* ]]
        [ "${lines[1]}" -gt 1 ] && [ "${lines[1]}" -lt 100 ]
        run timeout 20 "$S/enter" "${IP}e" sh -c 'exit 3'
        [ "$status" -eq 3 ]
        run timeout 20 "$S/enter" "${IP}missing" true
        [ "$status" -eq 1 ]
        [ "$output" = "enter: error: no such container: '${IP}missing'" ]
        timeout 30 docker create --name "${IP}stopped" --network none "$BB_IMAGE" true >/dev/null
        run timeout 20 "$S/enter" "${IP}stopped" true
        [ "$status" -eq 1 ]
        [ "$output" = "enter: error: container '${IP}stopped' is not running" ]
        bb paused
        timeout 20 docker pause "${IP}paused" >/dev/null
        run timeout 20 "$S/enter" "${IP}paused" true
        [ "$status" -eq 1 ]
        [ "$output" = "enter: error: container '${IP}paused' is paused (docker unpause it first)" ]
        timeout 20 docker unpause "${IP}paused" >/dev/null
}

# probe: what decides a process's security context, as the process sees it.
PROBE='grep -E "^(Uid|Gid|Groups|Cap[A-Za-z]+|NoNewPrivs|Seccomp|Seccomp_filters):" /proc/self/status
echo "cgroup:"; cat /proc/self/cgroup
echo "lsm:"; cat /proc/self/attr/current 2>&1 || true
id'

@test "enter has exactly docker exec's security context (user, capabilities, seccomp, cgroups, LSM label), field by field" {
        BB_RUN_ARGS=(--user 1234:1234 --cap-drop ALL --cap-add CHOWN --cap-add NET_RAW --security-opt no-new-privileges)
        bb ctx
        run timeout 20 docker exec "${IP}ctx" sh -c "$PROBE"
        [ "$status" -eq 0 ]
        local want=$output
        run timeout 20 "$S/enter" "${IP}ctx" sh -c "$PROBE" </dev/null
        [ "$status" -eq 0 ]
        # Field by field, so that a failure names the field.
        local field
        for field in Uid Gid Groups CapInh CapPrm CapEff CapBnd CapAmb NoNewPrivs Seccomp Seccomp_filters; do
                [ "$(grep "^$field:" <<<"$output")" = "$(grep "^$field:" <<<"$want")" ] ||
                        { echo "field $field differs: enter '$(grep "^$field:" <<<"$output")' docker exec '$(grep "^$field:" <<<"$want")'"; false; }
        done
        [ "$output" = "$want" ]
        # and that context is the container's, not the caller's
        [[ "$output" == *"uid=1234"* ]]
        grep -q "^NoNewPrivs:[[:space:]]*1" <<<"$output"
        [ "$(grep '^CapEff:' <<<"$output")" != "$(grep '^CapEff:' /proc/self/status)" ]
        grep -q '^Seccomp:[[:space:]]*2' <<<"$output"
        # Its exit status is CMD's, through docker exec.
        run timeout 20 "$S/enter" "${IP}ctx" sh -c 'exit 7' </dev/null
        [ "$status" -eq 7 ]
}

@test "enter --raw says what it does (host capabilities, no seccomp, outside the cgroups), and does it" {
        run "$S/enter" --help
        [[ "$output" == *"--raw"*"host's full capabilities"*"no seccomp"*"outside the container's cgroups"* ]]
        bb raw
        timeout 20 "$S/enter" --raw "${IP}raw" sh -c "$PROBE" </dev/null >"$T/out" 2>"$T/err"
        grep -Fx "enter: --raw: nsenter into '${IP}raw' with this shell's privileges: the host's capabilities, no seccomp filter, no LSM label, outside the container's cgroups" "$T/err"
        [ "$(grep '^CapEff:' "$T/out")" = "$(grep '^CapEff:' /proc/self/status)" ]
        grep -q '^Seccomp:[[:space:]]*0' "$T/out"
        [ "$(sed -n '/^cgroup:/,/^lsm:/p' "$T/out")" != "$(timeout 20 docker exec "${IP}raw" sh -c "$PROBE" | sed -n '/^cgroup:/,/^lsm:/p')" ]
        # Without --raw, none of that: docker exec's context.
        timeout 20 "$S/enter" "${IP}raw" sh -c "$PROBE" </dev/null >"$T/out2" 2>"$T/err2"
        [ ! -s "$T/err2" ]
        [ "$(cat "$T/out2")" = "$(timeout 20 docker exec "${IP}raw" sh -c "$PROBE")" ]
}

@test "enter: a container with no shell needs a CMD, and runs it" {
        timeout 60 "$TOP/tests/images/noshell.sh" "${IP}noshell:latest"
        timeout 60 docker run -d --name "${IP}nosh" --network none "${IP}noshell:latest" >/dev/null
        run timeout 20 "$S/enter" "${IP}nosh" </dev/null
        [ "$status" -eq 1 ]
        [ "$output" = "enter: error: container '${IP}nosh' has no /bin/sh: name a CMD to run" ]
        run timeout 20 "$S/enter" "${IP}nosh" /catatonit --version </dev/null
        [ "$status" -eq 0 ]
        [[ "$output" == *catatonit* ]]
}

@test "host runs a command in the namespaces of \$SYSIMAGE/proc/1 (a stand-in host here); a wrong SYSIMAGE is a clear error" {
        mkdir -p "$T/sys" "$T/mnt"
        # The stand-in: its own UTS and mount namespaces, a tmpfs on $T/mnt
        # that only it sees.
        unshare --uts --mount --propagation private sh -c '
                hostname standin-host && mount -t tmpfs none "$1" && echo inside >"$1/which" &&
                exec sleep 120' sh "$T/mnt" &
        STANDIN_PID=$!
        wait_for "stand-in host ready" 10 sh -c "[ \"\$(nsenter -t $STANDIN_PID -u hostname)\" = standin-host ] && nsenter -t $STANDIN_PID -m test -e '$T/mnt/which'"
        # SYSIMAGE names a tree whose proc/1 is the stand-in.
        mkdir -p "$T/sys/proc"
        ln -s "/proc/$STANDIN_PID" "$T/sys/proc/1"
        SYSIMAGE=$T/sys run timeout 20 "$S/host" sh -c 'hostname; cat "$1/which"' sh "$T/mnt"
        [ "$status" -eq 0 ]
        [ "$output" = "standin-host
inside" ]
        SYSIMAGE=$T/nothing run timeout 20 "$S/host" true
        [ "$status" -eq 1 ]
        [[ "$output" == "host: error: '$T/nothing/proc/1/ns/mnt' does not exist"* ]]
        if ! nsenter_host_ok; then
                SYSIMAGE=/ run timeout 20 "$S/host" true
                [ "$status" -eq 1 ]
                [[ "$output" == "host: error: cannot enter the host's mount namespace through '/proc/1/ns/mnt'"* ]]
        fi
}

@test "clean removes only stopped containers, and only after -y or a yes" {
        timeout 30 docker create --name "${IP}c-created" --network none "$BB_IMAGE" true >/dev/null
        bb c-exited true
        bb c-running
        wait_for "c-exited exited" 20 sh -c "[ \"\$(docker inspect -f '{{.State.Status}}' '${IP}c-exited')\" = exited ]"
        run timeout 30 "$S/clean" -f "name=^${IP}c-" </dev/null
        [ "$status" -eq 1 ]
        [[ "$output" == *"not acting without confirmation: stdin is not a terminal, pass -y"* ]]
        [ "$(state "${IP}c-created")" = created ]
        run timeout 30 "$S/clean" -y -f "name=^${IP}c-"
        [ "$status" -eq 0 ]
        [ "$(state "${IP}c-created")" = gone ]
        [ "$(state "${IP}c-exited")" = gone ]
        [ "$(state "${IP}c-running")" = running ]
}

@test "stopall stops the running containers after -y; killall kills them; both refuse without confirmation" {
        bb s-1
        bb s-2
        run timeout 30 "$S/stopall" -f "name=^${IP}s-" </dev/null
        [ "$status" -eq 1 ]
        [ "$(state "${IP}s-1")" = running ]
        run timeout 60 "$S/stopall" -y -t 5 -f "name=^${IP}s-"
        [ "$status" -eq 0 ]
        [ "$(state "${IP}s-1")" = exited ]
        [ "$(state "${IP}s-2")" = exited ]
        [ "$(docker inspect -f '{{.State.ExitCode}}' "${IP}s-1")" -eq 0 ]
        bb k-1
        run timeout 30 "$S/killall" -f "name=^${IP}k-" </dev/null
        [ "$status" -eq 1 ]
        [ "$(state "${IP}k-1")" = running ]
        run timeout 60 "$S/killall" -y -f "name=^${IP}k-"
        [ "$status" -eq 0 ]
        wait_for "k-1 killed" 20 sh -c "[ \"\$(docker inspect -f '{{.State.Status}}' '${IP}k-1')\" = exited ]"
        [ "$(docker inspect -f '{{.State.ExitCode}}' "${IP}k-1")" -eq 137 ]
        run timeout 30 "$S/stopall" -y -f "name=^${IP}nobody-"
        [ "$status" -eq 0 ]
        [ "$output" = "stopall: no running containers" ]
}

@test "purge removes dangling images, keeps tagged ones, and refuses without confirmation" {
        local tag="${IP}purge:latest" old
        mkdir -p "$T/ctx"
        printf 'FROM %s\nLABEL ctrimg.test=%s v=1\n' "$BB_IMAGE" "$IP" >"$T/ctx/Dockerfile"
        build_test_image "$tag" "$T/ctx"
        old=$(docker image inspect -f '{{.Id}}' "$tag")
        printf 'FROM %s\nLABEL ctrimg.test=%s v=2\n' "$BB_IMAGE" "$IP" >"$T/ctx/Dockerfile"
        build_test_image "$tag" "$T/ctx"
        [ "$(docker images -q --no-trunc --filter dangling=true --filter "label=ctrimg.test=$IP")" = "$old" ]
        run timeout 30 "$S/purge" -f "label=ctrimg.test=$IP" </dev/null
        [ "$status" -eq 1 ]
        docker image inspect "$old" >/dev/null
        run timeout 60 "$S/purge" -y -f "label=ctrimg.test=$IP"
        [ "$status" -eq 0 ]
        ! docker image inspect "$old" >/dev/null 2>&1
        docker image inspect "$tag" >/dev/null
}

@test "run-bash runs a throw-away shell (sh when there is no bash) and says so for a missing image" {
        run timeout 60 "$S/run-bash" --network none "$BB_IMAGE" -c 'echo "hello from $0"; exit 4' </dev/null
        [ "$status" -eq 4 ]
        [ "$output" = "hello from sh" ]
        [ -z "$(docker ps -aq --filter "ancestor=$BB_IMAGE" --filter status=exited --filter "name=^${IP}")" ]
        run timeout 30 "$S/run-bash" --network none "${IP}no-such-image:latest" </dev/null
        [ "$status" -eq 1 ]
        [[ "$output" == "run-bash: error: no such image: '${IP}no-such-image:latest'"* ]]
}

# snapshot CONTAINER: name, mode, owner, size, mtime and checksum of every
# file under /data and /bind, in a stable order.
snapshot() {
        timeout 30 docker exec "$1" sh -c 'cd / && find data bind | sort | while IFS= read -r f; do
                stat -c "%n %a %u:%g %s" "$f"
                if [ -f "$f" ] && [ ! -L "$f" ]; then stat -c "  mtime %Y" "$f"; md5sum <"$f"; fi
                if [ -L "$f" ]; then readlink "$f"; fi
        done'
}

@test "backup then restore round-trips a container's volume and bind mount exactly" {
        mkdir -p "$T/bind" "$T/out"
        BB_RUN_ARGS=(-v "${IP}vol:/data" -v "$T/bind:/bind")
        bb b
        in_ctr "${IP}b" sh -c '
                mkdir -p "/data/sub dir" /data/sticky &&
                printf "odd\n" >"/data/sub dir/we ird *?\"'\''name" &&
                chmod 0640 "/data/sub dir/we ird *?\"'\''name" &&
                chown 1234:5678 "/data/sub dir/we ird *?\"'\''name" &&
                chmod 0701 "/data/sub dir" && chmod 1777 /data/sticky &&
                head -c 100000 /dev/urandom >/data/random.bin && chmod 4755 /data/random.bin &&
                ln -s "sub dir" /data/link && echo bound >/bind/b.txt && touch -d "2001-02-03 04:05:06" /bind/b.txt'
        snapshot "${IP}b" >"$T/before"
        run timeout 60 "$S/backup" "${IP}b" "$T/out"
        [ "$status" -eq 0 ]
        local archive=${lines[${#lines[@]}-1]}
        [[ "$archive" == "$T/out/${IP}b-"*.tar ]]
        [ -s "$archive" ]
        # Damage: remove, change, add.
        in_ctr "${IP}b" sh -c 'rm -rf "/data/sub dir" /data/link && echo changed >/data/random.bin && echo x >/bind/b.txt'
        run timeout 30 "$S/restore" "${IP}b" "$archive" </dev/null
        [ "$status" -eq 1 ]
        [[ "$output" == *"not acting without confirmation"* ]]
        run timeout 60 "$S/restore" -y "${IP}b" "$archive"
        [ "$status" -eq 0 ]
        snapshot "${IP}b" >"$T/after"
        diff "$T/before" "$T/after"
        grep -F "we ird" "$T/after"
        grep -F "4755 0:0 100000" "$T/after"
}

@test "backup and restore: clear errors for a missing container, a bad archive, a container without volumes" {
        run timeout 30 "$S/backup" "${IP}missing" "$T"
        [ "$status" -eq 1 ]
        [ "$output" = "backup: error: no such container: '${IP}missing'" ]
        bb novol
        run timeout 30 "$S/backup" "${IP}novol" "$T"
        [ "$status" -eq 1 ]
        [[ "$output" == *"has no volumes or bind mounts"* ]]
        echo "not a tar" >"$T/bad.tar"
        run timeout 30 "$S/restore" -y "${IP}novol" "$T/bad.tar"
        [ "$status" -eq 1 ]
        [[ "$output" == *"is not a backup made by backup"* ]]
        run timeout 30 "$S/restore" -y "${IP}missing" "$T/bad.tar"
        [ "$status" -eq 1 ]
        [ "$output" = "restore: error: no such container: '${IP}missing'" ]
}

# pack_backup ARCHIVE DIR: ARCHIVE holding DIR/contrainer-backup/ as backup
# lays it out (mounts + N.tar), whatever DIR holds.
pack_backup() {
        tar -C "$2" -cPf "$1" contrainer-backup
}

# refused ARCHIVE: restore -y into ${IP}r refuses ARCHIVE with one clear line
# and writes nothing (the volume still holds only "keep"; no evil anywhere).
refused() {
        run timeout 60 "$S/restore" -y "${IP}r" "$1"
        echo "$output"
        [ "$status" -eq 1 ]
        [ "${#lines[@]}" -eq 1 ]
        [[ "${lines[0]}" == "restore: error: '$1': "* ]]
        [[ "${lines[0]}" == *"refusing"* ]]
        [ "$(timeout 20 docker exec "${IP}r" sh -c 'ls -A /data; ls -d /evil /etc/evil /data/ok 2>/dev/null; true')" = keep ]
        [ ! -e "$T/evil" ] && [ ! -e "$T/x/evil" ]
}

@test "restore trusts nothing in the archive: '..', absolute names, links out, devices and foreign destinations are refused, nothing written" {
        BB_RUN_ARGS=(-v "${IP}rvol:/data")
        bb r
        in_ctr "${IP}r" sh -c 'echo keep >/data/keep'
        local cb=$T/a/contrainer-backup
        mkdir -p "$cb" "$T/src/data" "$T/x"
        echo ok >"$T/src/data/ok"
        echo evil >"$T/src/evil"
        echo "1 /data" >"$cb/mounts"
        # a ".." entry after a good one
        tar -C "$T/src" -cPf "$cb/1.tar" --transform 's,^evil$,data/../evil,' data evil
        pack_backup "$T/dotdot.tar" "$T/a"
        refused "$T/dotdot.tar"
        [[ "$output" == *'entry "data/../evil" (a ".." in its name)'* ]]
        # an absolute name
        tar -C "$T/src" -cPf "$cb/1.tar" --transform 's,^evil$,/etc/evil,' data evil
        pack_backup "$T/abs.tar" "$T/a"
        refused "$T/abs.tar"
        [[ "$output" == *'(an absolute name)'* ]]
        # a name outside the volume's folder (docker cp extracts in /)
        tar -C "$T/src" -cPf "$cb/1.tar" --transform 's,^evil$,etc/evil,' data evil
        pack_backup "$T/outside.tar" "$T/a"
        refused "$T/outside.tar"
        # symbolic links out, absolute and relative
        ln -s /etc "$T/src/data/link"
        tar -C "$T/src" -cPf "$cb/1.tar" data
        pack_backup "$T/symabs.tar" "$T/a"
        refused "$T/symabs.tar"
        [[ "$output" == *'entry "data/link" (a symbolic link leading out of the volume)'* ]]
        rm "$T/src/data/link"
        mkdir -p "$T/src/data/sub"
        ln -s ../../etc "$T/src/data/sub/link"
        tar -C "$T/src" -cPf "$cb/1.tar" data
        pack_backup "$T/symrel.tar" "$T/a"
        refused "$T/symrel.tar"
        [[ "$output" == *'entry "data/sub/link" (a symbolic link leading out of the volume)'* ]]
        rm -r "$T/src/data/sub"
        # a hard link to a file outside the volume
        ln "$T/src/data/ok" "$T/src/data/h"
        tar -C "$T/src" -cPf "$cb/1.tar" --transform 's,^data/ok$,etc/passwd,RS' data
        pack_backup "$T/hard.tar" "$T/a"
        refused "$T/hard.tar"
        [[ "$output" == *'entry "data/h" (a hard link to a name outside "data/")'* ]]
        rm "$T/src/data/h"
        # a device file
        mknod "$T/src/data/null" c 1 3
        tar -C "$T/src" -cPf "$cb/1.tar" data
        pack_backup "$T/dev.tar" "$T/a"
        refused "$T/dev.tar"
        [[ "$output" == *'(a device or special file)'* ]]
        rm "$T/src/data/null"
        # a destination that is not a mount of the target
        mkdir -p "$T/src2/etc"
        echo evil >"$T/src2/etc/evil"
        tar -C "$T/src2" -cPf "$cb/1.tar" etc
        echo "1 /etc" >"$cb/mounts"
        pack_backup "$T/foreign.tar" "$T/a"
        refused "$T/foreign.tar"
        [[ "$output" == *"'/etc' is not a volume or bind mount of container '${IP}r'"* ]]
        # the outer archive itself: a link in place of a volume's tar, a ".."
        echo "1 /data" >"$cb/mounts"
        rm "$cb/1.tar"
        ln -s /etc/shadow "$cb/1.tar"
        pack_backup "$T/outerlink.tar" "$T/a"
        refused "$T/outerlink.tar"
        [[ "$output" == *"unexpected entry"* ]]
        rm "$cb/1.tar"
        tar -C "$T/src" -cPf "$cb/1.tar" data
        tar -C "$T/a" -cPf "$T/outerdot.tar" --transform 's,^contrainer-backup/1.tar$,contrainer-backup/../../evil,' contrainer-backup
        refused "$T/outerdot.tar"
        # The same archive, clean, is restored (the checks refuse only the bad).
        pack_backup "$T/good.tar" "$T/a"
        run timeout 60 "$S/restore" -y "${IP}r" "$T/good.tar"
        [ "$status" -eq 0 ]
        [ "$(in_ctr "${IP}r" cat /data/ok)" = ok ]
}

@test "backup writes its archive for the owner only (0600), whatever the caller's umask" {
        mkdir -p "$T/out"
        BB_RUN_ARGS=(-v "${IP}uvol:/data")
        bb u
        in_ctr "${IP}u" sh -c 'echo secret >/data/s'
        run sh -c "umask 022; timeout 60 '$S/backup' '${IP}u' '$T/out'"
        [ "$status" -eq 0 ]
        local archive=${lines[${#lines[@]}-1]}
        [ -s "$archive" ]
        [ "$(stat -c %a "$archive")" = 600 ]
}

@test "restore refuses symbolic link chains and entries below a link of the archive (a link chain leads out of the volume)" {
        BB_RUN_ARGS=(-v "${IP}cvol:/data")
        bb r
        in_ctr "${IP}r" sh -c 'echo keep >/data/keep'
        local cb=$T/a/contrainer-backup
        mkdir -p "$cb"
        echo "1 /data" >"$cb/mounts"
        # data/y -> ., data/x -> y/.. (lexically /data, physically /), then a
        # file below data/x: the review's archive (M3).
        python3 - "$cb/1.tar" <<'PY'
import io, sys, tarfile
t = tarfile.open(sys.argv[1], 'w', format=tarfile.GNU_FORMAT)
d = tarfile.TarInfo('data'); d.type = tarfile.DIRTYPE; d.mode = 0o755; t.addfile(d)
for n, l in (('data/y', '.'), ('data/x', 'y/..')):
    s = tarfile.TarInfo(n); s.type = tarfile.SYMTYPE; s.linkname = l; t.addfile(s)
f = tarfile.TarInfo('data/x/evil'); f.size = 3; t.addfile(f, io.BytesIO(b'hi\n'))
t.close()
PY
        pack_backup "$T/chain.tar" "$T/a"
        refused "$T/chain.tar"
        # Below a link the archive defines, even one that itself stays inside,
        # and even when the link comes after the entry.
        python3 - "$cb/1.tar" <<'PY'
import io, sys, tarfile
t = tarfile.open(sys.argv[1], 'w', format=tarfile.GNU_FORMAT)
d = tarfile.TarInfo('data'); d.type = tarfile.DIRTYPE; d.mode = 0o755; t.addfile(d)
f = tarfile.TarInfo('data/./in/evil'); f.size = 3; t.addfile(f, io.BytesIO(b'hi\n'))
s = tarfile.TarInfo('data/in'); s.type = tarfile.SYMTYPE; s.linkname = 'sub'; t.addfile(s)
t.close()
PY
        pack_backup "$T/below.tar" "$T/a"
        refused "$T/below.tar"
        [[ "$output" == *'(below the symbolic link "data/in" of the archive)'* ]]
        # A link whose target passes through another link of the archive.
        python3 - "$cb/1.tar" <<'PY'
import sys, tarfile
t = tarfile.open(sys.argv[1], 'w', format=tarfile.GNU_FORMAT)
d = tarfile.TarInfo('data'); d.type = tarfile.DIRTYPE; d.mode = 0o755; t.addfile(d)
for n, l in (('data/y', '.'), ('data/x', 'y/../../etc')):
    s = tarfile.TarInfo(n); s.type = tarfile.SYMTYPE; s.linkname = l; t.addfile(s)
t.close()
PY
        pack_backup "$T/through.tar" "$T/a"
        refused "$T/through.tar"
        [[ "$output" == *'entry "data/x" (a symbolic link through the symbolic link "data/y" of the archive)'* ]]
        # Plain links inside the volume still restore.
        python3 - "$cb/1.tar" <<'PY'
import io, sys, tarfile
t = tarfile.open(sys.argv[1], 'w', format=tarfile.GNU_FORMAT)
for n in ('data', 'data/sub'):
    d = tarfile.TarInfo(n); d.type = tarfile.DIRTYPE; d.mode = 0o755; t.addfile(d)
f = tarfile.TarInfo('data/sub/ok'); f.size = 3; t.addfile(f, io.BytesIO(b'ok\n'))
for n, l in (('data/l1', 'sub/ok'), ('data/sub/l2', '../keep'), ('data/l3', '/data/sub')):
    s = tarfile.TarInfo(n); s.type = tarfile.SYMTYPE; s.linkname = l; t.addfile(s)
t.close()
PY
        pack_backup "$T/good.tar" "$T/a"
        run timeout 60 "$S/restore" -y "${IP}r" "$T/good.tar"
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$(in_ctr "${IP}r" cat /data/l1)" = ok ]
        [ "$(in_ctr "${IP}r" cat /data/sub/l2)" = keep ]
        [ "$(in_ctr "${IP}r" cat /data/l3/ok)" = ok ]
}

@test "restore never applies the archive's owners on this machine; inside the container the saved owners are kept" {
        BB_RUN_ARGS=(-v "${IP}ovol:/data")
        bb o
        local cb=$T/a/contrainer-backup
        mkdir -p "$cb" "$T/src/data" "$T/bin"
        echo ok >"$T/src/data/ok"
        chown 1234:1234 "$T/src/data/ok"
        tar -C "$T/src" -cf "$cb/1.tar" data
        echo "1 /data" >"$cb/mounts"
        chown -R 4321:4321 "$cb"
        tar -C "$T/a" -cf "$T/owned.tar" contrainer-backup
        # A docker in front of the real one records the owner of what
        # restore unpacked here (docker cp's stdin) before passing it on.
        cat >"$T/bin/docker" <<'WRAP'
#!/bin/sh
if [ "$1" = cp ]; then stat -c '%u:%g' "$(readlink /proc/$$/fd/0)" >>"$OWNERS_LOG"; fi
exec "$REAL_DOCKER" "$@"
WRAP
        chmod +x "$T/bin/docker"
        REAL_DOCKER=$(command -v docker) OWNERS_LOG=$T/owners PATH=$T/bin:$PATH \
                run timeout 60 "$S/restore" -y "${IP}o" "$T/owned.tar"
        [ "$status" -eq 0 ]
        [ "$(cat "$T/owners")" = "$(id -u):$(id -g)" ]
        [ "$(in_ctr "${IP}o" stat -c %u:%g /data/ok)" = 1234:1234 ]
}

# swap_docker: a docker in front of the real one that, when the helper acts
# (stop/kill/rm), first renames $SWAP (the container the helper listed) to
# $SWAP-old and puts two new containers in its way (created with $SWAP_HOW:
# run or create): one named $SWAP, one named after its short id (Docker
# resolves an exact name before an id prefix); their ids go to $T/extra.
# Then it logs the helper's arguments and passes them on.
swap_docker() {
        mkdir -p "$T/bin"
        cat >"$T/bin/docker" <<'WRAP'
#!/bin/sh
swap() { # swap NAME: a stand-in called NAME, its id to $SWAP_EXTRA
        if [ "$SWAP_HOW" = run ]; then
                "$REAL_DOCKER" run -d --name "$1" --network none "$SWAP_IMAGE" \
                        sh -c 'trap "exit 0" TERM; sleep 600 & wait' >>"$SWAP_EXTRA"
        else
                "$REAL_DOCKER" create --name "$1" --network none "$SWAP_IMAGE" true >>"$SWAP_EXTRA"
        fi
}
case $1 in
stop | kill | rm)
        if [ ! -e "$SWAP_DONE" ]; then
                : >"$SWAP_DONE"
                short=$("$REAL_DOCKER" inspect -f '{{.Id}}' "$SWAP" | cut -c1-12)
                "$REAL_DOCKER" rename "$SWAP" "$SWAP-old" >/dev/null
                swap "$SWAP"
                swap "$short"
        fi
        printf '%s\n' "$*" >>"$ARGS_LOG"
        ;;
esac
exec "$REAL_DOCKER" "$@"
WRAP
        chmod +x "$T/bin/docker"
        REAL_DOCKER=$(command -v docker)
        export REAL_DOCKER SWAP_DONE=$T/swapped ARGS_LOG=$T/args SWAP_IMAGE=$BB_IMAGE SWAP_EXTRA=$T/extra
}

@test "clean, stopall and killall act on the full ids they showed: containers taking its name or short id meanwhile are not hit" {
        local helper how shown_id extra n=0
        swap_docker
        for helper in stopall killall clean; do
                n=$((n + 1))
                rm -f "$T/swapped" "$T/args"
                case $helper in
                clean)
                        timeout 30 docker create --name "${IP}v-$helper" --network none "$BB_IMAGE" true >/dev/null
                        how=create
                        ;;
                *) bb "v-$helper"; how=run ;;
                esac
                shown_id=$(docker inspect -f '{{.Id}}' "${IP}v-$helper")
                SWAP=${IP}v-$helper SWAP_HOW=$how PATH=$T/bin:$PATH \
                        run timeout 60 "$S/$helper" -y -f "name=^${IP}v-$helper\$"
                echo "$output"
                [ "$status" -eq 0 ]
                # It showed the short id and the name it listed ...
                [[ "$output" == *"${shown_id:0:12}  ${IP}v-$helper"* ]]
                # ... and acted on exactly that full id, never on a name.
                [ "$(grep -oE '[0-9a-f]{64}' "$T/args")" = "$shown_id" ]
                [[ "$(cat "$T/args")" != *"${IP}"* ]]
                # The new containers that took its name and its short id
                # are untouched; the listed one got it.
                [ "$(wc -l <"$T/extra")" -eq $((2 * n)) ]
                for extra in $(tail -n 2 "$T/extra"); do
                        case $helper in
                        clean) [ "$(state "$extra")" = created ] ;;
                        *) [ "$(state "$extra")" = running ] ;;
                        esac
                done
                case $helper in
                clean) [ "$(state "$shown_id")" = gone ] ;;
                *) wait_for "the listed container stopped" 20 sh -c "[ \"\$(docker inspect -f '{{.State.Status}}' '$shown_id')\" = exited ]" ;;
                esac
        done
}
