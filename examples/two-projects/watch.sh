#!/bin/sh
# The controller of compose project PROJECT in examples/two-projects: it
# sees only that project's containers (--scope, filtered by the Engine), and
# their hooks may run on the controller (%contrainer, which the policy makes
# one write as "contrainer,host": such a body holds the Docker socket).  Run
# one per project, each with its own --state-dir.  Further watch options pass through.
# usage: examples/two-projects/watch.sh PROJECT [watch options...]
#        (CONTRAINER names the binary, default: contrainer on PATH)
set -eu
project=${1:?usage: examples/two-projects/watch.sh PROJECT [watch options...]}
shift
exec "${CONTRAINER:-contrainer}" watch --scope "label=com.docker.compose.project=$project" \
        --allow "*=contrainer,host" "$@"
