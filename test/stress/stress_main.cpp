/* SPDX-License-Identifier: BSD-3-Clause */
// slubq-stress [EAL args --] [--duration S] [--lcores N] [--sockets S] [--memory-on S] [--debug] [--faults PPM]
//              [--reclaim] [--compact]
//
// A simulated machine of S sockets (default 2, at most 4): N lcores
// (default 8) mapped onto two CPUs (--lcores=(0-N-1)@(a,b)), split into S
// equal blocks, one per socket (with 4 sockets, every free to another
// lcore's socket goes through an alien buffer of one of three homes).
// Worker lcores allocate, stamp and pass objects through rings and free
// them (stress_worker.cpp); the main lcore changes queue, batch, shared and
// alien sizes and shrinks the cache every few milliseconds, and watches for
// progress. At the end: every object allocated was freed exactly once (no
// ID lost or seen twice), available == total, verify passes. Prints ops/s,
// lost, duplicated; exits 0 only when all hold.
//
// --reclaim: a fixed cache of few objects (allocations run dry), workers
// that stop using it for random spells (their queues parked) and start
// again, and the main lcore shrinking every step: objects keep coming back
// from parked queues while their owners start and stop. At the end the
// main lcore gets every object in one call (nothing stranded).
//
// --memory-on S: a fixed cache whose memory is all on logical socket S
// (a pool populated on the NIC's socket): the other sockets' lcores adopt
// it, fill their queues from it and keep what they free of it. At the end
// the main lcore gets every object in one call.
// --compact (with --reclaim): 13888-byte objects in a fixed cache told its
// count, whose 2 MiB slabs take the one-line compact header (151 objects
// each, slab/slab.hpp): the same checks on that layout.
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <sched.h>
#include <string>
#include <thread>
#include <vector>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_launch.h>
#include <rte_ring_elem.h>
#include <slubq_debug.h>
#include "eal_env.hpp"
#include "test_cache.hpp"
#include "stress.hpp"

using namespace stress;
using clock_type = std::chrono::steady_clock;

