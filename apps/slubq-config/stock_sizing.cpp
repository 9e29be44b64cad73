/* SPDX-License-Identifier: BSD-3-Clause */
// slubq-config size FILE --app testpmd|l2fwd|generic: the mbuf pool a
// stock application needs on the slubq driver under SLUBQ_CONFIG=FILE, and
// the command-line arguments that give it (docs/config.md, "Sizing a
// stock application").
//
// Every place an object can sit where the allocating lcore cannot take it
// is counted full at once: rx and tx rings, every lcore's slubq queue and
// rte_mempool cache (1.5 x its size before it flushes), a burst in flight
// per lcore, every node's shared queue, every alien queue. A pool of that
// many objects (plus the headroom) never runs dry with every queue full.
// String concatenation: GCC 12 at -O3 reports overlaps that cannot
// happen (GCC PR 105329), as in the configuration layer.
#pragma GCC diagnostic ignored "-Wrestrict"

#include "stock_sizing.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>
#include <slubq_defaults.h>

namespace {

struct terms {
	std::uint64_t rx = 0, tx = 0, queues = 0, bursts = 0, shared = 0, alien = 0;
	std::uint64_t need() const { return rx + tx + queues + bursts + shared + alien; }
};

struct inputs {
	unsigned sockets, lcores, ports;
	std::uint32_t rxq, txq, rxd, txd, burst, headroom;
	std::uint32_t mbcache;
	// From the rule (or the driver's defaults).
	std::uint32_t queue;
	bool queue_from_rule, shared_from_rule;
	std::uint32_t shared, alien;
	bool no_alien;
};

terms compute(const inputs &in, std::uint32_t queue)
{
	terms t;
	t.rx = std::uint64_t(in.ports) * in.rxq * in.rxd;
	t.tx = std::uint64_t(in.ports) * in.txq * in.txd;
	t.queues = std::uint64_t(in.lcores) * (queue + (3ull * in.mbcache) / 2);
	t.bursts = std::uint64_t(in.lcores) * in.burst;
	std::uint32_t shared = in.shared_from_rule ? in.shared : slubq_auto_shared(queue);
	t.shared = std::uint64_t(in.sockets) * shared;
	if (in.sockets > 1 && !in.no_alien)
		t.alien = std::uint64_t(in.sockets) * (in.sockets - 1) * in.alien;
	return t;
}

std::uint64_t with_headroom(std::uint64_t need, std::uint32_t pct) { return (need * (100 + pct) + 99) / 100; }

std::string lcore_list(const slubq_config_sizing &sz)
{
	std::string s;
	for (unsigned i = 0; i < sz.nr_lcores; i++)
		s += (i ? "," : "") + std::to_string(sz.lcores[i]);
	return s;
}

void print_terms(const inputs &in, const terms &t, std::uint32_t queue)
{
	std::uint32_t shared = in.shared_from_rule ? in.shared : slubq_auto_shared(queue);
	std::printf("  rx rings      %10" PRIu64 "  = %u port(s) x %u rx queue(s) x %u descriptors\n", t.rx, in.ports,
		    in.rxq, in.rxd);
	std::printf("  tx rings      %10" PRIu64 "  = %u port(s) x %u tx queue(s) x %u descriptors\n", t.tx, in.ports,
		    in.txq, in.txd);
	std::printf("  lcore queues  %10" PRIu64 "  = %u lcore(s) x (slubq queue %u + 1.5 x mempool cache %u)\n",
		    t.queues, in.lcores, queue, in.mbcache);
	std::printf("  bursts        %10" PRIu64 "  = %u lcore(s) x burst %u\n", t.bursts, in.lcores, in.burst);
	std::printf("  shared queues %10" PRIu64 "  = %u socket(s) x %u\n", t.shared, in.sockets, shared);
	if (in.sockets > 1 && !in.no_alien)
		std::printf("  alien queues  %10" PRIu64 "  = %u socket(s) x %u remote x %u\n", t.alien, in.sockets,
			    in.sockets - 1, in.alien);
	else
		std::printf("  alien queues  %10" PRIu64 "  (%s)\n", t.alien, in.no_alien ? "no_alien" : "one socket");
	std::printf("  need          %10" PRIu64 "\n", t.need());
}

} // namespace

