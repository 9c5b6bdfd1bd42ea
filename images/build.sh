#!/bin/sh
# images/build.sh DEB [STATIC] — builds contrainer/base:latest and
# contrainer/controller:latest from the Debian package DEB (make deb) on a
# machine with a Docker Engine and no registry (called by `make images`);
# with STATIC (make static), also contrainer/static:latest, an image that
# holds only /contrainer, the static init, for `COPY --from` (step 4).
# images/build.sh --rootfs — only step 1 (no Docker needed); prints the path
# of the cached root filesystem tar (tests/bats/45-deb.bats installs the
# package into a copy of it).
#
# 1. Root filesystem: `debootstrap --variant=minbase --include=runit bookworm`
#    (no mirror argument: the default mirror works everywhere we build), trimmed
#    of package lists, caches, docs and translations, cached as
#    $CONTRAINER_CACHE/rootfs-bookworm.tar (default build/cache/, outside git),
#    so later builds skip the ~30 s debootstrap.  Delete the tar to refresh it.
# 2. `docker import` of that tar as contrainer/rootfs:bookworm (re-imported
#    only when the tar changed: its size and mtime are kept in a label).
# 3. `docker build` of images/base/ and then images/contrainer/ from a staged
#    context: each Dockerfile runs its install/NN_*.sh scripts in name order
#    (00_ essentials, 01_ base functioning, 02_ system-wide, 03_ image-specific,
#    99_ clean-up) in one layer, so that clean-up really makes the image small.
#    The base image installs DEB (01_base.sh): binary, my_init and helpers
#    come from the package, so the image and the package cannot differ.
# 4. `docker import` of a one-file tar (/contrainer = STATIC) as
#    contrainer/static:latest (entrypoint `/contrainer init --`).
# Prints the size of each image at the end.
#
# Environment: CONTRAINER_CACHE (cache dir), SUITE (default bookworm),
# DOCKER_BUILD_NETWORK (network for the build's apt-get, default host, because
# the default bridge may be missing on build machines).
set -eu

usage() {
        echo "usage: images/build.sh [--help] DEB [STATIC] | --rootfs" >&2
        echo "  builds contrainer/base:latest and contrainer/controller:latest from DEB" >&2
        echo "  --rootfs: only make (or reuse) the cached root filesystem tar, print its path" >&2
}
rootfs_only=
case "${1:-}" in
-h|--help) usage; exit 0 ;;
'') usage; exit 2 ;;
--rootfs) rootfs_only=1 ;;
*.deb) deb=$1 static=${2:-}
        [ -f "$deb" ] || { echo "images/build.sh: '$deb' is not a file" >&2; exit 2; }
        [ -z "$static" ] || [ -x "$static" ] ||
                { echo "images/build.sh: '$static' is not an executable file" >&2; exit 2; } ;;
*) echo "images/build.sh: '$1' is not a .deb (make deb builds one)" >&2; usage; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
suite=${SUITE:-bookworm}
cache=${CONTRAINER_CACHE:-$top/build/cache}
rootfs_tar=$cache/rootfs-$suite.tar
rootfs_img=contrainer/rootfs:$suite
net=${DOCKER_BUILD_NETWORK:-host}

say() { printf 'images: %s\n' "$*" >&2; }
die() { printf 'images/build.sh: error: %s\n' "$*" >&2; exit 1; }

if [ -z "$rootfs_only" ]; then
        command -v docker >/dev/null 2>&1 || die "docker CLI not found (apt-get install docker.io)"
        docker version --format '{{.Server.Version}}' >/dev/null 2>&1 ||
                die "cannot reach the Docker daemon (is dockerd running?)"
fi

