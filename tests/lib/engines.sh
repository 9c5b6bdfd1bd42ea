# shellcheck shell=bash
# The engines the controller's suites run against (docs/engines.md, "How CI
# tests each engine").  CTR_ENGINE chooses which daemon the suites' private
# Engine (pd_start in tests/bats/watch_helpers.bash) is:
#   docker20         Debian 12's dockerd (the default: the machine's binary)
#   docker-trixie    Debian 13's dockerd, from a debootstrapped root file
#                    system (trixie_rootfs), run chrooted in a mount
#                    namespace of its own
#   podman           Debian 12's `podman system service`, as root
#   podman-rootless  the same as the unprivileged user CTR_ROOTLESS_USER
#                    (newuidmap, slirp4netns)
#   docker-rootless  Debian 12's dockerd as CTR_ROOTLESS_USER, through
#                    Docker's own dockerd-rootless.sh (rootlesskit), with
#                    the host's network (containers use none)
# Each is started on a directory PD of its own (socket PD/d.sock, data in
# PD), never on /var/run/docker.sock; engine_start sets PD_PID to the
# daemon's PID, which stopping it (TERM, by PID) ends.
# Only Debian's archive is needed: no image registry.
# shellcheck disable=SC2034 # PD_PID is read by the callers

CTR_CACHE=${CTR_CACHE:-/var/cache/contrainer-tests}
CTR_ROOTLESS_USER=${CTR_ROOTLESS_USER:-ctrtest-rootless}
TRIXIE_ROOT=$CTR_CACHE/trixie

# The name a suite prints and skips by: "Docker", "Podman" (what /version
# of the engine says, see engine_id.h).
engine_kind() {
        case "${CTR_ENGINE:-docker20}" in
        podman*) echo Podman ;;
        *) echo Docker ;;
        esac
}

# The path a body on a container takes under --dispatch auto: Podman's
# containers are monitored by conmon, not a containerd shim, and a rootless
# engine's are in a user namespace, so the controller cannot reproduce the
# engine's exec context and uses the API.
engine_dispatch_path() {
        case "${CTR_ENGINE:-docker20}" in
        podman* | *-rootless) echo api ;;
        *) echo direct ;;
        esac
}

# Is the engine run by an unprivileged user (its containers must reach the
# tests' bind sources as that user)?
engine_rootless() {
        case "${CTR_ENGINE:-docker20}" in
        *-rootless) return 0 ;;
        *) return 1 ;;
        esac
}

# How many times Docker's time an engine may take for many execs: Podman's
# exec API costs ~0.3 s an exec (conmon), and its containers cannot be run
# directly.
engine_slowness() {
        if [ "$(engine_kind)" = Podman ]; then echo 4; else echo 1; fi
}

# engine_skip_on KIND REASON: skip this test (bats) on engines of KIND.
engine_skip_on() {
        if [ "$(engine_kind)" = "$1" ]; then
                skip "not on $1 (${CTR_ENGINE}): $2"
        fi
}

# engine_skip_heavy: skip a test that starts hundreds of containers on every
# engine but Docker 20.10 (make check runs it there; CI's time is bounded).
engine_skip_heavy() {
        case "${CTR_ENGINE:-docker20}" in
        docker20) ;;
        *) skip "heavy, run on Docker 20.10 by make check (CI time)" ;;
        esac
}

# trixie_rootfs: a Debian 13 root with docker.io at TRIXIE_ROOT, built once
# (debootstrap from Debian's archive, ~3 min) and kept for later suites and
# runs; a lock makes concurrent suites wait for one build.
trixie_rootfs() {
        [ -x "$TRIXIE_ROOT/usr/sbin/dockerd" ] && return 0
        mkdir -p "$CTR_CACHE"
        (
                flock 9
                [ -x "$TRIXIE_ROOT/usr/sbin/dockerd" ] && exit 0
                rm -rf "$TRIXIE_ROOT.new"
                echo "# building $TRIXIE_ROOT (debootstrap trixie, once)" >&3
                debootstrap --variant=minbase --include=docker.io,ca-certificates trixie \
                        "$TRIXIE_ROOT.new" http://deb.debian.org/debian \
                        >"$CTR_CACHE/debootstrap.log" 2>&1 || {
                        tail -n 20 "$CTR_CACHE/debootstrap.log" >&2
                        exit 1
                }
                mkdir -p "$TRIXIE_ROOT.new/.oldroot"
                mv "$TRIXIE_ROOT.new" "$TRIXIE_ROOT"
        ) 9>"$CTR_CACHE/trixie.lock" 3>&2
}

# The rootless user, with subordinate ids (created once; CI only).
rootless_user() {
        id "$CTR_ROOTLESS_USER" >/dev/null 2>&1 ||
                useradd --system --create-home --shell /usr/sbin/nologin "$CTR_ROOTLESS_USER" || return 1
        grep -q "^$CTR_ROOTLESS_USER:" /etc/subuid ||
                usermod --add-subuids 200000-265535 "$CTR_ROOTLESS_USER" || return 1
        grep -q "^$CTR_ROOTLESS_USER:" /etc/subgid ||
                usermod --add-subgids 200000-265535 "$CTR_ROOTLESS_USER" || return 1
}

# rootless_pd: PD for a daemon run by the rootless user: theirs, with
# its own XDG_RUNTIME_DIR (PD/xdg, 0700); others may pass through PD.
rootless_pd() {
        rootless_user || return 1
        mkdir -p "$PD/xdg"
        chmod 0700 "$PD/xdg"
        chown -R "$CTR_ROOTLESS_USER:" "$PD"
        chmod 0755 "$PD"
}

