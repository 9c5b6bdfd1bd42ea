#!/bin/sh
# The controller for examples/exit-alert: the containers of compose project
# PROJECT may run bodies on the host (%host), nothing more.  Further watch
# options pass through (e.g. --state-dir DIR).
# usage: examples/exit-alert/watch.sh PROJECT [watch options...]
#        (CONTRAINER names the binary, default: contrainer on PATH)
set -eu
project=${1:?usage: examples/exit-alert/watch.sh PROJECT [watch options...]}
shift
exec "${CONTRAINER:-contrainer}" watch --allow "${project}[_-]*=host" "$@"
