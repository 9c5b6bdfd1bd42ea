#!/bin/sh
# contrainer init demo: boot script → runit services → command → orderly
# shutdown → exit status, with contrainer as PID 1 of a throw-away PID
# namespace.  /etc is an overlay there, so the machine's /etc is untouched.
# usage (as root, after `make`): examples/init-demo/run.sh [path/to/contrainer]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$(readlink -f "${1:-$here/../../build/contrainer}")
[ -x "$bin" ] || { echo "no $bin: run 'make' first" >&2; exit 1; }
for t in unshare runsvdir; do
        command -v "$t" >/dev/null || { echo "$t missing: apt-get install util-linux runit" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "run as root (unshare needs it)" >&2; exit 1; }

T=$(mktemp -d /tmp/contrainer-demo.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/etc/boot.d" "$T/etc/shutdown.d" "$T/etc/service" "$T/work"

# A boot script adds a variable for everything after it.
cat >"$T/etc/boot.d/10_greeting" <<'S'
#!/bin/sh
echo "[boot]     10_greeting: setting GREETING"
echo "hello from boot.d" >/etc/container_environment/GREETING
S
# Two runit services: tiny loops that say when they start and stop.
for svc in clock ticker; do
        mkdir -p "$T/etc/service/$svc"
        cat >"$T/etc/service/$svc/run" <<S
#!/bin/sh
echo "[service]  $svc: up (GREETING=\$GREETING)"
trap 'echo "[service]  $svc: got SIGTERM, stopping"; exit 0' TERM
while :; do sleep 0.2; done
S
        cat >"$T/etc/service/$svc/finish" <<S
#!/bin/sh
echo "[service]  $svc: finish"
S
done
cat >"$T/etc/shutdown.d/10_bye" <<'S'
#!/bin/sh
echo "[shutdown] 10_bye: services still up, saving state"
S
# The command: waits for both services, shows the variable and the processes.
cat >"$T/command" <<'S'
#!/bin/sh
i=0
until [ "$(ps -eo comm= | grep -c '^runsv$')" -ge 2 ] && [ "$i" -gt 3 ]; do sleep 0.1; i=$((i + 1)); done
echo "[command]  GREETING=$GREETING"
echo "[command]  process table (contrainer is PID 1):"
ps -eo pid,ppid,pgid,args | sed 's/^/             /'
echo "[command]  exiting with status 3"
exit 3
S
chmod +x "$T/etc/boot.d/10_greeting" "$T/etc/shutdown.d/10_bye" "$T"/etc/service/*/run \
        "$T"/etc/service/*/finish "$T/command"

echo "== contrainer init as PID 1 (KILL_PROCESS_TIMEOUT=2) =="
set +e
# shellcheck disable=SC2016
KILL_PROCESS_TIMEOUT=2 timeout 60 unshare --pid --fork --kill-child --mount-proc --propagation private \
        sh -c 'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/etc,workdir=$1/work" /etc || exit 99
               shift; exec "$@"' sh "$T" "$bin" init -- "$T/command" 2>&1
status=$?
set -e
echo "== contrainer exited with status $status (the command's) =="
