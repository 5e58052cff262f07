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

#include "capture/source.h"
#include "core/limits.h"
#include "engine/engine.h"
#include "output/output.h"

#define MISROUTE_VERSION "0.1.0"
#define MAX_FILES 4096
#define MAX_OUTPUTS 16

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
		"  -o, --output SPEC        '-' (stdout, default) or a file path, appended (repeatable)\n"
		"      --log-events         also write one record per observation, not only incidents\n"
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
};

/* Fills o from argv; returns 0, 1 when the run is over (--help, --version), 2 on bad usage. */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "read", required_argument, NULL, 'r' },
		{ "interface", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
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
	while ((c = getopt_long(argc, argv, "r:i:o:f:s:B:ph", longopts, NULL)) != -1) {
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
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Serves SIGHUP and SIGUSR1 between packets. */
static void handle_requests(struct engine *e, struct output *out, struct source *src)
{
	if (reopen_requested) {
		reopen_requested = 0;
		char err[512];
		if (output_reopen(out, err, sizeof err) < 0)
			fprintf(stderr, "misroute: %s\n", err);
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
		      unsigned stats_interval)
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
		else if (rc == -2) {
			fprintf(stderr, "misroute: %s\n", err);
			return -1;
		}
		if (next_metric && time(NULL) >= next_metric) {
			metric_requested = 1;
			next_metric = time(NULL) + stats_interval;
		}
		if (reopen_requested || metric_requested)
			handle_requests(e, out, src);
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

	char err[512];
	struct output *out = output_open(o.outputs, o.n_outputs, err, sizeof err);
	if (!out) {
		fprintf(stderr, "misroute: %s\n", err);
		return 2;
	}
	struct engine *e = engine_new(&o.engine, out, err, sizeof err);
	if (!e) {
		fprintf(stderr, "misroute: %s\n", err);
		output_close(out, NULL, 0);
		return 1;
	}
	install_signals();

	int status = 0;
	struct capture_counters cc = { 0 };
	if (o.live.iface) {
		struct source *src = source_open_live(&o.live, o.filter, err, sizeof err);
		if (!src) {
			fprintf(stderr, "misroute: %s\n", err);
			status = 1;
		} else {
			if (run_source(e, out, src, o.stats_interval) < 0)
				status = 1;
			cc.valid = source_stats(src, &cc.received, &cc.dropped, &cc.ifdropped);
			source_close(src);
		}
	} else {
		for (size_t i = 0; i < o.n_files && !stop_requested; i++) {
			struct source *src = source_open_file(o.files[i], o.filter, err, sizeof err);
			if (!src) {
				fprintf(stderr, "misroute: %s\n", err);
				status = 1;
				continue;
			}
			if (run_source(e, out, src, 0) < 0)
				status = 1;
			source_close(src);
		}
	}
	engine_finish(e);
	engine_metric(e, &cc, true);
	engine_free(e);
	if (output_close(out, err, sizeof err) < 0) {
		fprintf(stderr, "misroute: %s\n", err);
		status = 1;
	}
	return status;
}