int stock_size(const char *path, const slubq_config *cfg, const stock_options &opt)
{
	slubq_config_topology topo;
	slubq_config_topology_get(cfg, &topo);
	slubq_config_sizing sz;
	slubq_config_sizing_get(cfg, -1, &sz);

	inputs in{};
	in.sockets = topo.nr_sockets;
	in.lcores = sz.nr_lcores;
	in.ports = sz.nr_ports;
	in.burst = sz.burst;
	in.headroom = sz.headroom_pct;
	// Stock applications give every port the same queue and descriptor
	// counts: the largest of the file's.
	for (unsigned i = 0; i < sz.nr_ports; i++) {
		in.rxq = std::max(in.rxq, sz.port[i].rx_queues);
		in.txq = std::max(in.txq, sz.port[i].tx_queues);
		in.rxd = std::max(in.rxd, sz.port[i].rx_desc);
		in.txd = std::max(in.txd, sz.port[i].tx_desc);
	}
	std::string pool = opt.pool;
	bool l2fwd = opt.app == "l2fwd";
	if (opt.app == "testpmd") {
		if (pool.empty())
			pool = "mb_pool_0";
		in.mbcache = opt.mbcache < 0 ? 0 : std::uint32_t(opt.mbcache);
	} else if (l2fwd) {
		// l2fwd (DPDK 22.11 examples/l2fwd): pool "mbuf_pool", rte_mempool
		// cache 256, 1024 rx and tx descriptors, one rx and one tx queue
		// per port, bursts of 32; none of it is an option.
		if (pool.empty())
			pool = "mbuf_pool";
		in.mbcache = 256;
		in.rxq = in.txq = 1;
		in.rxd = in.txd = 1024;
		in.burst = 32;
	} else {
		if (pool.empty()) {
			std::fprintf(stderr, "slubq-config: --app generic needs --pool NAME (the mempool's name)\n");
			return 2;
		}
		in.mbcache = opt.mbcache < 0 ? 0 : std::uint32_t(opt.mbcache);
	}
	if (in.ports == 0) {
		std::fprintf(stderr, "slubq-config: %s: sizing.ports is empty: list the application's ports\n", path);
		return 1;
	}

	slubq_config_mempool_rule rule;
	int idx = slubq_config_mempool_rule_find(cfg, pool.c_str(), &rule);
	// The driver's own choices when a rule leaves them, at their largest
	// (a small pool's queue is capped lower).
	in.queue = slubq_mempool_queue_want(in.mbcache);
	in.alien = SLUBQ_DEFAULT_ALIEN_SIZE;
	if (idx >= 0) {
		if (rule.cfg.queue_size != 0) {
			in.queue = rule.cfg.queue_size == SLUBQ_QUEUE_OFF ? 0 : rule.cfg.queue_size;
			in.queue_from_rule = true;
		}
		if (rule.cfg.shared_size != 0) {
			in.shared = rule.cfg.shared_size;
			in.shared_from_rule = true;
		}
		if (rule.cfg.alien_size != 0)
			in.alien = rule.cfg.alien_size;
		in.no_alien = (rule.cfg.flags & SLUBQ_F_NO_ALIEN) != 0;
	}

	std::printf("%s: mbuf pool %s of %s: %u socket(s), %u lcore(s) (%s), %u port(s), headroom %u%%\n", path,
		    pool.c_str(), opt.app.c_str(), in.sockets, in.lcores, lcore_list(sz).c_str(), in.ports, in.headroom);
	if (idx >= 0)
		std::printf("  rule %s (line %u): match '%s': %s\n", rule.origin.rule, rule.origin.line, rule.origin.match,
			    rule.origin.settings[0] ? rule.origin.settings : "(nothing set)");
	else
		std::printf("  no mempools: rule matches '%s': the driver's defaults\n", pool.c_str());
	if (!in.queue_from_rule)
		std::printf("  slubq queue %u: the driver's largest default with mempool cache %u\n", in.queue, in.mbcache);
	terms t = compute(in, in.queue);
	print_terms(in, t, in.queue);
	std::uint64_t count = with_headroom(t.need(), in.headroom);
	std::printf("  count         %10" PRIu64 "  (need + %u%% headroom)\n", count, in.headroom);

	std::string portmask = "0x" + [&] {
		char b[32];
		std::snprintf(b, sizeof(b), "%llx", (1ull << std::min(in.ports, 63u)) - 1);
		return std::string(b);
	}();
	if (opt.app == "testpmd") {
		std::printf("testpmd: SLUBQ_CONFIG=%s dpdk-testpmd -l %s -d librte_mempool_slubq.so "
			    "--mbuf-pool-ops-name slubq -- --total-num-mbufs=%" PRIu64 " --mbcache=%u --rxq=%u --txq=%u "
			    "--rxd=%u --txd=%u --burst=%u\n",
			    path, lcore_list(sz).c_str(), count, in.mbcache, in.rxq, in.txq, in.rxd, in.txd, in.burst);
		if (topo.nr_sockets > 1)
			std::printf("  (testpmd gives each socket's pool the same --total-num-mbufs; on a simulated "
				    "topology all lcores share one real socket's pool)\n");
		return 0;
	}
	if (l2fwd) {
		// l2fwd counts its lcores with rx ports; at most one per port.
		unsigned rx_lcores = std::min(in.lcores, in.ports);
		std::uint64_t own = std::max<std::uint64_t>(
			std::uint64_t(in.ports) * (1024 + 1024 + 32 + std::uint64_t(rx_lcores) * 256), 8192);
		std::printf("l2fwd: SLUBQ_CONFIG=%s ./l2fwd -l %s -d librte_mempool_slubq.so --mbuf-pool-ops-name slubq "
			    "-- -p %s\n",
			    path, lcore_list(sz).c_str(), portmask.c_str());
		std::printf("  l2fwd creates %" PRIu64 " mbufs itself (max(ports x (rxd + txd + burst + lcores x 256), "
			    "8192); no option changes it)\n",
			    own);
		if (t.need() <= own) {
			std::printf("  enough: %" PRIu64 " >= need %" PRIu64 "\n", own, t.need());
			return 0;
		}
		// The largest slubq queue that fits what l2fwd creates.
		std::int64_t fit = -1;
		for (std::int64_t q = SLUBQ_MAX_QUEUE; q >= 0; q--)
			if (compute(in, std::uint32_t(q)).need() <= own) {
				fit = q;
				break;
			}
		if (fit >= 0)
			std::printf("  runs dry: need %" PRIu64 " > %" PRIu64 "; set queue_size: %" PRId64
				    " (or less) in the rule for %s\n",
				    t.need(), own, fit, pool.c_str());
		else
			std::printf("  runs dry: need %" PRIu64 " > %" PRIu64 " even without lcore queues; fewer "
				    "lcores, ports or shared/alien queues\n",
				    t.need(), own);
		return 0;
	}
	std::printf("generic: rte_pktmbuf_pool_create(\"%s\", %" PRIu64 ", %u, priv_size, data_room, socket) "
		    "on the slubq driver (SLUBQ_CONFIG=%s)\n",
		    pool.c_str(), count, in.mbcache, path);
	return 0;
}
