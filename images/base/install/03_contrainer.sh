#!/bin/sh
# 03_ image-specific: boot scripts, runit services, admin helpers.
set -eu
f=/tmp/contrainer-files
cp -R "$f/etc/boot.d/." /etc/boot.d/
chmod 0755 /etc/boot.d/*
cp -R "$f/etc/sv/." /etc/sv/
chmod 0755 /etc/sv/*/run
for s in /etc/sv/*/finish /etc/sv/*/log/run; do
        [ ! -f "$s" ] || chmod 0755 "$s"
done
for h in "$f"/usr/local/bin/*; do
        install -m 0755 "$h" /usr/local/bin/
done
# Enabled in every container: cron; sshd too, but held down by a down file
# until the SSH boot script removes it (SSHD_ENABLE=1 or authorized keys).
# contrainer is enabled only in the controller image.
touch /etc/sv/sshd/down
ln -sfn /etc/sv/cron /etc/service/cron
ln -sfn /etc/sv/sshd /etc/service/sshd
