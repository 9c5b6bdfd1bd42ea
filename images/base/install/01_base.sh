#!/bin/sh
# 01_ base functioning: contrainer as PID 1 (and /sbin/my_init), runit's
# service directories, the exported-environment directory.
set -eu
f=/tmp/contrainer-files
install -m 0755 "$f/sbin/contrainer" /sbin/contrainer
ln -sf contrainer /sbin/my_init
/sbin/contrainer --version
# Debian's packaged runit services keep their supervise state through links
# to /run/runit/supervise/NAME, a folder runit-init would make: make it here
# so that such a service, once enabled, runs under our runsvdir too.
mkdir -p /run/runit/supervise
mkdir -p /etc/service /etc/sv /etc/boot.d /etc/shutdown.d /etc/seed.d \
        /etc/container_environment
chmod 0700 /etc/container_environment
