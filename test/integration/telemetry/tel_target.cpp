/* SPDX-License-Identifier: BSD-3-Clause */
// A small DPDK application for the telemetry tests: it creates a few slubq
// caches of every kind (elastic, fixed, an anonymous pair merged into one
// with an alias), keeps them busy at a gentle rate (the machine is shared),
// and runs until SIGINT/SIGTERM or --seconds. With --sockets 2 the worker
// lcore sits on a simulated second socket and the main lcore frees what it
// allocates, so the alien queues carry objects home.
//
//   slubq-tel-target [EAL options] -- [--sockets N] [--seconds S]
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <getopt.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include "slubq.hpp"

namespace {

std::atomic<bool> stop{false};
constexpr unsigned burst = 32;
// Pause between rounds: thousands of rounds a second, not a busy loop.
constexpr unsigned pause_us = 200;

struct caches {
	slubq_cache *flows;    // elastic, default tunables
	slubq_cache *sessions; // elastic, small queue: many refills and flushes
	slubq_cache *fixed;    // fixed source, populated from rte_malloc memory
	slubq_cache *anon[2];  // anonymous and compatible: merged, one alias
} cs;
rte_ring *handoff;

slubq_cache *make(const char *name, unsigned size, unsigned queue, slubq_source_kind src = SLUBQ_SOURCE_ELASTIC)
{
	slubq_cache_params p;
	slubq_cache_params_init(&p);
	p.name = name;
	p.obj_size = size;
	p.queue_size = queue;
	p.source = src;
	slubq_cache *c = slubq_cache_create(&p);
	if (c == nullptr)
		std::fprintf(stderr, "cannot create cache %s: %s\n", name ? name : "(anonymous)", rte_strerror(rte_errno));
	return c;
}

bool populate_fixed(slubq_cache *c, unsigned objs)
{
	slubq_cache_params p;
	slubq_cache_params_init(&p);
	p.obj_size = 256;
	p.source = SLUBQ_SOURCE_FIXED;
	std::size_t min_chunk = 0, align = 0;
	ssize_t len = slubq_cache_calc_mem_size(&p, objs, 0, &min_chunk, &align);
	void *mem = len > 0 ? rte_malloc("tel_fixed", std::size_t(len), unsigned(align)) : nullptr;
	if (mem == nullptr)
		return false;
	return slubq_cache_populate(c, mem, rte_malloc_virt2iova(mem), std::size_t(len), -1, objs, nullptr, nullptr) > 0;
}

// Allocate a varying number of objects, hold them for a moment, free them:
// mostly queue hits, sometimes refills and flushes.
void churn(slubq_cache *c, unsigned round, unsigned most)
{
	void *objs[512];
	unsigned n = 1 + (round * 37) % most;
	unsigned got = 0;
	while (got < n) {
		unsigned k = std::min(burst, n - got);
		if (slubq::alloc(c, objs + got, k) != 0)
			break;
		got += k;
	}
	slubq::free(c, objs, got);
}

int worker(void *)
{
	for (unsigned round = 0; !stop.load(std::memory_order_relaxed); round++) {
		churn(cs.flows, round, 512);
		churn(cs.sessions, round, 200);
		churn(cs.fixed, round, 64);
		churn(cs.anon[round & 1], round, 48);
		// Hand some objects to the main lcore, which frees them.
		void *objs[burst];
		if (slubq::alloc(cs.flows, objs, burst) == 0) {
			unsigned sent = rte_ring_enqueue_burst(handoff, objs, burst, nullptr);
			if (sent < burst)
				slubq::free(cs.flows, objs + sent, burst - sent);
		}
		rte_delay_us_sleep(pause_us);
	}
	return 0;
}

void drain_handoff()
{
	void *objs[burst];
	unsigned n;
	while ((n = rte_ring_dequeue_burst(handoff, objs, burst, nullptr)) > 0)
		slubq::free(cs.flows, objs, n);
}

} // namespace

int main(int argc, char **argv)
{
	int eal = rte_eal_init(argc, argv);
	if (eal < 0) {
		std::fprintf(stderr, "EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= eal;
	argv += eal;
	unsigned sockets = 1, seconds = 60;
	static const option opts[] = {{"sockets", required_argument, nullptr, 'n'},
				      {"seconds", required_argument, nullptr, 's'},
				      {nullptr, 0, nullptr, 0}};
	for (int o; (o = getopt_long(argc, argv, "", opts, nullptr)) != -1;) {
		switch (o) {
		case 'n': sockets = unsigned(std::atoi(optarg)); break;
		case 's': seconds = unsigned(std::atoi(optarg)); break;
		default:
			std::fprintf(stderr, "usage: slubq-tel-target [EAL] -- [--sockets N] [--seconds S]\n");
			return 2;
		}
	}
	unsigned wl = rte_get_next_lcore(-1, 1, 0);
	if (wl >= RTE_MAX_LCORE) {
		std::fprintf(stderr, "needs 2 lcores (e.g. -l 0-1)\n");
		return 2;
	}
	std::signal(SIGINT, [](int) { stop = true; });
	std::signal(SIGTERM, [](int) { stop = true; });
	if (sockets > 1) {
		int map[RTE_MAX_LCORE] = {};
		map[wl] = int(sockets - 1);
		slubq_topology_simulate(sockets, map);
	}
	cs.flows = make("tel_flows", 192, 0);
	cs.sessions = make("tel-sessions", 64, 128);
	cs.fixed = make("tel_fixed", 256, 64, SLUBQ_SOURCE_FIXED);
	cs.anon[0] = make(nullptr, 96, 0);
	cs.anon[1] = make(nullptr, 96, 0);
	handoff = rte_ring_create("tel_handoff", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (!cs.flows || !cs.sessions || !cs.fixed || !cs.anon[0] || !cs.anon[1] || !handoff ||
	    !populate_fixed(cs.fixed, 4096)) {
		std::fprintf(stderr, "setup failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	std::printf("slubq-tel-target: pid %d, worker lcore %u, %u socket(s), ready\n", int(getpid()), wl, sockets);
	std::fflush(stdout);
	rte_eal_remote_launch(worker, nullptr, wl);
	std::uint64_t end = rte_get_timer_cycles() + std::uint64_t(seconds) * rte_get_timer_hz();
	while (!stop && rte_get_timer_cycles() < end) {
		drain_handoff();
		rte_delay_us_sleep(pause_us);
	}
	stop = true;
	rte_eal_mp_wait_lcore();
	drain_handoff();
	rte_eal_cleanup();
	return 0;
}
