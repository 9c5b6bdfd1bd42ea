#!/bin/sh
# Builds TAG: a stock nginx image that knows nothing of contrainer, for the
# worked examples (examples/, tests/bats/25-watch-examples.bats) on machines
# without a registry.  It stands in for the official `nginx` image: Debian's
# nginx-light package plus busybox in a minimal bookworm root filesystem,
# `CMD nginx -g "daemon off;"`, no /contrainer, no label: every hook comes
# from the labels of the container that runs it.
#
# The root filesystem is made once with
#   debootstrap --variant=minbase --include=nginx-light,busybox bookworm
# and cached as $CONTRAINER_CACHE/nginx-bookworm.tar (default build/cache/,
# as images/build.sh does for its own root filesystem): later calls only
# `docker import` the tar (seconds), so a test run never debootstraps twice.
# Delete the tar to refresh it.  A concurrent second caller waits on a lock.
# Prints nothing on success (the log of a failed debootstrap on failure).
# usage: tests/images/nginx.sh TAG      (DOCKER_HOST picks the Engine)
set -eu
tag=${1:?usage: tests/images/nginx.sh TAG}
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${CONTRAINER_CACHE:-$top/build/cache}
tar=$cache/nginx-bookworm.tar
mkdir -p "$cache"

if [ ! -s "$tar" ]; then
        command -v debootstrap >/dev/null 2>&1 ||
                { echo "tests/images/nginx.sh: debootstrap not found (apt-get install debootstrap)" >&2; exit 1; }
        exec 9>"$tar.lock"
        flock 9
        if [ ! -s "$tar" ]; then
                work=$(mktemp -d "$cache/nginx.XXXXXX")
                trap 'rm -rf "$work"' EXIT
                if ! debootstrap --variant=minbase --include=nginx-light,busybox bookworm \
                        "$work/root" >"$work/log" 2>&1; then
                        tail -n 20 "$work/log" >&2
                        echo "tests/images/nginx.sh: debootstrap failed" >&2
                        exit 1
                fi
                r=$work/root
                rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin \
                        "$r"/var/cache/apt/archives/*.deb "$r"/usr/share/doc/* \
                        "$r"/usr/share/man/* "$r"/usr/share/locale/* "$r"/var/log/*.log
                # busybox's applets (wget, ps) for the examples' bodies
                # and for a test to look inside; Debian's own tools win.
                for a in wget ps vi; do
                        [ -e "$r/usr/bin/$a" ] || [ -e "$r/bin/$a" ] ||
                                ln -s /bin/busybox "$r/usr/bin/$a"
                done
                tar -C "$r" --numeric-owner -cf "$work/t.tar" .
                mv "$work/t.tar" "$tar"
        fi
        exec 9>&-
fi

stamp=$(stat -c '%s-%Y' "$tar")
have=$(docker image inspect -f '{{index .Config.Labels "ctr.nginx.rootfs"}}' "$tag" 2>/dev/null || true)
[ "$have" = "$stamp" ] && exit 0
docker import -c "LABEL ctr.nginx.rootfs=$stamp" -c 'EXPOSE 80' \
        -c 'CMD ["nginx", "-g", "daemon off;"]' "$tar" "$tag" >/dev/null
