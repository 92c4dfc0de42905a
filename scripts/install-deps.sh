#!/bin/sh
# Installs the Debian/Ubuntu packages jug needs to build, test and run.
# Uses sudo when not run as root. Safe to run again: installs only what is missing.
set -eu
PACKAGES="build-essential g++ cmake pkg-config git python3 \
  libcereal-dev libzstd-dev libxxhash-dev nettle-dev libfmt-dev libcli11-dev \
  nlohmann-json3-dev libgtest-dev libgmock-dev \
  libjpeg-dev liblinear-dev libeigen3-dev libarmadillo-dev libxtensor-dev \
  libhiredis-dev redis-server strace python3-numpy pybind11-dev python3-dev gdb graphviz \
  libcpp-httplib-dev ${JUG_EXTRA_PACKAGES:-}"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "Installing:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
