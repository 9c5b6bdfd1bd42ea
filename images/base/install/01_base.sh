#!/bin/sh
# 01_ base functioning: contrainer as PID 1 (and /sbin/my_init), runit's
# service directories, the exported-environment directory.
set -eu
f=/tmp/contrainer-files
install -m 0755 "$f/sbin/contrainer" /sbin/contrainer
ln -sf contrainer /sbin/my_init
/sbin/contrainer --version
# Debian's runit enables a placeholder syslog service whose supervise link
# points into /run/runit (set up by runit-init, which a container never runs).
rm -f /etc/service/default-syslog
mkdir -p /etc/service /etc/sv /etc/boot.d /etc/shutdown.d /etc/seed.d \
        /etc/container_environment
chmod 0700 /etc/container_environment