namespace {

struct options {
	double duration = 10;
	unsigned lcores = 8;
	unsigned sockets = 2;
	bool debug = false;
	unsigned faults_ppm = 0;
	bool reclaim = false;
	int memory_on = -1; // -1: elastic (or, with --reclaim, fixed on every socket)
	bool compact = false;
};

[[noreturn]] void usage(const char *prog)
{
	std::fprintf(stderr, "usage: %s [EAL args --] [--duration S] [--lcores N] [--sockets S] [--memory-on S] [--debug] "
		     "[--faults PPM] [--reclaim] [--compact]\n",
		     prog);
	std::exit(2);
}

options parse(int argc, char **argv, const char *prog)
{
	options o;
	for (int i = 0; i < argc; i++) {
		std::string a = argv[i];
		auto value = [&]() -> const char * {
			if (i + 1 >= argc)
				usage(prog);
			return argv[++i];
		};
		if (a == "--duration")
			o.duration = std::atof(value());
		else if (a == "--lcores")
			o.lcores = unsigned(std::atoi(value()));
		else if (a == "--sockets")
			o.sockets = unsigned(std::atoi(value()));
		else if (a == "--memory-on")
			o.memory_on = std::atoi(value());
		else if (a == "--debug")
			o.debug = true;
		else if (a == "--faults")
			o.faults_ppm = unsigned(std::atoi(value()));
		else if (a == "--reclaim")
			o.reclaim = true;
		else if (a == "--compact")
			o.compact = true;
		else
			usage(prog);
	}
	if (o.duration <= 0 || o.lcores < 3 || o.lcores > RTE_MAX_LCORE || o.faults_ppm > 1000000 || (o.compact && !o.reclaim) ||
	    o.sockets < 1 || o.sockets > 4 || o.sockets > o.lcores || o.memory_on < -1 || o.memory_on >= int(o.sockets))
		usage(prog);
	return o;
}

// "(0-7)@(0,1)": all lcores on the first two CPUs this process may use.
std::string lcore_map(unsigned lcores)
{
	cpu_set_t set;
	std::vector<int> cpus;
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (int c = 0; c < CPU_SETSIZE && cpus.size() < 2; c++)
			if (CPU_ISSET(c, &set))
				cpus.push_back(c);
	std::string where = cpus.size() >= 2 ? "(" + std::to_string(cpus[0]) + "," + std::to_string(cpus[1]) + ")"
			    : cpus.size() == 1 ? std::to_string(cpus[0])
					       : "0";
	return "(0-" + std::to_string(lcores - 1) + ")@" + where;
}

void start_eal(int argc, char **argv, options &o)
{
	int sep = -1;
	for (int i = 1; i < argc; i++)
		if (std::strcmp(argv[i], "--") == 0)
			sep = i;
	if (sep >= 0) { // the caller chose the EAL arguments
		argv[sep] = argv[0];
		o = parse(argc - sep - 1, argv + sep + 1, argv[0]);
		if (rte_eal_init(sep, argv) < 0) {
			std::fprintf(stderr, "rte_eal_init failed: %s\n", rte_strerror(rte_errno));
			std::exit(1);
		}
		return;
	}
	o = parse(argc - 1, argv + 1, argv[0]);
	slubq_test::eal_start(argv[0], lcore_map(o.lcores), 512);
}

// Objects of the --reclaim cache: fewer than the rings and queues can hold.
constexpr std::uint32_t reclaim_objects = 16384;
// Objects of a --memory-on cache without --reclaim: more than they hold.
constexpr std::uint32_t fixed_objects = 262144;

bool fixed_source(const options &o) { return o.reclaim || o.memory_on >= 0; }
constexpr std::uint32_t compact_objects = 2000; // 13 full slabs of 151 and a short one

slubq_cache *make_cache(const options &o, void **buf)
{
	slubq_cache_params p;
	slubq_cache_params_init(&p);
	p.name = o.debug ? "stress_debug" : "stress";
	p.obj_size = 64;
	p.flags = o.debug ? SLUBQ_F_DEBUG : 0;
	p.queue_size = 128;
	p.alien_size = 64;
	*buf = nullptr;
	if (fixed_source(o)) {
		p.source = SLUBQ_SOURCE_FIXED;
		if (o.compact) {
			p.obj_size = 13888;
			p.align = 64;
			p.expected_objs = compact_objects;
			return slubq_test::make_fixed(p, compact_objects, buf);
		}
		return slubq_test::make_fixed(p, o.reclaim ? reclaim_objects : fixed_objects, buf, o.memory_on);
	}
	return slubq_cache_create(&p);
}

// Fixed caches: every object at once, from the main lcore, then back.
bool all_gettable(slubq_cache *c)
{
	std::uint64_t total = slubq_cache_total(c);
	std::vector<void *> all(total);
	if (slubq_cache_alloc_bulk(c, all.data(), unsigned(total)) != 0)
		return false;
	slubq_cache_free_bulk(c, all.data(), unsigned(total));
	return true;
}

// The main lcore's job while workers run: retune and shrink at random.
struct controller {
	slubq_cache *c;
	std::mt19937 rng{12345};
	std::uint64_t changes = 0, shrinks = 0, set_errors = 0;

	void step()
	{
		static const std::uint32_t queue_sizes[] = {0, 1, 8, 32, 128, 512, 2048};
		static const std::uint32_t small_sizes[] = {0, 4, 16, 64, 256, 1024};
		int rc = 0;
		switch (rng() % 5) {
		case 0:
			rc = slubq_cache_set(c, SLUBQ_TUNE_QUEUE_SIZE, queue_sizes[rng() % RTE_DIM(queue_sizes)]);
			break;
		case 1: {
			std::uint64_t q = 0;
			slubq_cache_get(c, SLUBQ_TUNE_QUEUE_SIZE, &q);
			rc = slubq_cache_set(c, SLUBQ_TUNE_BATCH, 1 + rng() % std::max<std::uint64_t>(q, 1));
			break;
		}
		case 2:
			rc = slubq_cache_set(c, SLUBQ_TUNE_SHARED_SIZE, small_sizes[rng() % RTE_DIM(small_sizes)]);
			break;
		case 3:
			rc = slubq_cache_set(c, SLUBQ_TUNE_ALIEN_SIZE, small_sizes[rng() % RTE_DIM(small_sizes)]);
			break;
		default:
			slubq_cache_shrink(c);
			shrinks++;
			return;
		}
		if (rc != 0)
			set_errors++;
		changes++;
	}
};

std::uint64_t total_progress(const shared_state &sh)
{
	std::uint64_t n = 0;
	for (unsigned i = 0; i < sh.nr_workers; i++)
		n += sh.stats[sh.workers[i]].progress.load(std::memory_order_relaxed);
	return n;
}

bool all_finished(const shared_state &sh)
{
	for (unsigned i = 0; i < sh.nr_workers; i++)
		if (!sh.stats[sh.workers[i]].finished.load(std::memory_order_acquire))
			return false;
	return true;
}

// Stuck workers cannot be joined: report and leave without waiting.
[[noreturn]] void watchdog_fail(const char *why)
{
	std::printf("slubq-stress: FAIL: watchdog: %s\n", why);
	std::fflush(stdout);
	std::_Exit(1);
}

} // namespace

