#!/bin/sh
# 02_ system-wide: the libraries `contrainer watch` loads at run time
# (init mode never loads them, so the base image does without).
set -eu
apt-get update -qq
apt-get install -y -qq libcurl4 libcjson1 >/dev/null
