#!/bin/sh
# The controller for examples/autoheal: the app containers of compose project
# PROJECT may run bodies on the controller itself (%contrainer).  The policy
# makes one write that class as "contrainer,host": a body on the controller
# holds the Docker socket, which is as good as the host.  Further watch
# options pass through (e.g. --state-dir DIR).
# usage: examples/autoheal/watch.sh PROJECT [watch options...]
#        (CONTRAINER names the binary, default: contrainer on PATH)
set -eu
project=${1:?usage: examples/autoheal/watch.sh PROJECT [watch options...]}
shift
exec "${CONTRAINER:-contrainer}" watch --allow "${project}[_-]app[_-]*=contrainer,host" "$@"
