/* SPDX-License-Identifier: BSD-3-Clause */
// An application built against an install (test/abi/check_install.py):
// allocates and frees through the inline fast path of slubq.hpp on one
// lcore and reads the cache's statistics. Its fast-path counters move iff
// the installed headers compiled the statistics in, as the library was.
//   stats_app EXPECTED_STATS EAL-ARGS...
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <slubq.hpp>

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	const int expect = std::atoi(argv[1]);
	if (SLUBQ_STATS != expect) {
		std::fprintf(stderr, "installed headers say SLUBQ_STATS=%d, the build was stats=%d\n", SLUBQ_STATS,
			     expect);
		return 1;
	}
	argv[1] = argv[0];
	if (rte_eal_init(argc - 1, argv + 1) < 0) {
		std::fprintf(stderr, "rte_eal_init failed\n");
		return 2;
	}
	slubq_cache_params p;
	slubq_cache_params_init(&p);
	p.name = "abi-stats-app";
	p.obj_size = 64;
	slubq_cache *c = slubq_cache_create(&p);
	if (c == nullptr) {
		std::fprintf(stderr, "slubq_cache_create failed\n");
		return 2;
	}
	void *objs[8];
	for (int i = 0; i < 100; i++) {
		if (slubq::alloc(c, objs, 8) != 0) {
			std::fprintf(stderr, "slubq::alloc failed\n");
			return 2;
		}
		slubq::free(c, objs, 8);
	}
	slubq_stats s;
	slubq_cache_stats(c, int(rte_lcore_id()), &s);
	std::printf("SLUBQ_STATS=%d alloc_fast=%" PRIu64 " free_fast=%" PRIu64 " alloc_slow=%" PRIu64 "\n",
		    SLUBQ_STATS, s.alloc_fast, s.free_fast, s.alloc_slow);
	const bool moved = s.alloc_fast != 0 && s.free_fast != 0;
	const bool still = s.alloc_fast == 0 && s.free_fast == 0;
	slubq_cache_destroy(c);
	rte_eal_cleanup();
	return (expect ? moved : still) ? 0 : 1;
}
