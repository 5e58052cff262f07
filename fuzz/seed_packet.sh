#!/bin/sh
# seed_packet.sh N OUTDIR CAPTURE...: seeds for fuzz_packet — the first N packets of each
# capture (pcap or pcapng, written as pcap by tcpdump) into OUTDIR, named after it; pcapng
# captures under 16 KiB are also copied whole so the fuzzer starts with pcapng inputs too.
# A capture tcpdump cannot read is skipped with a note: seeds are a help, not a test.
set -u
n=${1:?usage: seed_packet.sh N OUTDIR CAPTURE...}
out=${2:?usage: seed_packet.sh N OUTDIR CAPTURE...}
shift 2
command -v tcpdump >/dev/null || { echo "seed_packet: no tcpdump, no seeds" >&2; exit 0; }
mkdir -p "$out"
for f in "$@"; do
	base=$(basename "$f")
	name=${base%.pcapng}
	name=${name%.pcap}
	if ! tcpdump -r "$f" -c "$n" -w "$out/$name.pcap" 2>/dev/null; then
		rm -f "$out/$name.pcap"
		echo "seed_packet: $f: skipped" >&2
	fi
	case $f in
	*.pcapng) [ "$(wc -c <"$f")" -lt 16384 ] && cp "$f" "$out/$name.pcapng" ;;
	esac
done
exit 0
