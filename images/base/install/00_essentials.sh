#!/bin/sh
# 00_ essentials: package manager settings every later step relies on.
set -eu
# Keep docs, man pages and translations out of every package installed later.
cat >/etc/dpkg/dpkg.cfg.d/01-contrainer-nodoc <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
CFG
cat >/etc/apt/apt.conf.d/01-contrainer <<'CFG'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
CFG
# Package scripts must not start daemons during the build (runit does that
# at run time): invoke-rc.d honours policy-rc.d's 101 = "action forbidden".
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod 0755 /usr/sbin/policy-rc.d
apt-get update -qq
