#!/bin/bash
# The controller at work, on the local Docker Engine (started if none runs).
# Two busybox containers offer scripts in /contrainer/:
#   ctrdemo-lb   "%me:start:die"  — runs in itself whenever ANY container
#                                    starts or dies (service discovery)
#   ctrdemo-web  ""               — blank header: runs once in itself
# The controller runs on the host with the default policy (self only); then
# one container is started and stopped so the lb sees it.  Everything the
# demo creates is named ctrdemo-* and removed at the end.
# usage: examples/watch-demo/run.sh /abs/path/to/contrainer
set -euo pipefail
bin=${1:?usage: $0 /path/to/contrainer}
cd "$(dirname "$0")/../.."
# shellcheck source=tests/lib/dockerd.sh
. tests/lib/dockerd.sh

tmp=$(mktemp -d)
ctl=
cleanup() {
        [ -n "$ctl" ] && kill "$ctl" 2>/dev/null && wait "$ctl" 2>/dev/null
        docker rm -f ctrdemo-lb ctrdemo-web ctrdemo-app >/dev/null 2>&1 || true
        docker rmi -f ctrdemo/busybox:latest >/dev/null 2>&1 || true
        rm -rf "$tmp"
        dockerd_release
}
trap cleanup EXIT

dockerd_ensure
busybox_image ctrdemo/busybox:latest
mkdir -p "$tmp/lb" "$tmp/web" "$tmp/out" "$tmp/state"
cat >"$tmp/lb/10-upstreams" <<'SCRIPT'
#!/bin/sh
echo '%me:start:die'
echo 'echo "lb saw $CONTRAINER_EVENT of $CONTRAINER_SOURCE_NAME" >> /out/lb.log'
SCRIPT
cat >"$tmp/web/10-hello" <<'SCRIPT'
#!/bin/sh
echo ''
echo 'echo "web: hello from $CONTRAINER_TARGET ($CONTRAINER_EVENT)" >> /out/web.log'
SCRIPT
chmod +x "$tmp/lb/10-upstreams" "$tmp/web/10-hello"

echo "== starting the controller: $bin watch --state-dir $tmp/state"
"$bin" watch --state-dir "$tmp/state" --exec-timeout 10 2>"$tmp/ctl.log" &
ctl=$!

run() { docker run -d --network none --name "$1" -v "$tmp/out:/out" "${@:2}" ctrdemo/busybox:latest sleep 600 >/dev/null; }
run ctrdemo-lb -v "$tmp/lb:/contrainer:ro"
run ctrdemo-web -v "$tmp/web:/contrainer:ro"
wait_until 20 grep -q hello "$tmp/out/web.log" 2>/dev/null
run ctrdemo-app
docker stop -t 1 ctrdemo-app >/dev/null
wait_until 20 grep -q 'die of ctrdemo-app' "$tmp/out/lb.log" 2>/dev/null || true

kill "$ctl"; wait "$ctl" || true; ctl=
echo "== what the bodies wrote"
cat "$tmp/out/web.log" "$tmp/out/lb.log"
echo "== the controller's log"
cat "$tmp/ctl.log"
grep -q 'die of ctrdemo-app' "$tmp/out/lb.log"
