/* main.c: the command line, wiring and signals of misroute — the only place that exits. */
#include <errno.h>
#include <gcrypt.h>
#include <jansson.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture/source.h"
#include "core/daemon.h"
#include "core/limits.h"
#include "engine/engine.h"
#include "engine/live.h"
#include "enrich/geo.h"
#include "output/output.h"
#include "output/summary.h"
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
	unsigned workers;          /* live: capture threads */
	int cpus[ENGINE_MAX_WORKERS];
	size_t n_cpus;
	unsigned drop_percent;
	unsigned stats_interval;   /* seconds between live metric records */
	const char *user, *group, *pidfile;
	bool quiet;
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
		"  -B, --buffer-size MIB    live: kernel ring buffer of each worker (default 64)\n"
		"  -p, --no-promisc         live: do not put the interface in promiscuous mode\n"
		"      --workers N          live: capture threads sharing the interface by AF_PACKET fanout,\n"
		"                           hashed by flow (default: one per core)\n"
		"      --cpu-affinity LIST  live: worker i runs on the i-th CPU of LIST (e.g. 2,3 or 2-5)\n"
		"      --drop-threshold P   live: incidents raised while a worker's capture lost more than\n"
		"                           P%% of its packets in the last second say so (default 1)\n"
		"      --stats-interval S   live: seconds between metric records (default 60, 0 = only at exit)\n"
		"  -u, --user USER          once the capture and outputs are open, become USER (and its group)\n"
		"  -g, --group GROUP        ... and GROUP; every capability is given up either way\n"
		"      --pidfile FILE       write the process id to FILE, locked while misroute runs\n"
		"  -q, --quiet              replay: no progress line and no summary on stderr\n"
		"      --max-flows N        flows tracked at once by each worker; the oldest is evicted\n"
		"                           (default %u)\n"
		"      --stream-depth BYTES TCP bytes reassembled per direction (default %u)\n"
		"      --reasm-memcap BYTES memory the TCP streams of each worker may hold (default %u)\n"
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
	OPT_WORKERS,
	OPT_CPU_AFFINITY,
	OPT_DROP_THRESHOLD,
	OPT_PIDFILE,
};

