#!/bin/sh
# 02_ system-wide: the SSH server and cron (both runit services, see svc/).
set -eu
apt-get install -y -qq openssh-server cron >/dev/null
# Host keys are per container (made by the sshd service on first start),
# never baked into an image that many containers share.
rm -f /etc/ssh/ssh_host_*
# Key-only root login: keys come from the SSH-keys boot script.
cat >/etc/ssh/sshd_config.d/contrainer.conf <<'CFG'
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
CFG
