/* SPDX-License-Identifier: BSD-3-Clause */
// slubq-bench: what every case shares. A case registers Google Benchmark
// runs named "<case>/<variant>/<pool kind>" that report ns_per_obj; the
// report (report.hpp) sets each against ring_mp_mc_c512 of the same case
// and variant (or the case's own baseline, e.g. rte_malloc).
#pragma once

#include <atomic>
#include <benchmark/benchmark.h>
#include <string>
#include <vector>
#include <rte_launch.h>
#include <rte_lcore.h>

namespace slubq_bench {

struct options {
	bool quick = false;  // shorter runs and smaller pools: under a minute
	bool smoke = false;  // one tiny iteration of everything (the test run)
	unsigned worker = RTE_MAX_LCORE; // the second lcore (RTE_MAX_LCORE: none)
	unsigned obj_size = 64;
};

// Register the cases (each file: one case family).
void register_local(const options &o);
void register_pipeline(const options &o);
void register_cold(const options &o);
void register_elastic(const options &o);
void register_malloc(const options &o);
void register_sockets(const options &o);

struct pool;
// Objects per hand-off of the pipeline and xsocket cases (the variant).
inline constexpr unsigned handoff_sizes[] = {512, 32};
// A "pipeline" run of pool p named <case_name>/<objs>/<kind>: the measured
// lcore allocates bursts of 32 and hands them to `worker` through a ring,
// objs at a time; the worker frees them (pipeline_cases.cpp). Needs
// register_pipeline() to have made the ring.
void register_handoff(const char *case_name, const std::string &kind, pool *p, unsigned worker, unsigned objs);
// A "local1" run of pool p named <case_name>/<bulk>x<keep>/<kind>: get
// `keep` objects in bulks of `bulk` and put them back (local_cases.cpp).
void register_get_put(const char *case_name, const std::string &kind, pool *p, unsigned bulk, unsigned keep);
// The bulk x keep shapes of the local cases.
struct shape {
	unsigned bulk, keep;
};
inline constexpr shape local_shapes[] = {{1, 32}, {4, 128}, {32, 128}, {32, 512}};

// Report "ns_per_obj" = seconds of the run / objects (the console prints it
// as e.g. "2.1n"; the report converts it to ns).
inline void per_object(benchmark::State &st, double objs)
{
	st.counters["ns_per_obj"] =
		benchmark::Counter(objs, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// Names in the order they were registered: the report's order, whatever
// order the runs took (--benchmark_enable_random_interleaving).
inline std::vector<std::string> &registration_order()
{
	static std::vector<std::string> names;
	return names;
}

// The name of a run, "<case>/<variant>/<kind>", recorded for the report.
inline std::string run_name(const std::string &c, const std::string &variant, const std::string &kind)
{
	std::string name = c + "/" + variant + "/" + kind;
	registration_order().push_back(name);
	return name;
}

// A loop on the worker lcore, started before a measurement and stopped after it.
class worker_loop {
public:
	// fn(arg, stop) runs on `lcore` until *stop becomes true; false if
	// the lcore was busy or missing.
	using body = void (*)(void *arg, const std::atomic<bool> &stop);
	bool start(unsigned lcore, body fn, void *arg)
	{
		fn_ = fn;
		arg_ = arg;
		lcore_ = lcore;
		stop_.store(false, std::memory_order_relaxed);
		return lcore < RTE_MAX_LCORE && rte_eal_remote_launch(trampoline, this, lcore) == 0;
	}
	void stop()
	{
		stop_.store(true, std::memory_order_release);
		rte_eal_wait_lcore(lcore_);
	}

private:
	static int trampoline(void *self)
	{
		auto *w = static_cast<worker_loop *>(self);
		w->fn_(w->arg_, w->stop_);
		return 0;
	}
	body fn_ = nullptr;
	void *arg_ = nullptr;
	unsigned lcore_ = RTE_MAX_LCORE;
	std::atomic<bool> stop_{false};
};

} // namespace slubq_bench
