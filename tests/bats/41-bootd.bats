#!/usr/bin/env bats
# The shipped boot scripts (boot.d/, docs/images.md) in contrainer/base, run by
# contrainer init before the container's command.
load images_helpers

setup_file() { img_setup_file build; }
teardown_file() { img_teardown_file; }
setup() { img_setup; }
teardown() { img_teardown; }

# base_run DOCKER-RUN-ARGS... -- CMD...: a bounded throw-away container; its
# stdout is the output, its stderr (boot script and init messages) is in
# $T/err (boot scripts never write to stdout: it may be the command's data).
base_run() {
        local args=()
        while [ "$1" != -- ]; do args+=("$1"); shift; done
        shift
        timeout 60 docker run --rm --network none "${args[@]}" contrainer/base:latest "$@" 2>"$T/err"
}

@test "boot scripts are harmless no-ops when nothing is configured" {
        run base_run -- sh -c 'test -e /root/.ssh/authorized_keys && echo keys; test -e /etc/sv/sshd/down && echo sshd-down; echo done'
        [ "$status" -eq 0 ]
        [ "$output" = "sshd-down
done" ]
}

@test "SSH keys: every *.pub of the keys folder is appended once to root's authorized_keys, and sshd is enabled and runs" {
        mkdir -p "$T/ssh"
        printf 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA one@test\n' >"$T/ssh/one.pub"
        # no trailing newline, a comment line and a duplicate of one.pub's key
        printf '# comment\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB two@test\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA one@test' >"$T/ssh/two.pub"
        echo 'not a key file' >"$T/ssh/notes.txt"
        # Run the boot script a second time, as a restart would: nothing doubles.
        run base_run -v "$T/ssh:/data/ssh:ro" -- sh -c '/etc/boot.d/10_ssh_keys >/dev/null
                cat /root/.ssh/authorized_keys; stat -c "%a" /root/.ssh/authorized_keys /root/.ssh
                test -e /etc/sv/sshd/down && echo sshd-down; true'
        [ "$status" -eq 0 ]
        [ "$output" = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA one@test
ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB two@test
600
700" ]
        timeout 60 docker run -d --name "${IP}sshd" --network none -v "$T/ssh:/data/ssh:ro" contrainer/base:latest >/dev/null
        wait_for "sshd running under runit" 30 sh -c "docker exec '${IP}sshd' sv status sshd | grep -q '^run: '"
        wait_for "sshd listening" 30 docker exec "${IP}sshd" sh -c 'test -e /etc/ssh/ssh_host_ed25519_key && grep -q ":0016 " /proc/net/tcp /proc/net/tcp6'
}

@test "SSH: SSHD_ENABLE=1 enables sshd without keys, SSHD_ENABLE=0 keeps it off with keys, a bad value stops the boot" {
        # The command waits (deadline 30 s) until sshd listens, so sshd has
        # logged by then and logs again when stopped: its log must reach the
        # container's stderr, never the command's stdout.  (Once a flake:
        # sshd's run script sent its log to stdout, and the output held
        # "Server listening ..." whenever sshd started before the command
        # ended.)
        run base_run -e SSHD_ENABLE=1 -- sh -c 'test -e /etc/sv/sshd/down && echo down || echo up
                i=0
                until grep -q ":0016 " /proc/net/tcp /proc/net/tcp6 2>/dev/null; do
                        i=$((i + 1)); [ "$i" -le 300 ] || { echo "sshd not listening"; exit 9; }
                        sleep 0.1
                done'
        [ "$status" -eq 0 ]
        [ "$output" = up ]
        grep -F "Server listening" "$T/err"
        mkdir -p "$T/ssh"
        echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC' >"$T/ssh/k.pub"
        run base_run -e SSHD_ENABLE=0 -v "$T/ssh:/data/ssh:ro" -- sh -c 'test -e /etc/sv/sshd/down && echo down || echo up'
        [ "$output" = down ]
        run base_run -e SSHD_ENABLE=maybe -- echo command-ran
        [ "$status" -ne 0 ]
        grep -F "SSHD_ENABLE must be 1 or 0" "$T/err"
        [[ "$output" != *command-ran* ]]
}

@test "volume seeding: an empty volume is seeded with owners and modes, a non-empty one is left untouched" {
        mkdir -p "$T/seed/sub"
        echo default >"$T/seed/sub/file"
        echo hidden >"$T/seed/.dot"
        chmod 0640 "$T/seed/sub/file"
        chown 1234:1234 "$T/seed/sub/file"
        run base_run -v "${IP}empty:/data" -v "$T/seed:/seed:ro" -e SEED_FROM=/seed -e SEED_TO=/data -- \
                sh -c 'cat /data/sub/file /data/.dot; stat -c "%a %u" /data/sub/file; ls -A /data'
        [ "$status" -eq 0 ]
        [ "$output" = "default
hidden
640 1234
.dot
sub" ]
        # Seeded data is data: a second container on that volume keeps it.
        timeout 30 docker run --rm --network none -v "${IP}empty:/data" "$BB_IMAGE" sh -c 'echo changed >/data/sub/file'
        run base_run -v "${IP}empty:/data" -v "$T/seed:/seed:ro" -e SEED_FROM=/seed -e SEED_TO=/data -- cat /data/sub/file
        [ "$output" = changed ]
        # A volume that already holds something is never touched.
        timeout 30 docker run --rm --network none -v "${IP}full:/data" "$BB_IMAGE" sh -c 'echo mine >/data/own'
        run base_run -v "${IP}full:/data" -v "$T/seed:/seed:ro" -e SEED_FROM=/seed -e SEED_TO=/data -- ls -A /data
        [ "$status" -eq 0 ]
        grep -F "'/data' already holds data" "$T/err"
        [ "$output" = own ]
}

@test "volume seeding from /etc/seed.d/*.list, and a missing source stops the boot with a clear line" {
        mkdir -p "$T/seed" "$T/seed.d"
        echo listed >"$T/seed/f"
        printf '# default data\n\n/seed /srv/data\n' >"$T/seed.d/app.list"
        run base_run -v "$T/seed:/seed:ro" -v "$T/seed.d:/etc/seed.d:ro" -v "${IP}list:/srv/data" -- cat /srv/data/f
        [ "$status" -eq 0 ]
        [ "$output" = listed ]
        run base_run -e SEED_FROM=/nonexistent -e SEED_TO=/data -- echo command-ran
        [ "$status" -ne 0 ]
        grep -F "seed source '/nonexistent' is not a directory" "$T/err"
        [[ "$output" != *command-ran* ]]
}

@test "configuration override: a mounted file replaces the default (keeping its mode), a new one is created, none means no change" {
        mkdir -p "$T/conf"
        echo overridden >"$T/conf/debian_version"
        chmod 0600 "$T/conf/debian_version"
        echo new >"$T/conf/new.conf"
        run base_run -v "$T/conf/debian_version:/data/config/etc/debian_version:ro" \
                -v "$T/conf/new.conf:/data/config/etc/app/new.conf:ro" -- \
                sh -c 'cat /etc/debian_version /etc/app/new.conf; stat -c %a /etc/debian_version'
        [ "$status" -eq 0 ]
        [ "$output" = "overridden
new
644" ]
        run base_run -e CONFIG_OVERRIDE_DIR=/cfg -v "$T/conf/new.conf:/cfg/etc/other.conf:ro" -- cat /etc/other.conf
        [ "$output" = new ]
        run base_run -- cat /etc/debian_version
        [ "$status" -eq 0 ]
        [[ "$output" =~ ^[0-9]+\.[0-9]+$ ]]
}

# plant VOLUME SCRIPT: run SCRIPT (sh) in a busybox container with VOLUME on
# /data, to put links and files into the volume before a test boots on it.
plant() {
        timeout 30 docker run --rm --network none -v "$1:/data" "$BB_IMAGE" sh -c "$2"
}

# VICTIMS: what the planted links point at, printed after a boot script ran
# (the image's /etc/debian_version, and /srv, empty in the image).
VICTIMS='cat /etc/debian_version; ls -A /srv; stat -c %a /etc'

@test "volume seeding never follows a link planted in the volume: files are replaced, a linked folder, marker or target refuses" {
        local victims
        victims=$(base_run --entrypoint sh -- -c "$VICTIMS")
        [[ "$victims" =~ ^[0-9]+\.[0-9]+ ]]
        mkdir -p "$T/seed/sub"
        echo seeded >"$T/seed/file"
        echo inner >"$T/seed/sub/inner"
        # A half-seeded volume (marker present) holding a link where the seed
        # has a file: the link is replaced, its target untouched.
        plant "${IP}p1" 'touch /data/.contrainer-seeding && ln -s /etc/debian_version /data/file'
        run base_run -v "${IP}p1:/data" -v "$T/seed:/seed:ro" --entrypoint sh -- -c '
                SEED_FROM=/seed SEED_TO=/data /etc/boot.d/20_seed_volumes; echo "rc=$?"
                '"$VICTIMS"'; test -L /data/file && echo still-a-link; cat /data/file; ls -A /data'
        [ "$output" = "rc=0
$victims
seeded
file
sub" ]
        # ... a link where the seed has a folder: refused, nothing written there.
        plant "${IP}p2" 'touch /data/.contrainer-seeding && ln -s /srv /data/sub'
        run base_run -v "${IP}p2:/data" -v "$T/seed:/seed:ro" --entrypoint sh -- -c '
                SEED_FROM=/seed SEED_TO=/data /etc/boot.d/20_seed_volumes 2>/dev/null; echo "rc=$?"; '"$VICTIMS"
        [ "$output" = "rc=1
$victims" ]
        # The marker itself a link: refused before anything is written.
        plant "${IP}p3" 'ln -s /etc/debian_version /data/.contrainer-seeding'
        run base_run -v "${IP}p3:/data" -v "$T/seed:/seed:ro" --entrypoint sh -- -c '
                SEED_FROM=/seed SEED_TO=/data /etc/boot.d/20_seed_volumes 2>&1; echo "rc=$?"; '"$VICTIMS"
        [ "$output" = "20_seed_volumes: '/data/.contrainer-seeding' is not a plain file, not seeded
rc=1
$victims" ]
        # A target that is a link planted in a volume (to an empty folder).
        plant "${IP}p4" 'ln -s /srv /data/app'
        run base_run -v "${IP}p4:/data" -v "$T/seed:/seed:ro" --entrypoint sh -- -c '
                SEED_FROM=/seed SEED_TO=/data/app /etc/boot.d/20_seed_volumes 2>&1; echo "rc=$?"; '"$VICTIMS"
        [ "$output" = "20_seed_volumes: seed target '/data/app' leads through a symbolic link, not seeded
rc=1
$victims" ]
        # Through contrainer init: the refusal stops the boot with that line.
        run base_run -v "${IP}p4:/data" -v "$T/seed:/seed:ro" -e SEED_FROM=/seed -e SEED_TO=/data/app -- echo command-ran
        [ "$status" -ne 0 ]
        [[ "$output" != *command-ran* ]]
        grep -F "seed target '/data/app' leads through a symbolic link" "$T/err"
}

@test "SSH keys never follow a planted link: a *.pub leading out is not read, a linked authorized_keys or .ssh stops the boot untouched" {
        local victims
        victims=$(base_run --entrypoint sh -- -c "$VICTIMS")
        mkdir -p "$T/ssh"
        echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD good@test' >"$T/ssh/good.pub"
        ln -s /etc/passwd "$T/ssh/evil.pub"
        ln -s good.pub "$T/ssh/alias.pub"
        run base_run -v "$T/ssh:/data/ssh:ro" -- cat /root/.ssh/authorized_keys
        [ "$status" -eq 0 ]
        [ "$output" = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD good@test" ]
        grep -F "'/data/ssh/evil.pub' is a symbolic link leading out of '/data/ssh', skipped" "$T/err"
        rm "$T/ssh/evil.pub" "$T/ssh/alias.pub"
        # root's home is a volume holding a planted authorized_keys link
        plant "${IP}home" 'mkdir -p /data/.ssh && ln -s /etc/debian_version /data/.ssh/authorized_keys'
        run base_run -v "${IP}home:/root" -v "$T/ssh:/data/ssh:ro" --entrypoint sh -- -c '
                /etc/boot.d/10_ssh_keys 2>&1; echo "rc=$?"; '"$VICTIMS"
        [ "$output" = "10_ssh_keys: '/root/.ssh/authorized_keys' is a symbolic link or not a plain file, refusing to write keys through it
rc=1
$victims" ]
        # ... or a planted .ssh link to a folder outside (its mode unchanged)
        plant "${IP}home2" 'ln -s /etc /data/.ssh'
        run base_run -v "${IP}home2:/root" -v "$T/ssh:/data/ssh:ro" --entrypoint sh -- -c '
                /etc/boot.d/10_ssh_keys 2>&1; echo "rc=$?"; '"$VICTIMS"'; ls /etc/authorized_keys 2>&1'
        [ "$output" = "10_ssh_keys: '/root/.ssh' is a symbolic link or not a folder, refusing to write keys through it
rc=1
$victims
ls: cannot access '/etc/authorized_keys': No such file or directory" ]
        # Through contrainer init the boot stops.
        run base_run -v "${IP}home:/root" -v "$T/ssh:/data/ssh:ro" -- echo command-ran
        [ "$status" -ne 0 ]
        [[ "$output" != *command-ran* ]]
}

@test "configuration override never follows a planted link: links in the folder are skipped, a link at the destination is replaced (a bind-mounted file is written in place)" {
        local victims
        victims=$(base_run --entrypoint sh -- -c 'cat /etc/debian_version')
        mkdir -p "$T/conf/etc" "$T/conf/srv/app"
        ln -s /etc/shadow "$T/conf/etc/leak.conf"
        echo override >"$T/conf/srv/app/app.conf"
        # a file Docker bind-mounts cannot be renamed over: content in place
        echo "127.0.0.1 overridden" >"$T/conf/etc/hosts"
        # /srv/app is a data volume in which app.conf is a planted link.
        plant "${IP}app" 'ln -s /etc/debian_version /data/app.conf'
        run base_run -v "$T/conf:/data/config:ro" -v "${IP}app:/srv/app" -- sh -c '
                cat /etc/debian_version; ls /etc/leak.conf 2>&1; test -L /srv/app/app.conf && echo still-a-link; cat /srv/app/app.conf /etc/hosts'
        [ "$status" -eq 0 ]
        [ "$output" = "$victims
ls: cannot access '/etc/leak.conf': No such file or directory
override
127.0.0.1 overridden" ]
        grep -F "30_config_override: '/data/config/etc/leak.conf' is a symbolic link, skipped" "$T/err"
        # The override folder itself a link planted in a volume: the boot stops.
        plant "${IP}cfg" 'ln -s /etc /data/config'
        run base_run -v "${IP}cfg:/data" -- echo command-ran
        [ "$status" -ne 0 ]
        [[ "$output" != *command-ran* ]]
        grep -F "30_config_override: '/data/config' is a symbolic link, refusing to read it" "$T/err"
}

# ---- L7 (security review 2026-12): no check-then-use through a swapped path ----

@test "L7 SSH keys: a key file swapped for a link to /etc/shadow while the script runs is never read (100 boots)" {
        # shellcheck disable=SC2016
        run base_run --tmpfs /data/ssh -- sh -c '
                cd /data/ssh
                key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR race@test"
                ( while :; do
                        printf "%s\n" "$key" >a.new && mv -f a.new a.pub
                        ln -sfn /etc/shadow a.lnk && mv -f -T a.lnk a.pub
                  done ) &
                racer=$!
                i=0 leaks=0
                while [ "$i" -lt 100 ]; do
                        /etc/boot.d/10_ssh_keys 2>/dev/null || true
                        ! grep -q "^root:" /root/.ssh/authorized_keys 2>/dev/null || leaks=$((leaks + 1))
                        i=$((i + 1))
                done
                kill "$racer"
                grep -c "race@test" /root/.ssh/authorized_keys || true
                echo "leaks=$leaks"'
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"leaks=0"* ]]
        [[ "$output" == "1"* ]]  # the real key was authorised, once
}

@test "L7 config override: a file swapped for a link to /etc/shadow after find saw it is never copied (100 boots)" {
        # shellcheck disable=SC2016
        run base_run --tmpfs /data/config -- sh -c '
                mkdir -p /data/config/etc
                cd /data/config/etc
                ( while :; do
                        echo "setting=1" >app.new && mv -f app.new app.conf
                        ln -sfn /etc/shadow app.lnk && mv -f -T app.lnk app.conf
                  done ) &
                racer=$!
                i=0 leaks=0
                while [ "$i" -lt 100 ]; do
                        /etc/boot.d/30_config_override 2>/dev/null || true
                        ! grep -q "^root:" /etc/app.conf 2>/dev/null || leaks=$((leaks + 1))
                        i=$((i + 1))
                done
                kill "$racer"
                echo "leaks=$leaks"'
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"leaks=0"* ]]
}

@test "L7 config override: the copy never gets a setuid or setgid bit, from the mounted file or the default" {
        mkdir -p "$T/cfg/usr/local/bin" "$T/cfg/usr/bin"
        printf '#!/bin/sh\necho tool\n' >"$T/cfg/usr/local/bin/tool"
        chmod 6755 "$T/cfg/usr/local/bin/tool"
        printf '#!/bin/sh\necho not passwd\n' >"$T/cfg/usr/bin/passwd"
        chmod 0755 "$T/cfg/usr/bin/passwd"
        run base_run -v "$T/cfg:/data/config:ro" -- sh -c 'stat -c "%a %U" /usr/local/bin/tool /usr/bin/passwd'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$output" = "755 root
755 root" ]
}

@test "L7 volume seeding: setuid/setgid bits of the default tree are not copied into the volume" {
        mkdir -p "$T/seed/bin"
        printf '#!/bin/sh\n' >"$T/seed/bin/s"
        chmod 4755 "$T/seed/bin/s"
        printf '#!/bin/sh\n' >"$T/seed/bin/g"
        chmod 2750 "$T/seed/bin/g"
        run base_run -v "${IP}suid:/data" -v "$T/seed:/seed:ro" -e SEED_FROM=/seed -e SEED_TO=/data -- \
                sh -c 'stat -c "%a" /data/bin/s /data/bin/g; ls -A /data'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$output" = "755
750
bin" ]
}

@test "boot scripts as another user or on a read-only root: nothing configured is nothing done, configured keys fail with one line" {
        run base_run --user 1000:1000 -- id -u
        [ "$status" -eq 0 ]
        [ "$output" = 1000 ]
        run base_run --read-only -- true
        [ "$status" -eq 0 ]
        run base_run --read-only -e SSHD_ENABLE=1 -- true
        cat "$T/err"
        [ "$status" -eq 1 ]
        [ "$(grep -c "10_ssh_keys: cannot enable sshd: cannot remove '/etc/sv/sshd/down' as uid 0" "$T/err")" -eq 1 ]
}
