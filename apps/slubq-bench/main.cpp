/* SPDX-License-Identifier: BSD-3-Clause */
// slubq-bench: slubq against stock DPDK pools, every case in one process.
//
//   slubq-bench [EAL options --] [--quick | --smoke] [--json FILE]
//               [--filter REGEX] [--repetitions N] [--benchmark_...]
//
// Without EAL options it runs on lcores 0-3 (2 and 3 on the CPUs of 0 and
// 1, for mesh4 only), on hugepages (--in-memory)
// when 1 GiB of them is free, else on --no-huge -m 2048. --quick takes
// under a minute, the full run under ten on 2 cores; --smoke runs one tiny
// iteration of everything (the test suite's check that nothing rots).
// scripts/bench.sh runs it and draws docs/perf/*.png from the JSON.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include "bench.hpp"
#include "pools.hpp"
#include "report.hpp"

namespace {

struct cli {
	std::vector<std::string> eal, bench;
	std::string json, prefix;
	slubq_bench::options o;
	int repetitions = -1;
};

bool hugepages_free(unsigned mib)
{
	if (std::system("grep -q ' hugetlbfs ' /proc/mounts") != 0)
		return false;
	std::FILE *f = std::fopen("/proc/meminfo", "r");
	unsigned long free_pages = 0, page_kb = 0;
	char line[256];
	while (f != nullptr && std::fgets(line, sizeof(line), f) != nullptr) {
		std::sscanf(line, "HugePages_Free: %lu", &free_pages);
		std::sscanf(line, "Hugepagesize: %lu kB", &page_kb);
	}
	if (f != nullptr)
		std::fclose(f);
	return free_pages * page_kb / 1024 >= mib;
}

int usage(const char *prog)
{
	std::fprintf(stderr,
		     "usage: %s [EAL options --] [--quick | --smoke] [--json FILE] [--filter REGEX]\n"
		     "       [--repetitions N] [--benchmark_<option>=...]\n",
		     prog);
	return 2;
}

// false on a usage error.
bool parse(int argc, char **argv, cli &c)
{
	int first = 1;
	for (int i = 1; i < argc; i++)
		if (std::strcmp(argv[i], "--") == 0) {
			c.eal.assign(argv + 1, argv + i);
			first = i + 1;
			break;
		}
	for (int i = first; i < argc; i++) {
		std::string a = argv[i];
		auto value = [&](std::string &out) {
			if (i + 1 >= argc)
				return false;
			out = argv[++i];
			return true;
		};
		std::string v;
		if (a == "--quick")
			c.o.quick = true;
		else if (a == "--smoke")
			c.o.smoke = true;
		else if (a == "--json") {
			if (!value(c.json))
				return false;
		} else if (a == "--filter") {
			if (!value(v))
				return false;
			c.bench.push_back("--benchmark_filter=" + v);
		} else if (a == "--repetitions") {
			if (!value(v))
				return false;
			c.repetitions = std::atoi(v.c_str());
		} else if (a.rfind("--benchmark_", 0) == 0)
			c.bench.push_back(a);
		else
			return false;
	}
	if (c.eal.empty()) {
		// Lcores 2 and 3 share the CPUs of 0 and 1: only mesh4 runs on them.
		c.eal = {"--lcores", "0@0,1@1,2@0,3@1", "--no-pci", "--log-level=lib.eal:warning"};
		// SLUBQ_TEST_NO_HUGE: the test suite's switch to force --no-huge.
		if (std::getenv("SLUBQ_TEST_NO_HUGE") == nullptr && hugepages_free(1024)) {
			c.eal.push_back("--in-memory");
		} else {
			c.prefix = "slubq-bench-" + std::to_string(getpid());
			for (const char *a : {"--no-huge", "-m", "2048", "--file-prefix"})
				c.eal.push_back(a);
			c.eal.push_back(c.prefix);
		}
	}
	// The full run: 5 repetitions in random interleaved order, the best of
	// each kept, so that a noisy neighbour on a shared machine hits every
	// pool alike instead of the few that ran during its burst.
	const char *min_time = c.o.smoke ? "0.001" : c.o.quick ? "0.05" : "0.2";
	int reps = c.repetitions > 0 ? c.repetitions : c.o.smoke || c.o.quick ? 1 : 5;
	c.bench.insert(c.bench.begin(), {std::string("--benchmark_min_time=") + min_time,
					 "--benchmark_repetitions=" + std::to_string(reps),
					 std::string("--benchmark_enable_random_interleaving=") + (reps > 1 ? "true" : "false")});
	return true;
}

std::vector<char *> argv_of(const std::string &prog, std::vector<std::string> &args)
{
	args.insert(args.begin(), prog);
	std::vector<char *> v;
	for (auto &a : args)
		v.push_back(a.data());
	v.push_back(nullptr);
	return v;
}

} // namespace

int main(int argc, char **argv)
{
	cli c;
	if (!parse(argc, argv, c))
		return usage(argv[0]);
	auto eal_argv = argv_of(argv[0], c.eal);
	if (rte_eal_init(int(eal_argv.size()) - 1, eal_argv.data()) < 0) {
		std::fprintf(stderr, "slubq-bench: rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	c.o.worker = rte_get_next_lcore(-1, 1, 0);
	if (c.o.worker >= RTE_MAX_LCORE)
		std::fprintf(stderr, "slubq-bench: one lcore: the two-lcore cases are left out (use -l 0-1)\n");

	slubq_bench::register_local(c.o);
	slubq_bench::register_pipeline(c.o);
	slubq_bench::register_sockets(c.o);
	slubq_bench::register_cold(c.o);
	slubq_bench::register_elastic(c.o);
	slubq_bench::register_malloc(c.o);

	auto bench_argv = argv_of(argv[0], c.bench);
	int bench_argc = int(bench_argv.size()) - 1;
	benchmark::Initialize(&bench_argc, bench_argv.data());
	slubq_bench::collector col(isatty(STDOUT_FILENO) != 0);
	benchmark::RunSpecifiedBenchmarks(&col);
	benchmark::Shutdown();
	const char *mode = c.o.smoke ? "smoke" : c.o.quick ? "quick" : "full";
	bool ok = slubq_bench::report(col.results(), c.json, mode);

	slubq_bench::free_shared_pools();
	rte_eal_cleanup();
	if (!c.prefix.empty()) {
		std::error_code ec;
		std::filesystem::remove_all(std::filesystem::path("/var/run/dpdk") / c.prefix, ec);
	}
	return ok && !col.results().empty() ? 0 : 1;
}
