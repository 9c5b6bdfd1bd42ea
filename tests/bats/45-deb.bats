#!/usr/bin/env bats
# The Debian package (make deb, issue 14): lintian finds no error; the
# package installs into a copy of the Debian root filesystem the images are
# built from (images/build.sh --rootfs: the cached debootstrap tar), with
# the layout docs/images.md promises; `contrainer init` works there as PID 1
# (unshare --root, with runit's runsvdir from that root); `dpkg -r` removes
# every file it installed.  No Docker needed.
# The package: CONTRAINER_DEB, else the newest deb/contrainer_*.deb beside
# $CONTRAINER (what `make check-bats` builds).
load images_helpers

setup_file() {
        img_deb
        ROOTFS_TAR=$(timeout 300 "$TOP/images/build.sh" --rootfs 2>/dev/null | tail -n 1)
        [ -s "$ROOTFS_TAR" ] || { echo "no cached root filesystem (images/build.sh --rootfs)" >&2; return 1; }
        export ROOTFS_TAR
        HELPERS=$(cd "$TOP/scripts" && for s in *; do [ -x "$s" ] && echo "$s"; done)
        export HELPERS
}

setup() {
        R=$BATS_TEST_TMPDIR/root
        mkdir -p "$R"
        tar -C "$R" -xf "$ROOTFS_TAR"
}

# The copy is removed with BATS_TEST_TMPDIR; mounts (proc) die with the
# PID namespace of each run.

# snapshot: every path of the root with its type and link target, except
# dpkg's own records and logs.
snapshot() {
        (cd "$R" && find . \( -path ./var/lib/dpkg -o -path ./var/log -o -path ./var/cache/debconf \) -prune \
                -o -printf '%y %p %l\n') | LC_ALL=C sort
}

# in_root CMD...: CMD as PID 1 of a new PID namespace rooted at $R, with a
# container's environment.
in_root() {
        timeout 60 env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
                HOSTNAME=ctrdeb HOME=/root \
                unshare --pid --fork --kill-child --mount-proc --root="$R" "$@"
}

@test "lintian: no errors (warnings allowed)" {
        run timeout 300 lintian --fail-on error "$DEB"
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" != *"E: "* ]]
}

@test "the package: name, version, dependencies, recommends" {
        [[ "$(basename "$DEB")" == "contrainer_$(cat "$TOP/VERSION")_$(dpkg --print-architecture).deb" ]]
        run dpkg-deb -f "$DEB" Package Version Depends Recommends
        [ "$status" -eq 0 ]
        [[ "$output" == *"Version: $(cat "$TOP/VERSION")"* ]]
        [[ "$output" == *"Depends: "*libc6*runit* ]] || [[ "$output" == *"Depends: "*runit*libc6* ]]
        [[ "$output" == *"Recommends: "*libcurl4* ]]
        [[ "$output" == *"Recommends: "*libcjson1* ]]
}

