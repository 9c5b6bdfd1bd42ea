#!/bin/sh
# 99_ clean-up: whatever the build left that a container never needs.
set -eu
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/debconf/*-old \
        /var/log/apt/* /var/log/*.log /usr/share/doc/*/changelog* \
        /tmp/contrainer-files /tmp/contrainer-install /root/.cache
