#!/bin/sh
# 03_ image-specific: enable the contrainer service (svc/contrainer, shipped
# in the base image but not enabled there) and give it its state directory.
set -eu
ln -sfn /etc/sv/contrainer /etc/service/contrainer
mkdir -p /var/lib/contrainer
chmod 0700 /var/lib/contrainer