@test "installs into the images' Debian root filesystem with the documented layout" {
        run timeout 120 dpkg --root="$R" -i "$DEB"
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$(dpkg-query --admindir="$R/var/lib/dpkg" -W -f '${Status}' contrainer)" = "install ok installed" ]
        [ -x "$R/usr/bin/contrainer" ]
        [ "$(readlink "$R/usr/sbin/my_init")" = ../bin/contrainer ]
        local h
        for h in $HELPERS; do
                [ -x "$R/usr/bin/contrainer-$h" ] || { echo "missing contrainer-$h"; false; }
                [ -s "$R/usr/share/man/man8/contrainer-$h.8.gz" ] || { echo "no man page for $h"; false; }
        done
        # no command under a name that could clash with another package's
        run bash -c "dpkg-deb --fsys-tarfile '$DEB' | tar -t | grep -E '^\./usr/s?bin/.' | grep -vE '/(contrainer|contrainer-[a-z-]+|my_init)\$'"
        [ "$status" -eq 1 ]
        [ -z "$output" ]
        local m
        for m in contrainer contrainer-init contrainer-watch contrainer-exec contrainer-status; do
                [ -s "$R/usr/share/man/man8/$m.8.gz" ] || { echo "no man page $m(8)"; false; }
                zcat "$R/usr/share/man/man8/$m.8.gz" | grep -q "^\.TH \"$m\" \"8\"" || { echo "$m.8 is no page"; false; }
        done
        [ "$(readlink "$R/usr/share/man/man8/my_init.8.gz")" = contrainer-init.8.gz ]
        [ -s "$R/usr/share/doc/contrainer/README.md.gz" ] || [ -s "$R/usr/share/doc/contrainer/README.md" ]
        [ -s "$R/usr/share/doc/contrainer/watch.md.gz" ] || [ -s "$R/usr/share/doc/contrainer/watch.md" ]
        # the package's binary is the regular build: init and watch
        run "$R/usr/bin/contrainer" --help
        [[ "$output" == *"contrainer watch"* ]]
}

@test "contrainer init works in that root filesystem: PID 1, boot script, runit service, exit status" {
        timeout 120 dpkg --root="$R" -i "$DEB" >/dev/null
        # Written from inside the root: Debian's /etc/service is an absolute
        # link chain (runit/runsvdir/current -> /etc/runit/runsvdir/default)
        # that, followed from outside, would land in the machine's own /etc.
        chroot "$R" /bin/sh -ec '
                mkdir -p /etc/boot.d /etc/service/ctrdeb
                printf "#!/bin/sh\nprintf boot-ok >/etc/container_environment/CTRDEB_BOOT\n" >/etc/boot.d/50_ctrdeb
                printf "#!/bin/sh\ntouch /tmp/ctrdeb.svc\nexec sleep 100000\n" >/etc/service/ctrdeb/run
                chmod 755 /etc/boot.d/50_ctrdeb /etc/service/ctrdeb/run'
        [ -x "$R/etc/runit/runsvdir/default/ctrdeb/run" ]
        run in_root /usr/bin/contrainer init -- true
        echo "$output"
        [ "$status" -eq 0 ]
        # my_init, the service (polled for), the boot script's variable, the status
        run in_root /usr/sbin/my_init -- /bin/sh -c '
                echo "pid=$$ init=$(cat /proc/1/comm) boot=$CTRDEB_BOOT"
                i=0; until [ -e /tmp/ctrdeb.svc ]; do
                        i=$((i + 1)); [ $i -lt 300 ] || { echo "service never ran"; exit 1; }
                        sleep 0.1
                done
                echo service-ran; exit 3'
        echo "$output"
        [ "$status" -eq 3 ]
        [[ "$output" == *"init=my_init boot=boot-ok"* ]]
        [[ "$output" == *service-ran* ]]
        grep -q CTRDEB_BOOT "$R/etc/container_environment.sh"
}

@test "dpkg -r removes every file the package installed" {
        local before after
        before=$(snapshot)
        timeout 120 dpkg --root="$R" -i "$DEB" >/dev/null
        [ -x "$R/usr/bin/contrainer" ]
        [ "$(snapshot)" != "$before" ]
        run timeout 120 dpkg --root="$R" -r contrainer
        echo "$output"
        [ "$status" -eq 0 ]
        after=$(snapshot)
        diff <(echo "$before") <(echo "$after")
        [ "$(dpkg-query --admindir="$R/var/lib/dpkg" -W -f '${Status}' contrainer 2>/dev/null || true)" != "install ok installed" ]
        # and every path the .deb lists is gone (directories shared with the
        # system, such as /usr/bin, stay)
        local p
        while read -r p; do
                [ ! -e "$R/$p" ] && [ ! -L "$R/$p" ] || { echo "left behind: $p"; false; }
        done < <(dpkg-deb --fsys-tarfile "$DEB" | tar -t | grep -v '/$')
}
