#!/bin/sh
# 01_ base functioning: the contrainer package (make deb) — binary in
# /usr/bin, /usr/sbin/my_init, the contrainer-* helpers — plus the paths the
# images have always had: /sbin/contrainer (the entrypoint, a link to the
# package's binary) and /sbin/my_init (the package's own link: /sbin is
# /usr/sbin in Debian's merged /usr); runit's service directories, the
# exported-environment directory.
set -eu
f=/tmp/contrainer-files
# apt-get resolves the package's dependencies (runit and libc are already
# in the root filesystem); recommends (watch mode's libraries) stay out of
# the base image (00_ turned them off); the controller image adds them.
apt-get install -y -qq "$f/contrainer.deb" >/dev/null
[ -e /sbin/my_init ] || ln -s /usr/bin/contrainer /sbin/my_init
ln -sfn /usr/bin/contrainer /sbin/contrainer
/sbin/contrainer --version
# Debian's packaged runit services keep their supervise state through links
# to /run/runit/supervise/NAME, a folder runit-init would make: make it here
# so that such a service, once enabled, runs under our runsvdir too.
mkdir -p /run/runit/supervise
# Any user (docker run --user, an arbitrary UID) must be able to make its
# runtime directory (/run/contrainer) and its services' supervise state
# there: Docker's --tmpfs /run copies the image's /run, mode included, so
# these are world-writable with the sticky bit, as /tmp.  The init never
# follows a runtime directory or supervise state that is a link or someone
# else's (docs/hardening.md).
chmod 1777 /run /run/runit/supervise
mkdir -p /etc/service /etc/sv /etc/boot.d /etc/shutdown.d /etc/seed.d \
        /etc/container_environment
chmod 0700 /etc/container_environment
