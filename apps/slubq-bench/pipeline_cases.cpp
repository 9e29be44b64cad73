/* SPDX-License-Identifier: BSD-3-Clause */
// Case "pipeline": the main lcore gets bursts of 32 and passes them through
// an rte_ring to the worker lcore, which puts them back in bursts of 32:
// every object is freed on another lcore than the one that allocated it.
// The hand-off moves 512 objects at a time (16 bursts) through a ring of
// 4096: handing over single bursts made the two lcores fall into lock-step
// or not from one run to the next (3 to 16 ns/object for the same pool on
// a 2-vCPU VM), which said more about the ring than about the pools.
// Case "xsocket": the same on a simulated 2-socket topology (main lcore on
// socket 0, worker on socket 1), slubq's native cache with its alien queues
// (frees of socket-0 objects on socket 1 go home in batches) and without
// (each free call takes the home node's lock), next to ring_mp_mc_c512.
#include "bench.hpp"
#include "pools.hpp"

#include <algorithm>
#include <cstdio>
#include <rte_pause.h>
#include <rte_ring.h>

namespace slubq_bench {

namespace {

constexpr unsigned burst = 32;
constexpr unsigned handoff_objs = 512; // per hand-off: 16 bursts
rte_ring *handoff;

struct drain_args {
	const pool *p;
};

template <bool native>
void drain_body(void *arg, const std::atomic<bool> &stop)
{
	const pool &p = *static_cast<drain_args *>(arg)->p;
	void *objs[handoff_objs];
	for (;;) {
		unsigned n = rte_ring_sc_dequeue_burst(handoff, objs, handoff_objs, nullptr);
		if (n != 0) {
			for (unsigned i = 0; i < n; i += burst)
				put<native>(p, objs + i, std::min(burst, n - i));
		} else if (stop.load(std::memory_order_acquire)) {
			if (rte_ring_empty(handoff))
				return;
		} else {
			rte_pause();
		}
	}
}

template <bool native>
void run_pipeline(benchmark::State &st, const pool *p, unsigned worker)
{
	drain_args args{p};
	worker_loop w;
	if (!w.start(worker, drain_body<native>, &args)) {
		st.SkipWithError("worker lcore busy");
		return;
	}
	void *objs[handoff_objs];
	bool failed = false;
	for (auto _ : st) {
		unsigned got = 0;
		for (; got < handoff_objs && !failed; got += burst)
			failed = get<native>(*p, objs + got, burst) != 0;
		if (SLUBQ_UNLIKELY(failed)) {
			put<native>(*p, objs, got - burst);
			st.SkipWithError("get failed");
			break;
		}
		while (rte_ring_sp_enqueue_bulk(handoff, objs, handoff_objs, nullptr) == 0)
			rte_pause();
	}
	w.stop();
	per_object(st, double(st.iterations()) * handoff_objs);
}

void register_one(const char *case_name, const std::string &kind, pool *p, unsigned worker)
{
	auto fn = [p, worker](benchmark::State &st) {
		with_api(*p, [&](auto native) { run_pipeline<decltype(native)::value>(st, p, worker); });
	};
	benchmark::RegisterBenchmark(run_name(case_name, "32", kind).c_str(), fn)->UseRealTime();
}

// slubq's native cache on a simulated 2-socket topology: lcore `main` on
// socket 0, the worker on socket 1.
pool *xsocket_pool(const char *kind, unsigned obj_size, unsigned main_lcore, unsigned worker, bool alien)
{
	int map[RTE_MAX_LCORE];
	for (int &s : map)
		s = 0;
	map[main_lcore] = 0;
	map[worker] = 1;
	if (slubq_topology_simulate(2, map) != 0)
		return nullptr;
	slubq_cache_params prm;
	slubq_cache_params_init(&prm);
	std::string name = std::string("bx_") + (alien ? "alien" : "noalien");
	prm.name = name.c_str();
	prm.obj_size = obj_size;
	prm.flags = SLUBQ_F_NO_MERGE | (alien ? 0 : SLUBQ_F_NO_ALIEN);
	auto *p = new pool;
	p->kind = kind;
	p->cache = slubq_cache_create(&prm);
	slubq_topology_reset();
	if (p->cache == nullptr) {
		delete p;
		return nullptr;
	}
	warm_pool(*p, shared_pool_objs);
	keep_pool(p);
	return p;
}

} // namespace

void register_pipeline(const options &o)
{
	if (o.worker == RTE_MAX_LCORE) {
		std::fprintf(stderr, "slubq-bench: one lcore only: pipeline and xsocket cases left out\n");
		return;
	}
	handoff = rte_ring_create("bench_handoff", 4096, rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (handoff == nullptr) {
		std::fprintf(stderr, "slubq-bench: no ring: pipeline cases left out\n");
		return;
	}
	for (const auto &kind : all_kinds())
		if (pool *p = shared_pool(kind, o.obj_size))
			register_one("pipeline", kind, p, o.worker);

	if (pool *p = shared_pool(baseline_kind, o.obj_size))
		register_one("xsocket", baseline_kind, p, o.worker);
	const unsigned main_lcore = rte_get_main_lcore();
	if (pool *p = xsocket_pool("slubq_native_alien", o.obj_size, main_lcore, o.worker, true))
		register_one("xsocket", p->kind, p, o.worker);
	if (pool *p = xsocket_pool("slubq_native_noalien", o.obj_size, main_lcore, o.worker, false))
		register_one("xsocket", p->kind, p, o.worker);
}

} // namespace slubq_bench
