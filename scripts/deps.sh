#!/bin/sh
# Install the Debian 12 packages slubq needs. Idempotent and quiet: nothing
# is downloaded when everything is present already.
set -e
PKGS="g++ meson ninja-build pkg-config python3 libdpdk-dev dpdk dpdk-dev libnuma-dev
      libhwloc-dev libyaml-cpp-dev libgtest-dev libbenchmark-dev tmux nlohmann-json3-dev"
[ -n "$SLUBQ_EXTRA_PKGS" ] && PKGS="$PKGS $SLUBQ_EXTRA_PKGS"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "slubq: missing packages:$missing (run as root, or install them)" >&2
	exit 1
fi
echo "slubq: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends $missing >/dev/null