int main(int argc, char **argv)
{
	options o;
	start_eal(argc, argv, o);
	if (rte_lcore_count() < 3) {
		std::printf("slubq-stress: needs at least 3 lcores\n");
		return 1;
	}
	if (slubq_topology_simulate(o.sockets, nullptr) != 0) {
		std::printf("slubq-stress: cannot simulate %u sockets: %s\n", o.sockets, rte_strerror(rte_errno));
		return 1;
	}
	static shared_state sh; // large: not on the stack
	void *fixed_mem = nullptr;
	sh.cache = make_cache(o, &fixed_mem);
	if (sh.cache == nullptr) {
		std::printf("slubq-stress: cache creation failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (o.compact) {
		slubq_cache_info info;
		slubq_cache_get_info(sh.cache, &info);
		std::printf("slubq-stress: compact: %u objects of %u B per %u B slab\n", info.slab_objs,
			    info.slot_size, info.slab_size);
		if (info.slab_size == (2u << 20) && info.slab_objs != 151) {
			std::printf("slubq-stress: expected 151 objects per 2 MiB slab (compact header)\n");
			return 1;
		}
	}
	if (o.faults_ppm)
		slubq_cache_inject_faults(sh.cache, 0, o.faults_ppm, 7);
	sh.park = o.reclaim;
	unsigned lc;
	RTE_LCORE_FOREACH_WORKER(lc) {
		char name[RTE_RING_NAMESIZE];
		std::snprintf(name, sizeof(name), "stress%u", lc);
		sh.ring[lc] = rte_ring_create_elem(name, sizeof(message), 8192, int(rte_lcore_to_socket_id(lc)),
						   RING_F_MP_RTS_ENQ | RING_F_SC_DEQ);
		if (sh.ring[lc] == nullptr) {
			std::printf("slubq-stress: ring creation failed: %s\n", rte_strerror(rte_errno));
			return 1;
		}
		sh.workers[sh.nr_workers++] = lc;
	}
	std::printf("slubq-stress: %u lcores (%u workers) on %u simulated sockets, %.0f s%s%s%s\n", rte_lcore_count(),
		    sh.nr_workers, slubq_topology_sockets(), o.duration, o.debug ? ", debug checks on" : "",
		    o.faults_ppm ? ", fault injection on" : "",
		    o.memory_on >= 0 ? ", fixed pool on one socket only (--memory-on)" : "");
	std::fflush(stdout);

	const auto t0 = clock_type::now();
	RTE_LCORE_FOREACH_WORKER(lc)
		rte_eal_remote_launch(worker_main, &sh, lc);
	controller ctl{sh.cache};
	const auto end = t0 + std::chrono::duration<double>(o.duration);
	auto last_move = t0;
	std::uint64_t last_progress = 0;
	while (clock_type::now() < end) {
		ctl.step();
		if (o.reclaim) {
			slubq_cache_shrink(sh.cache); // takes parked queues back
			ctl.shrinks++;
		}
		std::this_thread::sleep_for(std::chrono::milliseconds(5));
		std::uint64_t p = total_progress(sh);
		if (p != last_progress) {
			last_progress = p;
			last_move = clock_type::now();
		} else if (clock_type::now() - last_move > std::chrono::seconds(10)) {
			watchdog_fail("no worker made progress for 10 s");
		}
	}
	sh.stop.store(true, std::memory_order_relaxed);
	const auto stop_at = clock_type::now();
	while (!all_finished(sh)) {
		if (clock_type::now() - stop_at > std::chrono::seconds(30))
			watchdog_fail("workers did not finish within 30 s of the stop");
		std::this_thread::sleep_for(std::chrono::milliseconds(1));
	}
	rte_eal_mp_wait_lcore();
	const double secs = std::chrono::duration<double>(clock_type::now() - t0).count();

	worker_stats sum{};
	for (unsigned i = 0; i < sh.nr_workers; i++) {
		const worker_stats &s = sh.stats[sh.workers[i]];
		sum.allocated += s.allocated;
		sum.freed += s.freed;
		sum.id_sum_alloc += s.id_sum_alloc;
		sum.id_sum_free += s.id_sum_free;
		sum.sent += s.sent;
		sum.alloc_fail += s.alloc_fail;
		sum.duplicated += s.duplicated;
	}
	std::uint64_t total = slubq_cache_total(sh.cache), avail = slubq_cache_available(sh.cache);
	// Lost: allocated but never freed by the test, or freed but not free in the cache.
	std::uint64_t lost = (sum.allocated - sum.freed) + (total - avail);
	bool ids_ok = sum.id_sum_alloc == sum.id_sum_free;
	char report[4096];
	int problems = slubq_cache_verify(sh.cache, report, sizeof(report));
	slubq_stats cs;
	slubq_cache_stats(sh.cache, -1, &cs);

	std::printf("slubq-stress: %.1f s, %" PRIu64 " objects allocated, %" PRIu64 " freed, %" PRIu64
		    " passed between lcores, %" PRIu64 " queue/size changes, %" PRIu64 " shrinks\n",
		    secs, sum.allocated, sum.freed, sum.sent, ctl.changes, ctl.shrinks);
	std::printf("slubq-stress: %.2f M ops/s (allocations + frees), %" PRIu64 " remote frees sent home from alien queues, %" PRIu64
		    " failed allocations (injected faults, or the --reclaim pool ran dry)\n",
		    double(sum.allocated + sum.freed) / secs / 1e6, cs.alien_received, sum.alloc_fail);
	std::printf("slubq-stress: %" PRIu64 " remote frees into alien buffers/queues, %" PRIu64
		    " sent home, %" PRIu64 " node locks (%.2f per 1000 objects)\n",
		    cs.alien_sent, cs.alien_flushes, cs.node_locks,
		    1000.0 * double(cs.node_locks) / double(std::max<std::uint64_t>(sum.allocated + sum.freed, 1)));
	std::printf("slubq-stress: total %" PRIu64 ", available %" PRIu64 ", IDs %s, debug errors %" PRIu64
		    ", verify %s\n",
		    total, avail, ids_ok ? "match" : "MISMATCH", cs.debug_errors, problems == 0 ? "ok" : "FAILED");
	if (problems)
		std::printf("%s", report);
	std::printf("slubq-stress: %" PRIu64 " lost, %" PRIu64 " duplicated\n", lost, sum.duplicated);
	bool gettable = !fixed_source(o) || all_gettable(sh.cache);
	if (fixed_source(o)) {
		slubq_cache_info info;
		std::uint64_t reclaimed = 0;
		if (slubq_cache_get_info(sh.cache, &info) == 0)
			for (unsigned s = 0; s < info.nr_sockets; s++)
				reclaimed += info.node[s].reclaimed;
		std::printf("slubq-stress: %" PRIu64 " objects reclaimed from parked lcore queues, all %" PRIu64
			    " got at once: %s\n",
			    reclaimed, total, gettable ? "yes" : "NO");
	}
	bool ok = lost == 0 && sum.duplicated == 0 && ids_ok && problems == 0 && cs.debug_errors == 0 &&
		  ctl.set_errors == 0 && sum.allocated > 0 && gettable;
	std::printf("slubq-stress: %s\n", ok ? "PASS" : "FAIL");
	std::fflush(stdout);
	for (unsigned i = 0; i < sh.nr_workers; i++)
		rte_ring_free(sh.ring[sh.workers[i]]);
	slubq_cache_destroy(sh.cache);
	rte_free(fixed_mem);
	slubq_topology_reset();
	rte_eal_cleanup();
	return ok ? 0 : 1;
}
