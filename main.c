/* main.c: the command line, wiring and signals of misroute — the only place that exits. */
#include <errno.h>
#include <gcrypt.h>
#include <jansson.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/source.h"
#include "core/limits.h"
#include "engine/engine.h"
#include "enrich/geo.h"
#include "output/output.h"
#include "rules/rules.h"
#include "rules/suffix.h"

#define MISROUTE_VERSION "0.1.0"
#define MAX_FILES 4096
#define MAX_OUTPUTS 16
#define MAX_RULE_FILES 64
#ifndef MISROUTE_DATADIR
#define MISROUTE_DATADIR "/usr/local/share/misroute"
#endif

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reopen_requested;
static volatile sig_atomic_t metric_requested;

static void on_stop(int sig) { (void)sig; stop_requested = 1; }
static void on_hup(int sig) { (void)sig; reopen_requested = 1; }
static void on_usr1(int sig) { (void)sig; metric_requested = 1; }

struct options {
	const char *files[MAX_FILES];
	size_t n_files;
	const char *outputs[MAX_OUTPUTS];
	size_t n_outputs;
	const char *rule_files[MAX_RULE_FILES];
	size_t n_rule_files;
	bool check_rules;
	const char *geoip_city, *geoip_asn;
	const char *filter;
	struct live_opts live;
	unsigned stats_interval;   /* seconds between live metric records */
	struct engine_config engine;
};

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: misroute [options] -r FILE [-r FILE ...]   replay captures (pcap or pcapng; '-' is stdin)\n"
		"       misroute [options] -i IFACE                 live capture\n"
		"\n"
		"  -r, --read FILE          capture file to replay (repeatable, read in order)\n"
		"  -i, --interface IFACE    capture live from IFACE\n"
		"  -R, --rules FILE         rule file or Zeek Intel file (repeatable; default: the bundled\n"
		"                           default.rules); SIGHUP reloads them all\n"
		"      --check-rules        load and check the rule files, report every problem, exit\n"
		"      --geoip-city FILE    City or Country .mmdb (GeoLite2/GeoIP2, DB-IP lite; default: found\n"
		"                           in /usr/share/GeoIP or /var/lib/GeoIP, see make geoip)\n"
		"      --geoip-asn FILE     ASN .mmdb (default: found in the same places)\n"
		"  -o, --output SPEC        '-' (stdout), a file (appended), syslog://HOST:PORT (RFC 5424\n"
		"                           over TCP), syslog+udp://HOST:PORT, redis://HOST:PORT/KEY (RPUSH),\n"
		"                           redis+stream://HOST:PORT/KEY (XADD); repeatable\n"
		"      --log-events         also write one record per observation, not only incidents\n"
		"      --context-window S   an autodiscover lookup keeps its client suspect S seconds (600)\n"
		"      --alert-window S     repeats of an incident within S seconds are one record (600)\n"
		"  -f, --filter BPF         capture filter (pcap-filter syntax)\n"
		"  -s, --snaplen N          live: bytes kept per packet (default 65535)\n"
		"  -B, --buffer-size MIB    live: kernel capture buffer (default 64)\n"
		"  -p, --no-promisc         live: do not put the interface in promiscuous mode\n"
		"      --stats-interval S   live: seconds between metric records (default 60, 0 = only at exit)\n"
		"      --max-flows N        flows tracked at once; the oldest is evicted (default %u)\n"
		"      --stream-depth BYTES TCP bytes reassembled per direction (default %u)\n"
		"      --reasm-memcap BYTES memory all TCP streams may hold (default %u)\n"
		"  -h, --help               this text\n"
		"      --version            the version\n"
		"\n"
		"Records are JSON lines with Elastic Common Schema names. Exit status: 0 success,\n"
		"1 runtime failure, 2 bad usage or configuration.\n",
		FLOW_DEFAULT_MAX, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
}

/* Parses a whole decimal number in [min, max]; false (after a message) otherwise. */
static bool parse_number(const char *opt, const char *s, unsigned long long min,
			 unsigned long long max, unsigned long long *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
		fprintf(stderr, "misroute: %s: expected a number from %llu to %llu, got '%s'\n", opt,
			min, max, s);
		return false;
	}
	*out = v;
	return true;
}

