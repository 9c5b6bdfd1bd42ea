# shellcheck shell=bash disable=SC2034
# Helpers for the image and admin-helper suites (tests/bats/4x, 5x), which
# run against the real Docker Engine.
#
# - The product images (contrainer/base, contrainer/controller) are built by
#   images/build.sh from the Debian package $CONTRAINER_DEB (make deb; by
#   default the newest deb/contrainer_*.deb beside $CONTRAINER, which is
#   what `make check-bats` builds), and contrainer/static from the static
#   build, once per file (docker's cache makes a
#   rebuild with nothing changed take seconds; the debootstrap root
#   filesystem is cached in build/cache/).  They stay built: they are the
#   product.
# - Every container, volume and test-derived image is named with IP
#   ("ctrimg-<file>-<pid>-") and removed in teardown, even after a failure.
# - Test containers run with --network none.
# Usage: load images_helpers; setup_file() { img_setup_file [build]; } ...

# shellcheck source=tests/lib/dockerd.sh
. "$BATS_TEST_DIRNAME/../lib/dockerd.sh"

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BASE_IMAGE=contrainer/base:latest
CTL_IMAGE=contrainer/controller:latest
BB_IMAGE=ctrtest/busybox:latest

# img_deb: the package the images are built from (CONTRAINER_DEB, else the
# newest deb/contrainer_*.deb beside $CONTRAINER); exported as DEB, and the
# static build as STATIC_BIN.
img_deb() {
        DEB=${CONTRAINER_DEB:-}
        if [ -z "$DEB" ]; then
                # shellcheck disable=SC2012 # our own file names, no odd characters
                DEB=$(ls -t "$(dirname "$CONTRAINER")"/deb/contrainer_*.deb 2>/dev/null | head -n 1)
        fi
        [ -f "$DEB" ] || { echo "no contrainer .deb (make deb, or set CONTRAINER_DEB)" >&2; return 1; }
        # and the static init for contrainer/static (CONTRAINER_STATIC, else
        # static/contrainer beside $CONTRAINER)
        STATIC_BIN=${CONTRAINER_STATIC:-$(dirname "$CONTRAINER")/static/contrainer}
        [ -x "$STATIC_BIN" ] || { echo "no static build at $STATIC_BIN (make static)" >&2; return 1; }
        export DEB STATIC_BIN
}

# img_setup_file [build]: names for this file; with "build", (re)build the
# product images from the package (bounded: a cold build with debootstrap
# takes about a minute).
img_setup_file() {
        local base
        base=$(basename "$BATS_TEST_FILENAME" .bats)
        export IP="ctrimg-${base%%-*}-$$-"
        busybox_image "$BB_IMAGE"
        if [ "${1:-}" = build ]; then
                img_deb || return 1
                timeout 600 "$TOP/images/build.sh" "$DEB" "$STATIC_BIN" >"$BATS_FILE_TMPDIR/build.out" 2>&1 || {
                        cat "$BATS_FILE_TMPDIR/build.out" >&2
                        return 1
                }
        fi
}

img_setup() {
        T=$BATS_TEST_TMPDIR
}

# Removes every container and volume named with IP, and with "images" the
# test-derived images too (kept for the whole file, removed at its end).
img_remove_objects() {
        local ids
        ids=$(docker ps -aq --filter "name=^/$IP" 2>/dev/null)
        # shellcheck disable=SC2086
        [ -z "$ids" ] || timeout 60 docker rm -f -v $ids >/dev/null 2>&1 || true
        ids=$(docker volume ls -q --filter "name=^$IP" 2>/dev/null)
        # shellcheck disable=SC2086
        [ -z "$ids" ] || timeout 60 docker volume rm -f $ids >/dev/null 2>&1 || true
        [ "${1:-}" = images ] || return 0
        ids=$(docker images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep "^$IP" || true)
        # shellcheck disable=SC2086
        [ -z "$ids" ] || timeout 60 docker rmi -f $ids >/dev/null 2>&1 || true
        ids=$(docker images -q --filter "label=ctrimg.test=$IP" 2>/dev/null)
        # shellcheck disable=SC2086
        [ -z "$ids" ] || timeout 60 docker rmi -f $ids >/dev/null 2>&1 || true
}

img_teardown() { img_remove_objects; }
img_teardown_file() { img_remove_objects images; }

# Poll: wait_for WHAT SECONDS CMD... (helpers.bash).
# shellcheck source=tests/bats/helpers.bash
. "$(dirname "${BASH_SOURCE[0]}")/helpers.bash"

# ctr_running NAME: the container is running.
ctr_running() {
        [ "$(docker inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ]
}

# in_ctr NAME CMD...: docker exec, bounded.
in_ctr() {
        local c=$1
        shift
        timeout 20 docker exec "$c" "$@"
}

# build_test_image TAG DIR: docker build (bounded, labelled for clean-up).
build_test_image() {
        timeout 120 docker build -q --network none --label "ctrimg.test=$IP" -t "$1" "$2" >/dev/null
}

# nsenter_host_ok: can this machine's PID 1 namespaces be entered at all?
nsenter_host_ok() {
        timeout 5 nsenter -t 1 -m true 2>/dev/null
}
