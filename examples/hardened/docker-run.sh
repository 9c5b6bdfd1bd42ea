#!/bin/sh
# docker-run.sh [DOCKER-RUN-OPTIONS...] IMAGE [COMMAND [ARG...]]
# The hardened `docker run` line of README.md, as a command: an arbitrary
# UID with no passwd entry, a read-only root, a fresh writable /run (the
# init's runtime directory and runit's state), no capabilities, no
# privilege gain.  tests/bats/46-hardened.bats runs exactly this line.
exec docker run --rm \
        --read-only --tmpfs /run \
        --user 123456 \
        --cap-drop ALL --security-opt no-new-privileges \
        "$@"