work=
cleanup() { [ -z "$work" ] || rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$cache"
work=$(mktemp -d "$cache/work.XXXXXX")

# ---- 1. root filesystem ----------------------------------------------------
if [ ! -s "$rootfs_tar" ]; then
        command -v debootstrap >/dev/null 2>&1 ||
                die "debootstrap not found (apt-get install debootstrap)"
        say "debootstrap $suite (minbase + runit), about 30 s"
        root=$work/rootfs
        debootstrap --variant=minbase --include=runit "$suite" "$root" \
                >"$work/debootstrap.log" 2>&1 ||
                { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
        # What an image never needs: package lists and caches (apt-get update
        # fetches fresh ones at build time), docs, man pages, translations.
        rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
                "$root"/var/cache/apt/archives/*.deb "$root"/usr/share/doc/* \
                "$root"/usr/share/man/* "$root"/usr/share/info/* \
                "$root"/usr/share/locale/* "$root"/var/log/*.log \
                "$root"/var/cache/debconf/*-old
        tar -C "$root" --numeric-owner -cf "$work/rootfs.tar" .
        mv "$work/rootfs.tar" "$rootfs_tar"
        rm -rf "$root"
else
        say "reusing cached root filesystem $rootfs_tar"
fi
if [ -n "$rootfs_only" ]; then
        printf '%s\n' "$rootfs_tar"
        exit 0
fi

# ---- 2. import -------------------------------------------------------------
stamp=$(stat -c '%s-%Y' "$rootfs_tar")
have=$(docker image inspect -f '{{index .Config.Labels "contrainer.rootfs"}}' \
        "$rootfs_img" 2>/dev/null || true)
if [ "$have" != "$stamp" ]; then
        say "docker import $rootfs_img"
        docker import -c "LABEL contrainer.rootfs=$stamp" -c 'CMD ["/bin/bash"]' \
                "$rootfs_tar" "$rootfs_img" >/dev/null
fi

# ---- 3. images -------------------------------------------------------------
# The context holds only what the Dockerfile copies: docker's cache then hits
# whenever none of these files changed.
stage() { # stage DIR: image definition DIR plus the files it installs
        ctx=$work/ctx-$(basename "$1")
        mkdir -p "$ctx/files"
        cp -R "$1/." "$ctx/"
        cp "$here/run-install.sh" "$ctx/install/run.sh"
}

build() { # build TAG CONTEXT [ARG...]: docker build, its log shown on failure
        tag=$1 ctxdir=$2
        shift 2
        say "docker build $tag"
        if ! docker build --force-rm --network "$net" -t "$tag" "$@" "$ctxdir" \
                >"$work/build.log" 2>&1; then
                tail -30 "$work/build.log" >&2
                die "docker build $tag failed"
        fi
}

# Images replaced by this build are removed afterwards (each rebuild would
# otherwise leave ~90 MB of dangling image behind); one still used by a
# container stays, and `purge` removes it later.
old_base=$(docker image inspect -f '{{.Id}}' contrainer/base:latest 2>/dev/null || true)
old_ctl=$(docker image inspect -f '{{.Id}}' contrainer/controller:latest 2>/dev/null || true)
old_static=$(docker image inspect -f '{{.Id}}' contrainer/static:latest 2>/dev/null || true)

stage "$here/base"
mkdir -p "$ctx/files/etc/boot.d" "$ctx/files/etc/sv"
cp "$deb" "$ctx/files/contrainer.deb"
for f in "$top"/boot.d/*; do [ -f "$f" ] && cp "$f" "$ctx/files/etc/boot.d/"; done
for d in "$top"/svc/*/; do [ -d "$d" ] && cp -R "$d" "$ctx/files/etc/sv/"; done
build contrainer/base:latest "$ctx" --build-arg "ROOTFS=$rootfs_img"

stage "$here/contrainer"
build contrainer/controller:latest "$ctx"

images="$rootfs_img contrainer/base:latest contrainer/controller:latest"
if [ -n "$static" ]; then
        say "docker import contrainer/static:latest"
        mkdir -p "$work/static"
        cp "$static" "$work/static/contrainer"
        chmod 0755 "$work/static/contrainer"
        tar -C "$work/static" --numeric-owner --owner=0 --group=0 -cf "$work/static.tar" contrainer
        docker import -c 'ENTRYPOINT ["/contrainer", "init", "--"]' \
                "$work/static.tar" contrainer/static:latest >/dev/null
        images="$images contrainer/static:latest"
fi

for old in "$old_ctl" "$old_base" "$old_static"; do
        [ -n "$old" ] || continue
        ! docker images -q --no-trunc --filter dangling=true | grep -qxF "$old" ||
                docker rmi "$old" >/dev/null 2>&1 || true
done

for img in $images; do
        size=$(docker image inspect -f '{{.Size}}' "$img")
        # MB as `docker images` counts them (10^6 bytes).
        printf 'images: %-32s %s MB\n' "$img" \
                "$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1e6 }')"
done
