#!/bin/sh
# Builds TAG: an image with no shell at all, only a static catatonit as a
# pause process (ENTRYPOINT catatonit -P).  Used by the watch suites for
# "%all includes containers without a shell" (docs/watch.md "Targets").
# usage: tests/images/noshell.sh TAG      (DOCKER_HOST picks the Engine)
set -eu
tag=$1
bin=$(command -v catatonit) || { echo "catatonit is not installed (apt-get install catatonit)" >&2; exit 1; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
cp "$bin" "$root/catatonit"
tar -C "$root" -c . | docker import -c 'ENTRYPOINT ["/catatonit", "-P"]' - "$tag" >/dev/null
