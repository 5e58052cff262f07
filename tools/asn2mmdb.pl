#!/usr/bin/perl
# asn2mmdb.pl OUT.mmdb IN.csv...: builds a GeoLite2-ASN-shaped MaxMind DB (fields
# autonomous_system_number, autonomous_system_organization) from ip-location-db ASN CSV files
# (start,end,asn,organisation) with Debian's libmaxmind-db-writer-perl and libnet-works-perl.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;
use Net::Works::Network;
use Text::ParseWords qw(parse_line);

my ($out, @in) = @ARGV;
die "usage: asn2mmdb.pl OUT.mmdb IN.csv...\n" unless $out && @in;

my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version            => 6,
	record_size           => 28,
	database_type         => 'misroute-ASN',
	languages             => ['en'],
	description           => { en => 'ASN from ip-location-db (RouteViews, DB-IP; CC-BY-4.0)' },
	map_key_type_callback => sub { $_[0] eq 'autonomous_system_number' ? 'uint32' : 'utf8_string' },
	remove_reserved_networks => 0,
);
my $n = 0;
for my $file (@in) {
	open(my $fh, '<:encoding(UTF-8)', $file) or die "$file: $!\n";
	while (my $line = <$fh>) {
		chomp $line;
		my ($start, $end, $asn, $org) = parse_line(',', 0, $line);
		next unless defined $asn && $asn =~ /^\d+$/;
		for my $net (Net::Works::Network->range_as_subnets($start, $end)) {
			$tree->insert_network($net, {
				autonomous_system_number       => $asn + 0,
				autonomous_system_organization => $org // '',
			});
		}
		$n++;
	}
	close $fh;
}
open(my $oh, '>:raw', $out) or die "$out: $!\n";
$tree->write_tree($oh);
close $oh;
print STDERR "asn2mmdb: $n ranges -> $out\n";
