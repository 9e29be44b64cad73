/* SPDX-License-Identifier: BSD-3-Clause */
#include "options.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <getopt.h>

#include "engines.hpp"

namespace fwd {

void print_usage(const char *prog)
{
	std::printf(
		"usage: %s [EAL options] -- [options]\n"
		"  --config FILE.yaml       pools, caches and topology (default: config/default.yaml if present)\n"
		"  --forward-mode=MODE      %s (default io)\n"
		"  --nb-cores N             forwarding lcores (default: every worker lcore)\n"
		"  --rxq N, --txq N         queues per port (default 1)\n"
		"  --rxd N, --txd N         descriptors per queue (default 1024)\n"
		"  --burst N                packets per burst (default 32, at most %u)\n"
		"  --stats-period N         print statistics every N seconds\n"
		"  --duration N             forward N seconds, then stop and exit (not with -i or --cmd)\n"
		"  --tx-first               send a burst on every stream before forwarding\n"
		"  -i, --interactive        command prompt (DPDK cmdline)\n"
		"  --cmd \"C1; C2; ...\"      run commands, then exit (or go interactive with -i)\n"
		"  --pool-ops NAME          mempool driver of the mbuf pools (default slubq)\n"
		"  --mbcache N              rte_mempool per-lcore cache (default 0 for slubq, 250 otherwise)\n"
		"  --total-num-mbufs N      mbufs per pool (default: sized from ports, queues and lcores)\n"
		"  --mbuf-size N            mbuf data room in bytes\n"
		"  --txpkts N               txonly packet length (default 64)\n"
		"  --sockets N              simulate N sockets (pipeline: rx lcores and workers on different ones)\n"
		"  --ring-size N            pipeline ring size (default 1024)\n"
		"  --pipeline-action=tx|free  what pipeline workers do with packets (default tx)\n"
		"  --slubq-queue N, --slubq-batch N, --slubq-alien N   slubq tunables of the pool (over the YAML's)\n"
		"  -h, --help\n",
		prog, engine_names().c_str(), max_burst);
}

namespace {

// Strict unsigned parse: the whole string, in [lo, hi].
bool parse_num(const char *opt, const char *s, unsigned long lo, unsigned long hi, unsigned long &out)
{
	char *end = nullptr;
	errno = 0;
	unsigned long v = std::strtoul(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < lo || v > hi) {
		std::fprintf(stderr, "slubq-fwd: --%s: '%s' is not a number in [%lu, %lu]\n", opt, s, lo, hi);
		return false;
	}
	out = v;
	return true;
}

bool parse_seconds(const char *opt, const char *s, double &out)
{
	char *end = nullptr;
	double v = std::strtod(s, &end);
	if (end == s || *end != '\0' || !(v >= 0) || v > 1e7) {
		std::fprintf(stderr, "slubq-fwd: --%s: '%s' is not a number of seconds\n", opt, s);
		return false;
	}
	out = v;
	return true;
}

enum opt_id {
	OPT_CONFIG = 256, OPT_MODE, OPT_NB_CORES, OPT_RXQ, OPT_TXQ, OPT_RXD, OPT_TXD, OPT_BURST,
	OPT_STATS, OPT_DURATION, OPT_TX_FIRST, OPT_CMD, OPT_POOL_OPS, OPT_MBCACHE, OPT_NB_MBUFS,
	OPT_MBUF_SIZE, OPT_TXPKTS, OPT_SOCKETS, OPT_RING, OPT_PIPE_ACTION, OPT_SQ_QUEUE, OPT_SQ_BATCH,
	OPT_SQ_ALIEN,
};

const option long_opts[] = {
	{"config", required_argument, nullptr, OPT_CONFIG},
	{"forward-mode", required_argument, nullptr, OPT_MODE},
	{"nb-cores", required_argument, nullptr, OPT_NB_CORES},
	{"rxq", required_argument, nullptr, OPT_RXQ},
	{"txq", required_argument, nullptr, OPT_TXQ},
	{"rxd", required_argument, nullptr, OPT_RXD},
	{"txd", required_argument, nullptr, OPT_TXD},
	{"burst", required_argument, nullptr, OPT_BURST},
	{"stats-period", required_argument, nullptr, OPT_STATS},
	{"duration", required_argument, nullptr, OPT_DURATION},
	{"tx-first", no_argument, nullptr, OPT_TX_FIRST},
	{"interactive", no_argument, nullptr, 'i'},
	{"cmd", required_argument, nullptr, OPT_CMD},
	{"pool-ops", required_argument, nullptr, OPT_POOL_OPS},
	{"mbcache", required_argument, nullptr, OPT_MBCACHE},
	{"total-num-mbufs", required_argument, nullptr, OPT_NB_MBUFS},
	{"mbuf-size", required_argument, nullptr, OPT_MBUF_SIZE},
	{"txpkts", required_argument, nullptr, OPT_TXPKTS},
	{"sockets", required_argument, nullptr, OPT_SOCKETS},
	{"ring-size", required_argument, nullptr, OPT_RING},
	{"pipeline-action", required_argument, nullptr, OPT_PIPE_ACTION},
	{"slubq-queue", required_argument, nullptr, OPT_SQ_QUEUE},
	{"slubq-batch", required_argument, nullptr, OPT_SQ_BATCH},
	{"slubq-alien", required_argument, nullptr, OPT_SQ_ALIEN},
	{"help", no_argument, nullptr, 'h'},
	{nullptr, 0, nullptr, 0},
};

} // namespace

int parse_options(int argc, char **argv, options &o)
{
	optind = 1;
	opterr = 1;
	unsigned long v = 0;
	int idx = -1;
	for (int c; (c = getopt_long(argc, argv, "ih", long_opts, &idx)) != -1; idx = -1) {
		const char *name = idx >= 0 ? long_opts[idx].name : "";
		switch (c) {
		case OPT_CONFIG: o.config = optarg; o.config_given = true; break;
		case OPT_MODE:
			if (find_engine(optarg) == nullptr) {
				std::fprintf(stderr, "slubq-fwd: --forward-mode: unknown mode '%s' (one of: %s)\n", optarg,
					     engine_names().c_str());
				return -1;
			}
			o.forward_mode = optarg;
			break;
		case OPT_NB_CORES: if (!parse_num(name, optarg, 1, RTE_MAX_LCORE, v)) return -1; o.nb_cores = unsigned(v); break;
		case OPT_RXQ: if (!parse_num(name, optarg, 1, 1024, v)) return -1; o.nb_rxq = uint16_t(v); break;
		case OPT_TXQ: if (!parse_num(name, optarg, 1, 1024, v)) return -1; o.nb_txq = uint16_t(v); break;
		case OPT_RXD: if (!parse_num(name, optarg, 1, 65535, v)) return -1; o.nb_rxd = uint16_t(v); break;
		case OPT_TXD: if (!parse_num(name, optarg, 1, 65535, v)) return -1; o.nb_txd = uint16_t(v); break;
		case OPT_BURST: if (!parse_num(name, optarg, 1, max_burst, v)) return -1; o.burst = unsigned(v); break;
		case OPT_STATS: if (!parse_num(name, optarg, 0, 86400, v)) return -1; o.stats_period = unsigned(v); break;
		case OPT_DURATION: if (!parse_seconds(name, optarg, o.duration)) return -1; break;
		case OPT_TX_FIRST: o.tx_first = true; break;
		case 'i': o.interactive = true; break;
		case OPT_CMD: o.cmds = optarg; break;
		case OPT_POOL_OPS:
			if (optarg[0] == '\0') {
				std::fprintf(stderr, "slubq-fwd: --pool-ops: empty name\n");
				return -1;
			}
			o.pool_ops = optarg;
			break;
		case OPT_MBCACHE: if (!parse_num(name, optarg, 0, 512, v)) return -1; o.mbcache = int(v); break;
		case OPT_NB_MBUFS: if (!parse_num(name, optarg, 64, 1u << 28, v)) return -1; o.nb_mbufs = unsigned(v); break;
		case OPT_MBUF_SIZE: if (!parse_num(name, optarg, 256, 65535, v)) return -1; o.mbuf_size = uint16_t(v); break;
		case OPT_TXPKTS: if (!parse_num(name, optarg, 60, 1500, v)) return -1; o.txpkt_len = unsigned(v); break;
		case OPT_SOCKETS: if (!parse_num(name, optarg, 1, 8, v)) return -1; o.sockets = unsigned(v); break;
		case OPT_RING:
			if (!parse_num(name, optarg, 64, 1u << 20, v)) return -1;
			if ((v & (v - 1)) != 0) {
				std::fprintf(stderr, "slubq-fwd: --ring-size: %lu is not a power of two\n", v);
				return -1;
			}
			o.ring_size = unsigned(v);
			break;
		case OPT_PIPE_ACTION:
			if (std::strcmp(optarg, "tx") == 0) {
				o.pipeline_free = false;
			} else if (std::strcmp(optarg, "free") == 0) {
				o.pipeline_free = true;
			} else {
				std::fprintf(stderr, "slubq-fwd: --pipeline-action: '%s' is not tx or free\n", optarg);
				return -1;
			}
			break;
		case OPT_SQ_QUEUE: if (!parse_num(name, optarg, 1, 8192, v)) return -1; o.slubq_queue = uint32_t(v); break;
		case OPT_SQ_BATCH: if (!parse_num(name, optarg, 1, 8192, v)) return -1; o.slubq_batch = uint32_t(v); break;
		case OPT_SQ_ALIEN: if (!parse_num(name, optarg, 1, 8192, v)) return -1; o.slubq_alien = uint32_t(v); break;
		case 'h': print_usage(argv[0]); return 1;
		default: print_usage(argv[0]); return -1;
		}
	}
	if (optind < argc) {
		std::fprintf(stderr, "slubq-fwd: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (o.nb_txq < o.nb_rxq && o.forward_mode != "rxonly" && o.forward_mode != "pipeline") {
		std::fprintf(stderr, "slubq-fwd: --txq %u < --rxq %u: stream q transmits on tx queue q\n", o.nb_txq,
			     o.nb_rxq);
		return -1;
	}
	// The commands decide when forwarding stops: a duration would be ignored.
	if (o.duration > 0 && (o.interactive || !o.cmds.empty())) {
		std::fprintf(stderr, "slubq-fwd: --duration applies without -i and --cmd only (there, start, sleep N "
				     "and stop decide)\n");
		return -1;
	}
	if (o.slubq_queue != 0 && o.slubq_batch > o.slubq_queue) {
		std::fprintf(stderr, "slubq-fwd: --slubq-batch %u > --slubq-queue %u\n", o.slubq_batch, o.slubq_queue);
		return -1;
	}
	return 0;
}

} // namespace fwd
