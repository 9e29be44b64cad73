/* SPDX-License-Identifier: BSD-3-Clause */
// slubq_malloc/slubq_free against rte_malloc/rte_free (issue 9): reusable
// Google Benchmark registrations, so that slubq-bench can run them too.
// Needs the EAL up; the cross-lcore benchmarks need one worker lcore.
#pragma once

#include <benchmark/benchmark.h>
#include <string>
#include <vector>

namespace slubq_bench {

// Register, for 64 B .. 2 KiB:
//  malloc_pair/<impl>/<size>     one alloc + one free per iteration, one lcore
//  malloc_batch32/<impl>/<size>  32 live allocations, then 32 frees, one lcore
//  malloc_xlcore/<impl>/<size>   alloc here, pass 32 at a time through an
//                                rte_ring, free on worker lcore `worker`
//                                (not registered when worker is RTE_MAX_LCORE)
// impl: slubq_malloc (the C entry points), slubq_kmalloc (the inline C++
// path), rte_malloc. Every benchmark reports ns_per_obj (alloc + free).
void register_malloc_benchmarks(unsigned worker);

// A console reporter that also remembers ns_per_obj of every run, and can
// print rte_malloc's time over slubq's, per benchmark kind and size.
class ratio_reporter : public benchmark::ConsoleReporter {
public:
	void ReportRuns(const std::vector<Run> &runs) override;
	// One line per (kind, size): ns of each impl (the fastest of the
	// repetitions) and rte_malloc's over slubq's.
	void print_ratios() const;

private:
	struct result {
		std::string kind, impl;
		long size;
		double ns;
	};
	std::vector<result> results_;
};

} // namespace slubq_bench
