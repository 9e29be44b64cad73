/* SPDX-License-Identifier: BSD-3-Clause */
#include "report.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <limits>
#include <thread>
#include <utility>
#include <rte_version.h>
#include "bench.hpp"
#include "pools.hpp"

namespace slubq_bench {

namespace {

const result *find(const std::vector<result> &rs, const std::string &c, const std::string &v, const std::string &k)
{
	for (const auto &r : rs)
		if (r.bench_case == c && r.variant == v && r.kind == k)
			return &r;
	return nullptr;
}

double ratio_to_baseline(const std::vector<result> &rs, const result &r)
{
	const result *b = find(rs, r.bench_case, r.variant, baseline_of(r.bench_case));
	return b != nullptr && r.ns > 0 ? b->ns / r.ns : 0.0;
}

// One target of issue 10: the worst ratio over the runs it covers.
struct target {
	target(std::string w, double g) : what(std::move(w)), goal(g) {}
	std::string what;
	double goal;
	double worst = std::numeric_limits<double>::infinity();
	std::string worst_at;
	void see(double ratio, const std::string &at)
	{
		if (ratio < worst) {
			worst = ratio;
			worst_at = at;
		}
	}
	// For "best configuration" targets of one cell: the best seen.
	void best(double ratio, const std::string &at)
	{
		if (!measured() || ratio > worst) {
			worst = ratio;
			worst_at = at;
		}
	}
	bool measured() const { return worst != std::numeric_limits<double>::infinity(); }
};

std::vector<target> targets_of(const std::vector<result> &rs)
{
	target native{"native API, local1, vs ring_mp_mc_c512, every bulk size", 1.0};
	target ops512{"ops with cache 512, local1, vs ring_mp_mc_c512, every bulk size", 1.0};
	target ops0{"ops with cache 0 vs the reference driver (ref_c0), local1, every bulk size", 0.9};
	target pipe{"pipeline/512, best slubq configuration, vs ring_mp_mc_c512", 1.3};
	target cold{"cold, best slubq configuration, vs ring_mp_mc_c512", 2.0};
	target shrink{"elastic: share of idle memory shrink gives back (%)", 90};
	target malloc{"slubq_malloc vs rte_malloc, every size and case", 20};
	// Issue 15: the socket cases.
	target xs_native{"xsocket, native API with alien buffers, vs ring_mp_mc_c512, both hand-offs", 1.0};
	target xs_ops0{"xsocket, ops with cache 0, vs ring_mp_mc_c512, both hand-offs", 1.0};
	target remote{"remote: memoryless-socket lcore vs the same pool's socket-0 lcore, every shape", 0.9};
	target pipe32{"pipeline/32, best slubq ops configuration, vs ring_mp_mc_c512", 1.2};
	std::map<std::string, double> best_pipe, best_cold;
	for (const auto &r : rs) {
		const std::string at = r.bench_case + "/" + r.variant;
		double x = ratio_to_baseline(rs, r);
		if (r.bench_case == "xsocket" && r.kind == "slubq_native_alien")
			xs_native.see(x, at);
		else if (r.bench_case == "xsocket" && r.kind == "slubq_ops_c0")
			xs_ops0.see(x, at);
		else if (r.bench_case == "remote" && r.kind == "slubq_native_remote") {
			if (const result *l = find(rs, r.bench_case, r.variant, "slubq_native_local"); l && r.ns > 0)
				remote.see(l->ns / r.ns, at);
		} else if (r.bench_case == "pipeline" && r.variant == "32" && r.kind.rfind("slubq_ops", 0) == 0)
			pipe32.best(x, at);
		if (r.bench_case == "local1" && r.kind == "slubq_native")
			native.see(x, at);
		else if (r.bench_case == "local1" && r.kind == "slubq_ops_c512")
			ops512.see(x, at);
		else if (r.bench_case == "local1" && r.kind == "slubq_ops_c0") {
			if (const result *ref = find(rs, r.bench_case, r.variant, "ref_c0"))
				ops0.see(ref->ns / r.ns, at);
		} else if (r.bench_case == "pipeline" && r.variant == "512" && r.kind.rfind("slubq", 0) == 0)
			best_pipe[at] = std::max(best_pipe[at], x);
		else if (r.bench_case == "cold" && r.kind.rfind("slubq", 0) == 0)
			best_cold[at] = std::max(best_cold[at], x);
		else if (r.bench_case == "elastic" && r.kind == "slubq_native" && r.counters.count("returned_pct"))
			shrink.see(r.counters.at("returned_pct"), at);
		else if (r.bench_case.rfind("malloc", 0) == 0 && r.kind == "slubq_malloc")
			malloc.see(x, at);
	}
	for (const auto &[at, x] : best_pipe)
		pipe.see(x, at);
	for (const auto &[at, x] : best_cold)
		cold.see(x, at);
	return {native, ops512, ops0, pipe, cold, shrink, malloc, xs_native, xs_ops0, remote, pipe32};
}

std::string cpu_model()
{
	std::ifstream in("/proc/cpuinfo");
	std::string line;
	while (std::getline(in, line))
		if (line.rfind("model name", 0) == 0)
			return line.substr(line.find(':') + 2);
	return "unknown";
}

std::string json_str(const std::string &s)
{
	std::string out = "\"";
	for (char c : s)
		if (c == '"' || c == '\\')
			out += std::string("\\") + c;
		else if (static_cast<unsigned char>(c) >= 0x20)
			out += c;
	return out + "\"";
}

bool write_json(const std::vector<result> &rs, const std::vector<target> &ts, const std::string &path,
		const std::string &mode)
{
	std::FILE *f = std::fopen(path.c_str(), "w");
	if (f == nullptr)
		return false;
	char date[64];
	std::time_t now = std::time(nullptr);
	std::strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
	std::fprintf(f, "{\n  \"machine\": {\"cpu\": %s, \"cpus\": %u, \"dpdk\": %s, \"date\": \"%s\"},\n",
		     json_str(cpu_model()).c_str(), std::thread::hardware_concurrency(), json_str(rte_version()).c_str(),
		     date);
	std::fprintf(f, "  \"mode\": \"%s\",\n  \"results\": [\n", mode.c_str());
	for (std::size_t i = 0; i < rs.size(); i++) {
		const auto &r = rs[i];
		std::fprintf(f, "    {\"case\": %s, \"variant\": %s, \"kind\": %s, \"ns_per_obj\": %.4f, "
			     "\"baseline\": %s, \"ratio\": %.4f",
			     json_str(r.bench_case).c_str(), json_str(r.variant).c_str(), json_str(r.kind).c_str(), r.ns,
			     json_str(baseline_of(r.bench_case)).c_str(), ratio_to_baseline(rs, r));
		for (const auto &[k, v] : r.counters)
			std::fprintf(f, ", %s: %.4f", json_str(k).c_str(), v);
		std::fprintf(f, "}%s\n", i + 1 < rs.size() ? "," : "");
	}
	std::fprintf(f, "  ],\n  \"targets\": [\n");
	for (std::size_t i = 0; i < ts.size(); i++) {
		const auto &t = ts[i];
		std::fprintf(f, "    {\"target\": %s, \"goal\": %.2f, ", json_str(t.what).c_str(), t.goal);
		if (t.measured())
			std::fprintf(f, "\"worst\": %.4f, \"worst_at\": %s, \"met\": %s}", t.worst,
				     json_str(t.worst_at).c_str(), t.worst >= t.goal ? "true" : "false");
		else
			std::fprintf(f, "\"worst\": null, \"worst_at\": null, \"met\": null}");
		std::fprintf(f, "%s\n", i + 1 < ts.size() ? "," : "");
	}
	std::fprintf(f, "  ]\n}\n");
	return std::fclose(f) == 0;
}

} // namespace

std::string baseline_of(const std::string &bench_case)
{
	return bench_case.rfind("malloc", 0) == 0 ? "rte_malloc" : baseline_kind;
}

void collector::ReportRuns(const std::vector<Run> &runs)
{
	for (const auto &r : runs) {
		if (r.error_occurred || r.run_type != Run::RT_Iteration)
			continue;
		auto it = r.counters.find("ns_per_obj");
		// function_name is "<case>/<variant>/<kind>" (args, if any, follow).
		const std::string &fn = r.run_name.function_name;
		auto a = fn.find('/'), b = fn.rfind('/');
		if (it == r.counters.end() || a == std::string::npos || a == b)
			continue;
		result x{fn.substr(0, a), fn.substr(a + 1, b - a - 1), fn.substr(b + 1), it->second.value * 1e9, {}};
		for (const auto &[k, c] : r.counters)
			if (k != "ns_per_obj")
				x.counters[k] = c.value;
		auto same = std::find_if(results_.begin(), results_.end(), [&](const result &y) {
			return y.bench_case == x.bench_case && y.variant == x.variant && y.kind == x.kind;
		});
		if (same == results_.end())
			results_.push_back(x);
		else if (x.ns < same->ns) // repetitions: keep the least disturbed
			*same = x;
	}
	ConsoleReporter::ReportRuns(runs);
}

namespace {

// Runs grouped by case and variant, groups and the kinds within one in the
// order they were first registered, however they ran; anything
// unregistered last.
std::vector<result> grouped(std::vector<result> rs)
{
	const auto &order = registration_order();
	auto rank = [&](const std::string &name) {
		return std::size_t(std::find(order.begin(), order.end(), name) - order.begin());
	};
	auto group_rank = [&](const result &r) {
		const std::string prefix = r.bench_case + "/" + r.variant + "/";
		auto it = std::find_if(order.begin(), order.end(),
				       [&](const std::string &n) { return n.rfind(prefix, 0) == 0; });
		return std::size_t(it - order.begin());
	};
	auto key = [&](const result &r) {
		return std::make_pair(group_rank(r), rank(r.bench_case + "/" + r.variant + "/" + r.kind));
	};
	std::stable_sort(rs.begin(), rs.end(), [&](const result &a, const result &b) { return key(a) < key(b); });
	return rs;
}

} // namespace

bool report(const std::vector<result> &results, const std::string &json_path, const std::string &mode)
{
	const std::vector<result> rs = grouped(results);
	std::string last;
	for (const auto &r : rs) {
		std::string group = r.bench_case + "/" + r.variant;
		if (group != last) {
			std::printf("\n%-28s %-22s %12s %10s\n", group.c_str(), "pool", "ns/object",
				    ("x vs " + baseline_of(r.bench_case)).c_str());
			last = group;
		}
		std::printf("%-28s %-22s %12.3f %10.2f\n", "", r.kind.c_str(), r.ns, ratio_to_baseline(rs, r));
	}
	auto ts = targets_of(rs);
	std::printf("\n%-80s %6s %8s  %s\n", "target", "goal", "worst", "where");
	for (const auto &t : ts) {
		if (t.measured())
			std::printf("%-80s %6.2f %8.2f  %s%s\n", t.what.c_str(), t.goal, t.worst, t.worst_at.c_str(),
				    t.worst >= t.goal ? "" : "  (not met)");
		else
			std::printf("%-80s %6.2f %8s\n", t.what.c_str(), t.goal, "-");
	}
	if (!json_path.empty() && !write_json(rs, ts, json_path, mode)) {
		std::fprintf(stderr, "slubq-bench: cannot write %s\n", json_path.c_str());
		return false;
	}
	return true;
}

} // namespace slubq_bench
