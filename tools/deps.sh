#!/bin/sh
# deps.sh: installs the Debian packages misroute needs to build, test and benchmark, when any is
# missing. libndpi-bin (ndpiReader) and tshark are what make bench compares misroute with; time
# (GNU time) measures peak memory there. tshark asks about non-root capture on install:
# DEBIAN_FRONTEND=noninteractive below takes the default answer (no).
set -eu
pkgs="build-essential pkg-config libpcap-dev libndpi-dev libjansson-dev libmaxminddb-dev
      zlib1g-dev libgcrypt20-dev libpsl-dev publicsuffix libidn2-dev libmaxmind-db-writer-perl libnet-works-perl libcmocka-dev clang python3 python3-scapy jq tcpdump libhiredis-dev redis-server socat
      tcpreplay iproute2 valgrind libndpi-bin tshark time"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: not root; run: sudo apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