/* --cpu-affinity: a comma-separated list of CPUs and ranges ("0,2-3"). */
static bool parse_cpus(const char *s, struct options *o)
{
	const char *p = s;
	o->n_cpus = 0;
	while (*p) {
		char *end;
		errno = 0;
		long a = strtol(p, &end, 10), b = a;
		if (errno || end == p || a < 0 || a >= CPU_SETSIZE)
			goto bad;
		if (*end == '-') {
			p = end + 1;
			b = strtol(p, &end, 10);
			if (errno || end == p || b < a || b >= CPU_SETSIZE)
				goto bad;
		}
		for (long c = a; c <= b; c++) {
			if (o->n_cpus == ENGINE_MAX_WORKERS)
				goto bad;
			o->cpus[o->n_cpus++] = (int)c;
		}
		if (*end == ',' && end[1])
			end++;
		else if (*end)
			goto bad;
		p = end;
	}
	if (o->n_cpus)
		return true;
bad:
	fprintf(stderr, "misroute: --cpu-affinity: expected CPUs like 0,2-3 (at most %d), got '%s'\n",
		ENGINE_MAX_WORKERS, s);
	return false;
}

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
		{ "workers", required_argument, NULL, OPT_WORKERS },
		{ "cpu-affinity", required_argument, NULL, OPT_CPU_AFFINITY },
		{ "drop-threshold", required_argument, NULL, OPT_DROP_THRESHOLD },
		{ "user", required_argument, NULL, 'u' },
		{ "group", required_argument, NULL, 'g' },
		{ "pidfile", required_argument, NULL, OPT_PIDFILE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	int c;
	opterr = 0; /* one line of our own instead of getopt's */
	while ((c = getopt_long(argc, argv, "r:i:o:R:f:s:B:pu:g:qh", longopts, NULL)) != -1) {
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
		case OPT_WORKERS:
			if (!parse_number("--workers", optarg, 1, ENGINE_MAX_WORKERS, &v))
				return 2;
			o->workers = (unsigned)v;
			break;
		case OPT_CPU_AFFINITY:
			if (!parse_cpus(optarg, o))
				return 2;
			break;
		case OPT_DROP_THRESHOLD:
			if (!parse_number("--drop-threshold", optarg, 0, 100, &v))
				return 2;
			o->drop_percent = (unsigned)v;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'g':
			o->group = optarg;
			break;
		case OPT_PIDFILE:
			o->pidfile = optarg;
			break;
		case 'q':
			o->quiet = true;
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
static void reload_rules(struct engine_shared *sh, const struct options *o,
			 struct ruleset **rules)
{
	struct rules_diag diag;
	struct ruleset *rs = load_rules(o, &diag);
	char msg[600];
	if (!rs) {
		snprintf(msg, sizeof msg, "rules not reloaded, the old set stays: %s",
			 diag.n ? diag.msg[0] : "error");
		engine_notice(sh, true, msg);
		return;
	}
	engine_set_rules(sh, rs);
	rules_free(*rules);
	*rules = rs;
	snprintf(msg, sizeof msg, "rules reloaded: %zu rules", rules_count(rs));
	engine_notice(sh, false, msg);
}

/* What a run holds: the shared part, and either one replay engine or the live workers. */
struct run {
	const struct options *o;
	struct output *out;
	struct ruleset *rules;
	struct engine_shared *sh;
	struct engine *e;          /* replay */
	struct geo *geo;           /* replay */
	struct live *live;         /* live */
	struct summary *summary;   /* replay, unless --quiet */
};

static void write_metric(struct run *r, bool final)
{
	if (r->live)
		live_metric(r->live, final);
	else
		engine_metric(&r->e, 1, NULL, final);
}

/* Serves SIGHUP and SIGUSR1 between packets. */
static void handle_requests(struct run *r)
{
	if (reopen_requested) {
		reopen_requested = 0;
		char err[512];
		if (output_reopen(r->out, err, sizeof err) < 0)
			fprintf(stderr, "misroute: %s\n", err);
		reload_rules(r->sh, r->o, &r->rules);
	}
	if (metric_requested) {
		metric_requested = 0;
		write_metric(r, false);
	}
}

/* The progress line of a replay on a terminal: bytes of all files, rate, incidents. */
struct progress {
	bool on;
	uint64_t total, done;      /* bytes of every regular file; of the files finished */
	uint64_t packets;
	struct timespec start, last;
};

static double seconds_since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void progress_show(struct progress *p, struct run *r, struct source *src)
{
	clock_gettime(CLOCK_MONOTONIC, &p->last);
	double secs = seconds_since(&p->start);
	uint64_t at = p->done + source_position(src);
	char where[64] = "";
	if (p->total)
		snprintf(where, sizeof where, " of %.1f MB (%.0f%%)", (double)p->total / 1e6,
			 100.0 * (double)at / (double)p->total);
	fprintf(stderr, "\rmisroute: %.1f MB%s, %.0f packets/s, %llu incidents\033[K",
		(double)at / 1e6, where, secs > 0 ? (double)p->packets / secs : 0.0,
		(unsigned long long)engine_incidents(r->sh));
}

/* Replays one source to its end (or a stop request); returns 0, or -1 after reporting a read
 * error (a truncated or corrupt file): what was read before it is kept. */
static int run_source(struct run *r, struct source *src, struct progress *pg)
{
	int dlt = source_datalink(src);
	char err[512];
	while (!stop_requested) {
		const uint8_t *data;
		size_t caplen;
		uint32_t wirelen;
		uint64_t ts_us;
		int rc = source_next(src, &data, &caplen, &wirelen, &ts_us, err, sizeof err);
		if (rc == 1)
			engine_packet(r->e, dlt, data, caplen, wirelen, ts_us);
		else if (rc == -1)
			return 0;
		else if (rc == -2 && stop_requested)
			return 0; /* the read was interrupted to stop */
		else if (rc == -2) {
			fprintf(stderr, "%smisroute: %s\n", pg->on ? "\r\033[K" : "", err);
			return -1;
		}
		/* The first line after 4096 packets, then one every half second. */
		if (pg->on && (++pg->packets & 4095) == 0 &&
		    (pg->packets == 4096 || seconds_since(&pg->last) >= 0.5))
			progress_show(pg, r, src);
		if (reopen_requested || metric_requested)
			handle_requests(r);
	}
	return 0;
}

static int run_files(struct run *r)
{
	const struct options *o = r->o;
	struct progress pg = { .on = !o->quiet && isatty(STDERR_FILENO) };
	clock_gettime(CLOCK_MONOTONIC, &pg.start);
	pg.last = pg.start;
	for (size_t i = 0; i < o->n_files; i++) {
		struct stat sb;
		if (strcmp(o->files[i], "-") && stat(o->files[i], &sb) == 0 && S_ISREG(sb.st_mode))
			pg.total += (uint64_t)sb.st_size;
	}
	int status = 0;
	char err[512];
	for (size_t i = 0; i < o->n_files && !stop_requested; i++) {
		struct source *src = source_open_file(o->files[i], o->filter, err, sizeof err);
		if (!src && stop_requested)
			break; /* interrupted while waiting for the file's header */
		if (!src) {
			fprintf(stderr, "misroute: %s\n", err);
			status = 1;
			continue;
		}
		if (run_source(r, src, &pg) < 0)
			status = 1;
		pg.done += source_position(src);
		source_close(src);
	}
	if (pg.on)
		fprintf(stderr, "\r\033[K");
	engine_finish(r->e);
	engine_shared_finish(r->sh);
	return status;
}

/* Live: the workers capture; this thread serves signals, metric records and flushes. */
static int run_live(struct run *r)
{
	char err[512];
	if (live_start(r->live, err, sizeof err) < 0) {
		fprintf(stderr, "misroute: %s\n", err);
		live_stop(r->live);
		return 1;
	}
	unsigned interval = r->o->stats_interval;
	time_t next_metric = interval ? time(NULL) + interval : 0;
	int status = 0;
	while (!stop_requested) {
		struct timespec nap = { 0, 200 * 1000 * 1000 };
		nanosleep(&nap, NULL); /* a signal cuts it short */
		if (live_failed(r->live, err, sizeof err)) {
			fprintf(stderr, "misroute: %s\n", err);
			status = 1;
			break;
		}
		if (next_metric && time(NULL) >= next_metric) {
			metric_requested = 1;
			next_metric = time(NULL) + interval;
		}
		handle_requests(r);
		/* Records reach files and pipes within a fraction of a second, not a buffer later;
		 * a failing sink is reported when it closes. */
		output_flush(r->out, NULL, 0);
	}
	live_stop(r->live);
	return status;
}

/* Opens the capture side: the live workers, or one engine and its databases for a replay. */
static int open_capture(struct run *r, char *err, size_t errlen)
{
	const struct options *o = r->o;
	if (o->live.iface) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		struct live_config lc = {
			.capture = o->live,
			.filter = o->filter,
			.workers = o->workers ? o->workers
					      : (unsigned)(cores < 1 ? 1
							   : cores > ENGINE_MAX_WORKERS ? ENGINE_MAX_WORKERS
							   : cores),
			.cpus = o->cpus,
			.n_cpus = o->n_cpus,
			.drop_percent = o->drop_percent,
			.geoip_city = o->geoip_city,
			.geoip_asn = o->geoip_asn,
		};
		r->live = live_open(&lc, r->sh, err, errlen);
		return r->live ? 0 : -1;
	}
	r->e = engine_new_worker(r->sh, err, errlen);
	if (!r->e)
		return -1;
	/* A missing or broken database never stops misroute: the metric record says why. */
	r->geo = geo_open(o->geoip_city, o->geoip_asn);
	engine_set_geo(r->e, r->geo);
	if (!o->quiet) {
		r->summary = summary_new();
		engine_set_summary(r->sh, r->summary);
	}
	return 0;
}

static void close_run(struct run *r)
{
	live_close(r->live);
	engine_free(r->e);
	geo_close(r->geo);
	engine_shared_free(r->sh);
	summary_free(r->summary);
	rules_free(r->rules);
	suffix_free();
}

int main(int argc, char **argv)
{
	struct options o;
	memset(&o, 0, sizeof o);
	o.live.snaplen = 65535;
	o.live.buffer_mib = 64;
	o.live.promisc = true;
	o.live.timeout_ms = 10; /* a TPACKET_V3 block waits at most this long */
	o.stats_interval = 60;
	o.drop_percent = 1;
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
	struct run r = { .o = &o };
	struct rules_diag diag;
	r.rules = load_rules(&o, &diag);
	if (!r.rules) {
		suffix_free();
		return 2;
	}

	/* Everything that needs privileges first — the pidfile, the outputs, the capture — then
	 * none are kept; threads start only after that. */
	char err[512];
	int pidfd = -1;
	if (o.pidfile && (pidfd = pidfile_open(o.pidfile, err, sizeof err)) < 0) {
		fprintf(stderr, "misroute: %s\n", err);
		close_run(&r);
		return 2;
	}
	r.out = output_open(o.outputs, o.n_outputs, err, sizeof err);
	if (!r.out) {
		fprintf(stderr, "misroute: %s\n", err);
		close_run(&r);
		pidfile_close(pidfd, o.pidfile);
		return 2;
	}
	int status = 0;
	r.sh = engine_shared_new(&o.engine, r.rules, r.out, err, sizeof err);
	if (!r.sh || open_capture(&r, err, sizeof err) < 0)
		status = 1;
	else if (privs_drop(o.user, o.group, err, sizeof err) < 0)
		status = 2;
	else if (output_start(r.out, err, sizeof err) < 0)
		status = 1;
	if (status) {
		fprintf(stderr, "misroute: %s\n", err);
		close_run(&r);
		output_close(r.out, NULL, 0);
		pidfile_close(pidfd, o.pidfile);
		return status;
	}
	install_signals();

	status = r.live ? run_live(&r) : run_files(&r);
	write_metric(&r, true);
	if (r.summary)
		summary_print(r.summary, stderr);
	close_run(&r);
	if (output_close(r.out, err, sizeof err) < 0) {
		fprintf(stderr, "misroute: %s\n", err);
		status = 1;
	}
	pidfile_close(pidfd, o.pidfile);
	return status;
}