# Podman's configuration for PD: on these machines the kernel refuses some
# rlimits Podman sets by default; events go to a file in PD (no journald).
podman_conf() {
        printf '[containers]\ndefault_ulimits = []\n[engine]\nevents_logger = "file"\ncgroup_manager = "cgroupfs"\n' \
                >"$PD/containers.conf"
        printf '[storage]\ndriver = "%s"\ngraphroot = "%s/root"\nrunroot = "%s/run"\n' \
                "$1" "$PD" "$PD" >"$PD/storage.conf"
}

# engine_start: start CTR_ENGINE's daemon on PD (PD_SOCK); PD_PID is its
# PID.  Returns at once; the caller waits for /_ping.
engine_start() {
        case "${CTR_ENGINE:-docker20}" in
        docker20)
                # CTR_PD_ENV: VAR=VALUE words for dockerd (DOCKER_RAMDISK=true)
                # shellcheck disable=SC2086 # words, by design
                env ${CTR_PD_ENV:-} setsid dockerd --data-root "$PD/root" --exec-root "$PD/x" --pidfile "$PD/pid" \
                        -H "unix://$PD_SOCK" --bridge=none --iptables=false --ip-masq=false \
                        </dev/null >>"$PD/log" 2>&1 3>&- &
                PD_PID=$!
                ;;
        docker-trixie)
                trixie_rootfs || return 1
                # In a mount namespace of its own (nothing is mounted on the
                # host, and it all goes with dockerd), the trixie root becomes
                # / by pivot_root — not chroot: runc pivots into containers'
                # roots, which a chroot refuses (it would fall back to
                # chroot, and `docker exec` and the direct path would then
                # see different roots).  /tmp is the host's: the tests' bind
                # sources and PD resolve alike.
                # shellcheck disable=SC2016 # expanded by the inner sh
                setsid unshare --mount --propagation private --fork sh -c '
                        r=$1 pd=$2
                        mount --bind "$r" "$r" && mount --rbind /dev "$r/dev" &&
                        mount -t proc proc "$r/proc" && mount --rbind /sys "$r/sys" &&
                        mount --rbind /tmp "$r/tmp" && mount -t tmpfs tmpfs "$r/run" &&
                        cd "$r" && pivot_root . .oldroot && umount -l /.oldroot || exit 1
                        exec /usr/sbin/dockerd --data-root "$pd/root" --exec-root "$pd/x" \
                                --pidfile "$pd/pid" -H "unix://$pd/d.sock" --bridge=none \
                                --iptables=false --ip-masq=false' sh "$TRIXIE_ROOT" "$PD" \
                        </dev/null >>"$PD/log" 2>&1 3>&- &
                # dockerd is unshare's child: its PID comes with its pidfile.
                PD_PID=
                wait_until 60 test -s "$PD/pid" || return 1
                PD_PID=$(cat "$PD/pid")
                ;;
        podman)
                podman_conf overlay
                CONTAINERS_CONF=$PD/containers.conf CONTAINERS_STORAGE_CONF=$PD/storage.conf \
                        setsid podman --root "$PD/root" --runroot "$PD/run" --tmpdir "$PD/tmp" \
                        system service --time=0 "unix://$PD_SOCK" </dev/null >>"$PD/log" 2>&1 3>&- &
                PD_PID=$!
                ;;
        docker-rootless)
                rootless_pd || return 1
                # Its PID is the daemon's: the script execs rootlesskit,
                # which ends dockerd (its child) when TERMed.  The host's
                # network: no tap device, no slirp (the tests' containers
                # run with --network none).
                setsid setpriv --reuid="$CTR_ROOTLESS_USER" --regid="$CTR_ROOTLESS_USER" --init-groups \
                        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$PD" XDG_RUNTIME_DIR="$PD/xdg" \
                        DOCKERD_ROOTLESS_ROOTLESSKIT_NET=host DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER=none \
                        sh /usr/share/docker.io/contrib/dockerd-rootless.sh --data-root "$PD/root" \
                        --exec-root "$PD/x" --pidfile "$PD/pid" -H "unix://$PD_SOCK" --bridge=none \
                        --iptables=false --ip-masq=false </dev/null >>"$PD/log" 2>&1 3>&- &
                PD_PID=$!
                ;;
        podman-rootless)
                podman_conf vfs
                rootless_pd || return 1
                # setpriv execs: its PID is the daemon's.
                setsid setpriv --reuid="$CTR_ROOTLESS_USER" --regid="$CTR_ROOTLESS_USER" --init-groups \
                        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
                        HOME="$PD" XDG_RUNTIME_DIR="$PD/xdg" CONTAINERS_CONF="$PD/containers.conf" \
                        CONTAINERS_STORAGE_CONF="$PD/storage.conf" \
                        podman --root "$PD/root" --runroot "$PD/run" --tmpdir "$PD/tmp" \
                        system service --time=0 "unix://$PD_SOCK" </dev/null >>"$PD/log" 2>&1 3>&- &
                PD_PID=$!
                ;;
        *)
                echo "unknown CTR_ENGINE '$CTR_ENGINE' (docker20, docker-trixie, podman, podman-rootless, docker-rootless)" >&2
                return 1
                ;;
        esac
}

# engine_cleanup DIR: after the daemon on DIR stopped, end what it left:
# rootless Podman's pause process (it holds the user namespace; its PID is
# in DIR), then every process still naming DIR (shims, conmon).
engine_cleanup() {
        local pid f
        for f in "$1"/xdg/libpod/tmp/pause.pid "$1"/tmp/pause.pid; do
                [ -s "$f" ] || continue
                pid=$(cat "$f")
                kill -KILL "$pid" 2>/dev/null || true
        done
        for pid in $(pgrep -f -- "$1/" || true); do
                kill -KILL "$pid" 2>/dev/null || true
        done
}