enum {
	OPT_LOG_EVENTS = 256,
	OPT_VERSION,
	OPT_STATS_INTERVAL,
	OPT_MAX_FLOWS,
	OPT_STREAM_DEPTH,
	OPT_REASM_MEMCAP,
	OPT_CHECK_RULES,
	OPT_CONTEXT_WINDOW,
	OPT_ALERT_WINDOW,
	OPT_GEOIP_CITY,
	OPT_GEOIP_ASN,
};

/* Fills o from argv; returns 0, 1 when the run is over (--help, --version), 2 on bad usage. */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "read", required_argument, NULL, 'r' },
		{ "interface", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "rules", required_argument, NULL, 'R' },
		{ "check-rules", no_argument, NULL, OPT_CHECK_RULES },
		{ "context-window", required_argument, NULL, OPT_CONTEXT_WINDOW },
		{ "alert-window", required_argument, NULL, OPT_ALERT_WINDOW },
		{ "geoip-city", required_argument, NULL, OPT_GEOIP_CITY },
		{ "geoip-asn", required_argument, NULL, OPT_GEOIP_ASN },
		{ "filter", required_argument, NULL, 'f' },
		{ "snaplen", required_argument, NULL, 's' },
		{ "buffer-size", required_argument, NULL, 'B' },
		{ "no-promisc", no_argument, NULL, 'p' },
		{ "log-events", no_argument, NULL, OPT_LOG_EVENTS },
		{ "stats-interval", required_argument, NULL, OPT_STATS_INTERVAL },
		{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
		{ "stream-depth", required_argument, NULL, OPT_STREAM_DEPTH },
		{ "reasm-memcap", required_argument, NULL, OPT_REASM_MEMCAP },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	int c;
	opterr = 0; /* one line of our own instead of getopt's */
	while ((c = getopt_long(argc, argv, "r:i:o:R:f:s:B:ph", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (o->n_files == MAX_FILES) {
				fprintf(stderr, "misroute: at most %d capture files\n", MAX_FILES);
				return 2;
			}
			o->files[o->n_files++] = optarg;
			break;
		case 'i':
			o->live.iface = optarg;
			break;
		case 'o':
			if (o->n_outputs == MAX_OUTPUTS) {
				fprintf(stderr, "misroute: at most %d outputs\n", MAX_OUTPUTS);
				return 2;
			}
			o->outputs[o->n_outputs++] = optarg;
			break;
		case 'R':
			if (o->n_rule_files == MAX_RULE_FILES) {
				fprintf(stderr, "misroute: at most %d rule files\n", MAX_RULE_FILES);
				return 2;
			}
			o->rule_files[o->n_rule_files++] = optarg;
			break;
		case OPT_CHECK_RULES:
			o->check_rules = true;
			break;
		case OPT_GEOIP_CITY:
			o->geoip_city = optarg;
			break;
		case OPT_GEOIP_ASN:
			o->geoip_asn = optarg;
			break;
		case OPT_CONTEXT_WINDOW:
			if (!parse_number("--context-window", optarg, 1, 86400, &v))
				return 2;
			o->engine.context_us = v * 1000000;
			break;
		case OPT_ALERT_WINDOW:
			if (!parse_number("--alert-window", optarg, 0, 86400, &v))
				return 2;
			o->engine.alert_window_us = v * 1000000;
			break;
		case 'f':
			o->filter = optarg;
			break;
		case 's':
			if (!parse_number("--snaplen", optarg, 64, 262144, &v))
				return 2;
			o->live.snaplen = (int)v;
			break;
		case 'B':
			if (!parse_number("--buffer-size", optarg, 1, 4096, &v))
				return 2;
			o->live.buffer_mib = (int)v;
			break;
		case 'p':
			o->live.promisc = false;
			break;
		case OPT_LOG_EVENTS:
			o->engine.log_events = true;
			break;
		case OPT_STATS_INTERVAL:
			if (!parse_number("--stats-interval", optarg, 0, 86400, &v))
				return 2;
			o->stats_interval = (unsigned)v;
			break;
		case OPT_MAX_FLOWS:
			if (!parse_number("--max-flows", optarg, 1, 1u << 30, &v))
				return 2;
			o->engine.max_flows = (uint32_t)v;
			break;
		case OPT_STREAM_DEPTH:
			if (!parse_number("--stream-depth", optarg, 0, 1ull << 30, &v))
				return 2;
			o->engine.stream_depth = (size_t)v;
			break;
		case OPT_REASM_MEMCAP:
			if (!parse_number("--reasm-memcap", optarg, 0, 1ull << 40, &v))
				return 2;
			o->engine.reasm_memcap = (size_t)v;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case OPT_VERSION:
			printf("misroute %s\n", MISROUTE_VERSION);
			return 1;
		default:
			fprintf(stderr, "misroute: bad option or missing argument '%s' (see --help)\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "misroute: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (o->check_rules)
		return 0;
	if ((o->n_files > 0) == (o->live.iface != NULL)) {
		fprintf(stderr, "misroute: give either -r FILE or -i IFACE (see --help)\n");
		return 2;
	}
	return 0;
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	/* SIGINT/SIGTERM may interrupt a read that waits on a quiet pipe: the loop then sees the
	 * stop request. The others must not fail the read under way (libpcap reports EINTR as an
	 * error): their handlers only set flags that the loop looks at between packets. */
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* The bundled default.rules: beside the build (build/ or build/san/ below the source tree),
 * else where `make install` put it. */
static const char *default_rules_path(char *buf, size_t size)
{
	char exe[4000];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		static const char *const up[] = { "/../rules/default.rules", "/../../rules/default.rules" };
		for (size_t i = 0; i < sizeof up / sizeof up[0]; i++) {
			snprintf(buf, size, "%s%s", exe, up[i]);
			if (access(buf, R_OK) == 0)
				return buf;
		}
	}
	snprintf(buf, size, "%s/default.rules", MISROUTE_DATADIR);
	return buf;
}

/* Loads the rule files; every problem goes to stderr as FILE:LINE: reason. NULL on errors. */
static struct ruleset *load_rules(const struct options *o, struct rules_diag *diag)
{
	memset(diag, 0, sizeof *diag);
	struct ruleset *rs = rules_load(o->rule_files, o->n_rule_files, diag);
	for (unsigned i = 0; i < diag->n; i++)
		fprintf(stderr, "%s\n", diag->msg[i]);
	unsigned untold = diag->errors + diag->warnings - diag->n;
	if (untold)
		fprintf(stderr, "misroute: %u more problems not shown\n", untold);
	return rs;
}

/* --check-rules: exit 0 only for a set without a single problem, duplicates included. */
static int check_rules(const struct options *o)
{
	struct rules_diag diag;
	struct ruleset *rs = load_rules(o, &diag);
	printf("%zu rules: %u errors, %u warnings\n", rs ? rules_count(rs) : 0, diag.errors,
	       diag.warnings);
	rules_free(rs);
	return rs && diag.warnings == 0 ? 0 : 2;
}

/* SIGHUP: a new rule set replaces the old one only when it loads whole; either way a record
 * says what happened. */
static void reload_rules(struct engine *e, const struct options *o, struct ruleset **rules)
{
	struct rules_diag diag;
	struct ruleset *rs = load_rules(o, &diag);
	char msg[600];
	if (!rs) {
		snprintf(msg, sizeof msg, "rules not reloaded, the old set stays: %s",
			 diag.n ? diag.msg[0] : "error");
		engine_notice(e, true, msg);
		return;
	}
	engine_set_rules(e, rs);
	rules_free(*rules);
	*rules = rs;
	snprintf(msg, sizeof msg, "rules reloaded: %zu rules", rules_count(rs));
	engine_notice(e, false, msg);
}

/* Serves SIGHUP and SIGUSR1 between packets. */
static void handle_requests(struct engine *e, struct output *out, struct source *src,
			    const struct options *o, struct ruleset **rules)
{
	if (reopen_requested) {
		reopen_requested = 0;
		char err[512];
		if (output_reopen(out, err, sizeof err) < 0)
			fprintf(stderr, "misroute: %s\n", err);
		reload_rules(e, o, rules);
	}
	if (metric_requested) {
		metric_requested = 0;
		struct capture_counters cc = { 0 };
		if (src)
			cc.valid = source_stats(src, &cc.received, &cc.dropped, &cc.ifdropped);
		engine_metric(e, &cc, false);
	}
}

/* Replays one source to its end (or a stop request); returns 0, or -1 after reporting a read
 * error (a truncated or corrupt file): what was read before it is kept. */
static int run_source(struct engine *e, struct output *out, struct source *src,
		      unsigned stats_interval, const struct options *o, struct ruleset **rules)
{
	int dlt = source_datalink(src);
	time_t next_metric = stats_interval ? time(NULL) + stats_interval : 0;
	char err[512];
	while (!stop_requested) {
		const uint8_t *data;
		size_t caplen;
		uint32_t wirelen;
		uint64_t ts_us;
		int rc = source_next(src, &data, &caplen, &wirelen, &ts_us, err, sizeof err);
		if (rc == 1)
			engine_packet(e, dlt, data, caplen, wirelen, ts_us);
		else if (rc == -1)
			return 0;
		else if (rc == -2 && stop_requested)
			return 0; /* the read was interrupted to stop */
		else if (rc == -2) {
			fprintf(stderr, "misroute: %s\n", err);
			return -1;
		}
		if (next_metric && time(NULL) >= next_metric) {
			metric_requested = 1;
			next_metric = time(NULL) + stats_interval;
		}
		if (reopen_requested || metric_requested)
			handle_requests(e, out, src, o, rules);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	memset(&o, 0, sizeof o);
	o.live.snaplen = 65535;
	o.live.buffer_mib = 64;
	o.live.promisc = true;
	o.live.timeout_ms = 100;
	o.stats_interval = 60;
	engine_config_defaults(&o.engine);

	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc == 1 ? 0 : 2;
	/* Libraries that want one call before any use (and before any thread): libgcrypt for
	 * the Community ID, JA3 and QUIC keys; jansson seeds its hash tables. */
	gcry_check_version(NULL);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	json_object_seed(0);

	char default_rules[4200];
	if (o.n_rule_files == 0)
		o.rule_files[o.n_rule_files++] = default_rules_path(default_rules, sizeof default_rules);
	if (o.check_rules)
		return check_rules(&o);
	if (suffix_init() < 0) {
		fprintf(stderr, "misroute: no public suffix list (install Debian's publicsuffix)\n");
		return 2;
	}
	struct rules_diag diag;
	struct ruleset *rules = load_rules(&o, &diag);
	if (!rules)
		return 2;

	char err[512];
	struct output *out = output_open(o.outputs, o.n_outputs, err, sizeof err);
	if (!out) {
		fprintf(stderr, "misroute: %s\n", err);
		rules_free(rules);
		suffix_free();
		return 2;
	}
	struct engine *e = engine_new(&o.engine, rules, out, err, sizeof err);
	if (!e) {
		fprintf(stderr, "misroute: %s\n", err);
		output_close(out, NULL, 0);
		rules_free(rules);
		suffix_free();
		return 1;
	}
	/* A missing or broken database never stops misroute: the metric record says why. */
	struct geo *geo = geo_open(o.geoip_city, o.geoip_asn);
	engine_set_geo(e, geo);
	install_signals();

	int status = 0;
	struct capture_counters cc = { 0 };
	if (o.live.iface) {
		struct source *src = source_open_live(&o.live, o.filter, err, sizeof err);
		if (!src) {
			fprintf(stderr, "misroute: %s\n", err);
			status = 1;
		} else {
			if (run_source(e, out, src, o.stats_interval, &o, &rules) < 0)
				status = 1;
			cc.valid = source_stats(src, &cc.received, &cc.dropped, &cc.ifdropped);
			source_close(src);
		}
	} else {
		for (size_t i = 0; i < o.n_files && !stop_requested; i++) {
			struct source *src = source_open_file(o.files[i], o.filter, err, sizeof err);
			if (!src && stop_requested)
				break; /* interrupted while waiting for the file's header */
			if (!src) {
				fprintf(stderr, "misroute: %s\n", err);
				status = 1;
				continue;
			}
			if (run_source(e, out, src, 0, &o, &rules) < 0)
				status = 1;
			source_close(src);
		}
	}
	engine_finish(e);
	engine_metric(e, &cc, true);
	engine_free(e);
	geo_close(geo);
	rules_free(rules);
	suffix_free();
	if (output_close(out, err, sizeof err) < 0) {
		fprintf(stderr, "misroute: %s\n", err);
		status = 1;
	}
	return status;
}
