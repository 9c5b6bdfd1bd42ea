#!/bin/sh
# 03_ image-specific: boot scripts, runit services, the admin helpers under
# their short names (links to the package's contrainer-* commands).
set -eu
f=/tmp/contrainer-files
cp -R "$f/etc/boot.d/." /etc/boot.d/
chmod 0755 /etc/boot.d/*
for d in "$f"/etc/sv/*/; do
        rm -rf "/etc/sv/$(basename "$d")"
done
cp -R "$f/etc/sv/." /etc/sv/
chmod 0755 /etc/sv/*/run
for s in /etc/sv/*/finish /etc/sv/*/log/run; do
        [ ! -f "$s" ] || chmod 0755 "$s"
done
for h in /usr/bin/contrainer-*; do
        [ ! -f "$h" ] || ln -sfn "$h" "/usr/local/bin/${h#/usr/bin/contrainer-}"
done
# Enabled in every container: cron; sshd too, but held down by a down file
# until the SSH boot script removes it (SSHD_ENABLE=1 or authorized keys).
# contrainer is enabled only in the controller image.
# Debian's runit-helper enabled the packages' own services (ssh,
# default-syslog) while 02_ installed them: ours replace them.
rm -f /etc/service/ssh /etc/service/default-syslog
touch /etc/sv/sshd/down
ln -sfn /etc/sv/cron /etc/service/cron
ln -sfn /etc/sv/sshd /etc/service/sshd
# runit's state lives under /run, as Debian's runit links it
# (supervise -> /run/runit/supervise/NAME): so services also run on a
# read-only root with a writable /run (--read-only --tmpfs /run), as any
# user; contrainer init makes /run/runit/supervise when /run is fresh
# (docs/hardening.md).
for d in /etc/sv/*/ /etc/sv/*/log/; do
        [ -d "$d" ] || continue
        d=${d%/}
        name=$(printf '%s' "${d#/etc/sv/}" | tr / .)
        rm -rf "$d/supervise"
        ln -s "/run/runit/supervise/$name" "$d/supervise"
done
