#!/bin/sh
# 99_ clean-up: package lists and caches left by 02_.
set -eu
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/debconf/*-old \
        /var/log/apt/* /var/log/*.log /tmp/contrainer-install
