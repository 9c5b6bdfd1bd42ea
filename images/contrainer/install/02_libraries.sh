#!/bin/sh
# 02_ system-wide: what the controller needs beyond the base image:
# - the libraries `contrainer watch` loads at run time (init mode never
#   loads them, so the base image does without);
# - the docker client, for the admin helpers (enter, backup, stopall, ...)
#   run with `docker exec CONTROLLER HELPER`: only /usr/bin/docker out of
#   Debian's docker.io package, whose dependencies (dockerd, containerd,
#   runc, iptables) a client does not need.
set -eu
apt-get update -qq
apt-get install -y -qq libcurl4 libcjson1 libmicrohttpd12 >/dev/null
tmp=$(mktemp -d)
(cd "$tmp" && apt-get download -qq docker.io)
dpkg-deb --fsys-tarfile "$tmp"/docker.io_*.deb | tar -x -C "$tmp" ./usr/bin/docker
install -m 0755 "$tmp/usr/bin/docker" /usr/bin/docker
rm -rf "$tmp"
/usr/bin/docker --version
