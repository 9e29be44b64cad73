/* SPDX-License-Identifier: BSD-3-Clause */
// slubq-malloc-bench: slubq_malloc/slubq_free against rte_malloc/rte_free,
// one lcore and across two, then the speed-up per size.
#include <cstdio>
#include <rte_eal.h>
#include "eal_env.hpp"
#include "malloc_bench.hpp"

int main(int argc, char **argv)
{
	slubq_test::eal_start(argv[0], "0-1", 512);
	auto workers = slubq_test::worker_lcores();
	slubq_bench::register_malloc_benchmarks(workers.empty() ? RTE_MAX_LCORE : workers[0]);
	benchmark::Initialize(&argc, argv);
	slubq_bench::ratio_reporter rep;
	benchmark::RunSpecifiedBenchmarks(&rep);
	rep.print_ratios();
	benchmark::Shutdown();
	rte_eal_cleanup();
	return 0;
}
