/* SPDX-License-Identifier: BSD-3-Clause */
// The report: every run's ns per object, its ratio to the baseline of its
// case and variant (baseline ns / this ns: above 1 is faster than the
// baseline), the targets of issue 10 and where each stands, as a table on
// stdout and as JSON.
#pragma once

#include <benchmark/benchmark.h>
#include <map>
#include <string>
#include <vector>

namespace slubq_bench {

struct result {
	std::string bench_case, variant, kind;
	double ns = 0;                          // best of the repetitions
	std::map<std::string, double> counters; // other counters of that run
};

class collector : public benchmark::ConsoleReporter {
public:
	// Colours only on a terminal (logs and bench.txt stay plain).
	explicit collector(bool colour) : ConsoleReporter(colour ? OO_Defaults : OO_Tabular) {}
	void ReportRuns(const std::vector<Run> &runs) override;
	const std::vector<result> &results() const { return results_; }

private:
	std::vector<result> results_;
};

// The baseline kind of a case: rte_malloc for the malloc cases, else
// ring_mp_mc_c512.
std::string baseline_of(const std::string &bench_case);

// Print the ratio tables and the targets; write JSON to json_path unless
// empty. Returns false if the file cannot be written.
bool report(const std::vector<result> &results, const std::string &json_path, const std::string &mode);

} // namespace slubq_bench
