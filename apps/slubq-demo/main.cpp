/* SPDX-License-Identifier: BSD-3-Clause */
// slubq-demo: the engine at work without a NIC. One lcore allocates bursts
// of objects and hands them through an rte_ring to another lcore, which
// frees them (on a simulated second socket with --sockets 2, so the alien
// queues carry them home). Prints statistics each second, then checks that
// every object came back.
#include <atomic>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <getopt.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_ring.h>
#include "slubq.hpp"

namespace {

std::atomic<bool> stop{false};
std::atomic<bool> producer_done{false};
slubq_cache *cache;
rte_ring *ring;
constexpr unsigned burst = 32;

int producer(void *)
{
	void *objs[burst];
	while (!stop.load(std::memory_order_relaxed)) {
		if (slubq::alloc(cache, objs, burst) != 0)
			continue;
		unsigned sent = rte_ring_enqueue_burst(ring, objs, burst, nullptr);
		if (sent < burst)
			slubq::free(cache, objs + sent, burst - sent);
	}
	return 0;
}

int consumer(void *)
{
	void *objs[burst];
	for (;;) {
		// Read the flag before dequeuing: an empty ring after the producer
		// finished means nothing is left in flight.
		bool done = producer_done.load(std::memory_order_acquire);
		unsigned n = rte_ring_dequeue_burst(ring, objs, burst, nullptr);
		if (n)
			slubq::free(cache, objs, n);
		else if (done)
			break;
	}
	return 0;
}

void usage(const char *prog)
{
	std::printf("usage: %s [EAL options] -- [--seconds N] [--sockets N] [--size BYTES]\n", prog);
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
	unsigned seconds = 5, sockets = 2, size = 64;
	static const option opts[] = {{"seconds", required_argument, nullptr, 's'},
				      {"sockets", required_argument, nullptr, 'n'},
				      {"size", required_argument, nullptr, 'z'},
				      {"help", no_argument, nullptr, 'h'},
				      {nullptr, 0, nullptr, 0}};
	for (int o; (o = getopt_long(argc, argv, "", opts, nullptr)) != -1;) {
		switch (o) {
		case 's': seconds = unsigned(std::atoi(optarg)); break;
		case 'n': sockets = unsigned(std::atoi(optarg)); break;
		case 'z': size = unsigned(std::atoi(optarg)); break;
		default: usage(argv[0]); return 2;
		}
	}
	unsigned workers[2], nw = 0, lc;
	RTE_LCORE_FOREACH_WORKER(lc)
	if (nw < 2)
		workers[nw++] = lc;
	if (nw < 2) {
		std::fprintf(stderr, "needs 3 lcores (e.g. --lcores=0-2@0-1)\n");
		return 2;
	}
	std::signal(SIGINT, [](int) { stop = true; });
	std::signal(SIGTERM, [](int) { stop = true; });
	if (sockets > 1) {
		// producer on socket 0, consumer on the last socket
		int map[RTE_MAX_LCORE] = {};
		map[workers[1]] = int(sockets - 1);
		slubq_topology_simulate(sockets, map);
	}
	slubq_cache_params p;
	slubq_cache_params_init(&p);
	p.name = "demo";
	p.obj_size = size;
	cache = slubq_cache_create(&p);
	ring = rte_ring_create("demo_ring", 4096, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (cache == nullptr || ring == nullptr) {
		std::fprintf(stderr, "setup failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	std::printf("slubq-demo: %u-byte objects, producer lcore %u (socket 0) -> consumer lcore %u (socket %u), %u s\n",
		    size, workers[0], workers[1], sockets > 1 ? sockets - 1 : 0, seconds);
	rte_eal_remote_launch(producer, nullptr, workers[0]);
	rte_eal_remote_launch(consumer, nullptr, workers[1]);
	slubq_stats prev{};
	for (unsigned s = 0; s < seconds && !stop; s++) {
		rte_delay_us_sleep(1000 * 1000);
		slubq_stats st;
		slubq_cache_stats(cache, -1, &st);
		slubq_cache_info info;
		slubq_cache_get_info(cache, &info);
		std::printf("[%2us] alloc %6.2f Mobj/s  free %6.2f Mobj/s  alien sent %6.2f M/s  objects %" PRIu64
			    "  in use %" PRIu64 "  memory %.1f MiB\n",
			    s + 1, double(st.alloc_fast + st.alloc_slow - prev.alloc_fast - prev.alloc_slow) / 1e6,
			    double(st.free_fast + st.free_slow - prev.free_fast - prev.free_slow) / 1e6,
			    double(st.alien_sent - prev.alien_sent) / 1e6, info.total, info.total - info.available,
			    double(info.mem_bytes) / (1 << 20));
		prev = st;
	}
	stop = true;
	rte_eal_wait_lcore(workers[0]);
	producer_done = true; // the consumer drains the ring, then stops
	rte_eal_mp_wait_lcore();
	for (unsigned l : workers) {
		slubq_stats st;
		slubq_cache_stats(cache, int(l), &st);
		std::printf("lcore %u: alloc %" PRIu64 "+%" PRIu64 " free %" PRIu64 "+%" PRIu64 " (fast+slow), refills %" PRIu64
			    ", flushes %" PRIu64 ", alien sent %" PRIu64 " in %" PRIu64 " batches\n",
			    l, st.alloc_fast, st.alloc_slow, st.free_fast, st.free_slow, st.refills, st.flushes,
			    st.alien_sent, st.alien_flushes);
	}
	slubq_cache_shrink(cache);
	char report[1024];
	int problems = slubq_cache_verify(cache, report, sizeof(report));
	std::uint64_t leaked = slubq_cache_total(cache) - slubq_cache_available(cache);
	std::printf("done: %" PRIu64 " objects leaked, verify: %s\n", leaked, problems ? report : "consistent");
	slubq_cache_destroy(cache);
	rte_ring_free(ring);
	rte_eal_cleanup();
	return leaked || problems ? 1 : 0;
}
