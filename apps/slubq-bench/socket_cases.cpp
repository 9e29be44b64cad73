/* SPDX-License-Identifier: BSD-3-Clause */
// The cases where slubq's sockets matter, on a simulated topology (slubq
// sees more sockets than the machine has; DPDK's pools do not care):
//  - "xsocket": the pipeline case (pipeline_cases.cpp) with the main lcore
//    on socket 0 and the worker on socket 1, so every free is remote:
//    slubq's native cache with its alien buffers and without
//    (SLUBQ_F_NO_ALIEN: each free call takes the home node's lock), and
//    the driver with cache 0 and 512;
//  - "remote": a fixed cache populated on socket 0 only, the local1 shapes
//    run by the main lcore on socket 0 ("slubq_native_local") and on
//    socket 1 ("slubq_native_remote", whose queue adopts socket 0): the
//    usual two-socket layout, a pool on the NIC's socket and workers on
//    both;
//  - "mesh4": four sockets, one lcore each (lcores may share CPUs), each
//    allocating bursts of 32 and handing them to the other three in turn
//    through rings; every free is remote. ns per object over all four
//    lcores, alien flushes and node-lock acquisitions per million objects.
// Every case has ring_mp_mc_c512 in the same run.
#include "bench.hpp"
#include "pools.hpp"

#include <array>
#include <cstdio>
#include <rte_memzone.h>
#include <rte_pause.h>
#include <rte_ring.h>

namespace slubq_bench {

namespace {

// A pool made while a simulated topology (map: logical socket of each
// lcore id, others 0) is in force.
template <typename F>
pool *simulated(unsigned sockets, const std::vector<std::pair<unsigned, int>> &map, F make)
{
	int m[RTE_MAX_LCORE] = {};
	for (auto [lcore, socket] : map)
		m[lcore] = socket;
	if (slubq_topology_simulate(sockets, m) != 0)
		return nullptr;
	pool *p = make();
	slubq_topology_reset();
	if (p != nullptr)
		keep_pool(p);
	return p;
}

// Parameters of a native cache named after its kind (name keeps the string).
slubq_cache_params params_of(const std::string &kind, unsigned obj_size, std::uint32_t flags, std::string &name)
{
	slubq_cache_params prm;
	slubq_cache_params_init(&prm);
	name = "bs_" + kind;
	name.resize(std::min<std::size_t>(name.size(), SLUBQ_NAMESIZE - 1));
	prm.name = name.c_str();
	prm.obj_size = obj_size;
	prm.flags = SLUBQ_F_NO_MERGE | flags;
	return prm;
}

pool *native_pool(const std::string &kind, unsigned obj_size, std::uint32_t flags)
{
	std::string name;
	slubq_cache_params prm = params_of(kind, obj_size, flags, name);
	auto *p = new pool;
	p->kind = kind;
	p->cache = slubq_cache_create(&prm);
	if (p->cache == nullptr || warm_pool(*p, shared_pool_objs) < shared_pool_objs) {
		std::fprintf(stderr, "slubq-bench: %s unavailable: its runs are left out\n", kind.c_str());
		free_pool(p);
		return nullptr;
	}
	return p;
}

// A fixed cache of n objects whose memory (one memzone) is all given to
// logical socket 0.
pool *fixed_on_socket0(const std::string &kind, unsigned n, unsigned obj_size)
{
	std::string name;
	slubq_cache_params prm = params_of(kind, obj_size, 0, name);
	prm.source = SLUBQ_SOURCE_FIXED;
	prm.socket_id = SOCKET_ID_ANY;
	prm.expected_objs = n;
	std::size_t min_chunk = 0, align = 0;
	ssize_t len = slubq_cache_calc_mem_size(&prm, n, 0, &min_chunk, &align);
	if (len <= 0)
		return nullptr;
	const rte_memzone *mz = rte_memzone_reserve_aligned(name.c_str(), std::size_t(len), rte_socket_id(), 0,
							    unsigned(align));
	auto *p = new pool;
	p->kind = kind;
	p->cache = mz != nullptr ? slubq_cache_create(&prm) : nullptr;
	if (p->cache == nullptr ||
	    slubq_cache_populate(p->cache, mz->addr, mz->iova, mz->len, 0, n, nullptr, nullptr) < int(n) ||
	    warm_pool(*p, n) < n) {
		std::fprintf(stderr, "slubq-bench: %s unavailable: its runs are left out\n", kind.c_str());
		free_pool(p);
		return nullptr; // (the memzone stays until exit)
	}
	return p;
}

void register_xsocket(const options &o)
{
	const unsigned main_lcore = rte_get_main_lcore();
	const std::vector<std::pair<unsigned, int>> map{{main_lcore, 0}, {o.worker, 1}};
	std::vector<pool *> pools;
	pools.push_back(shared_pool(baseline_kind, o.obj_size));
	pools.push_back(simulated(2, map, [&] { return native_pool("slubq_native_alien", o.obj_size, 0); }));
	pools.push_back(
		simulated(2, map, [&] { return native_pool("slubq_native_noalien", o.obj_size, SLUBQ_F_NO_ALIEN); }));
	for (const char *kind : {"slubq_ops_c0", "slubq_ops_c512"})
		pools.push_back(simulated(2, map, [&] { return make_pool(kind, shared_pool_objs, o.obj_size); }));
	for (unsigned objs : handoff_sizes)
		for (pool *p : pools)
			if (p != nullptr)
				register_handoff("xsocket", p->kind, p, o.worker, objs);
}

void register_remote(const options &o)
{
	const unsigned main_lcore = rte_get_main_lcore();
	pool *ring = shared_pool(baseline_kind, o.obj_size);
	pool *local = simulated(2, {{main_lcore, 0}, {o.worker, 1}},
				[&] { return fixed_on_socket0("slubq_native_local", shared_pool_objs, o.obj_size); });
	pool *remote = simulated(2, {{main_lcore, 1}, {o.worker, 0}},
				 [&] { return fixed_on_socket0("slubq_native_remote", shared_pool_objs, o.obj_size); });
	for (const shape &s : local_shapes)
		for (pool *p : {ring, local, remote})
			if (p != nullptr)
				register_get_put("remote", p->kind, p, s.bulk, s.keep);
}

// --- mesh4 ---

constexpr unsigned mesh_lcores = 4;
constexpr unsigned mesh_burst = 32;

struct mesh {
	const pool *p = nullptr;
	std::array<unsigned, mesh_lcores> lcore{};
	std::array<rte_ring *, mesh_lcores> inbox{};
	struct alignas(64) counter {
		std::atomic<std::uint64_t> objs{0};
	};
	std::array<counter, mesh_lcores> allocated;
};

mesh the_mesh;

// One step of mesh member i: a burst to the next peer in turn, then free
// what the others sent. False if nothing could be allocated. A member
// told to stop gives up a hand-off (a stopped peer's inbox stays full).
template <bool native>
SLUBQ_FAST bool mesh_step(mesh &m, unsigned i, unsigned &turn, const std::atomic<bool> &stop)
{
	void *objs[2 * mesh_burst];
	bool got = get<native>(*m.p, objs, mesh_burst) == 0;
	if (got) {
		rte_ring *to = m.inbox[(i + 1 + turn) % mesh_lcores];
		turn = turn == mesh_lcores - 2 ? 0 : turn + 1;
		while (rte_ring_mp_enqueue_bulk(to, objs, mesh_burst, nullptr) == 0) {
			// Its inbox is full: make room in ours meanwhile (no deadlock).
			void *mine[mesh_burst];
			unsigned k = rte_ring_sc_dequeue_burst(m.inbox[i], mine, mesh_burst, nullptr);
			if (k != 0) {
				put<native>(*m.p, mine, k);
			} else if (stop.load(std::memory_order_relaxed)) {
				put<native>(*m.p, objs, mesh_burst);
				return false;
			} else {
				rte_pause();
			}
		}
		m.allocated[i].objs.store(m.allocated[i].objs.load(std::memory_order_relaxed) + mesh_burst,
					  std::memory_order_relaxed);
	}
	unsigned k = rte_ring_sc_dequeue_burst(m.inbox[i], objs, 2 * mesh_burst, nullptr);
	for (unsigned j = 0; j < k; j += mesh_burst)
		put<native>(*m.p, objs + j, std::min(mesh_burst, k - j));
	return got;
}

struct mesh_member {
	unsigned i;
};

template <bool native>
void mesh_body(void *arg, const std::atomic<bool> &stop)
{
	const unsigned i = static_cast<mesh_member *>(arg)->i;
	unsigned turn = 0;
	while (!stop.load(std::memory_order_relaxed))
		mesh_step<native>(the_mesh, i, turn, stop);
}

// Free whatever is left in the inboxes (after the members stopped).
template <bool native>
void mesh_drain(mesh &m)
{
	void *objs[mesh_burst];
	for (rte_ring *r : m.inbox)
		while (unsigned k = rte_ring_sc_dequeue_burst(r, objs, mesh_burst, nullptr))
			put<native>(*m.p, objs, k);
}

template <bool native>
void run_mesh(benchmark::State &st, const pool *p)
{
	mesh &m = the_mesh;
	m.p = p;
	for (auto &a : m.allocated)
		a.objs.store(0, std::memory_order_relaxed);
	slubq_cache *c = slubq_cache_of_pool(*p);
	slubq_stats before{};
	if (c != nullptr)
		slubq_cache_stats(c, -1, &before);
	std::array<worker_loop, mesh_lcores> workers;
	std::array<mesh_member, mesh_lcores> members;
	for (unsigned i = 1; i < mesh_lcores; i++) {
		members[i].i = i;
		if (!workers[i].start(m.lcore[i], mesh_body<native>, &members[i])) {
			for (unsigned j = 1; j < i; j++)
				workers[j].stop();
			st.SkipWithError("worker lcore busy");
			return;
		}
	}
	unsigned turn = 0;
	const std::atomic<bool> running{false};
	for (auto _ : st)
		mesh_step<native>(m, 0, turn, running);
	for (unsigned i = 1; i < mesh_lcores; i++)
		workers[i].stop();
	mesh_drain<native>(m);
	double objs = 0;
	for (auto &a : m.allocated)
		objs += double(a.objs.load(std::memory_order_relaxed));
	per_object(st, objs);
	if (c != nullptr && objs > 0) {
		slubq_stats now{};
		slubq_cache_stats(c, -1, &now);
		st.counters["alien_flushes_per_mobj"] = 1e6 * double(now.alien_flushes - before.alien_flushes) / objs;
		st.counters["node_locks_per_mobj"] = 1e6 * double(now.node_locks - before.node_locks) / objs;
	}
}

void register_mesh4(const options &o)
{
	mesh &m = the_mesh;
	m.lcore[0] = rte_get_main_lcore();
	unsigned lc = o.worker;
	for (unsigned i = 1; i < mesh_lcores; i++, lc = rte_get_next_lcore(lc, 1, 0))
		m.lcore[i] = lc;
	if (m.lcore[mesh_lcores - 1] >= RTE_MAX_LCORE) {
		std::fprintf(stderr, "slubq-bench: fewer than 4 lcores: mesh4 left out (e.g. --lcores "
				     "'0@0,1@1,2@0,3@1')\n");
		return;
	}
	for (unsigned i = 0; i < mesh_lcores; i++) {
		std::string name = "bench_mesh" + std::to_string(i);
		m.inbox[i] = rte_ring_create(name.c_str(), 1024, rte_socket_id(), RING_F_SC_DEQ);
		if (m.inbox[i] == nullptr) {
			std::fprintf(stderr, "slubq-bench: no ring: mesh4 left out\n");
			return;
		}
	}
	std::vector<std::pair<unsigned, int>> map;
	for (unsigned i = 0; i < mesh_lcores; i++)
		map.emplace_back(m.lcore[i], int(i));
	std::vector<pool *> pools{shared_pool(baseline_kind, o.obj_size)};
	pools.push_back(simulated(mesh_lcores, map, [&] { return native_pool("slubq_native", o.obj_size, 0); }));
	pools.push_back(simulated(mesh_lcores, map, [&] { return make_pool("slubq_ops_c0", shared_pool_objs, o.obj_size); }));
	for (pool *p : pools)
		if (p != nullptr) {
			auto fn = [p](benchmark::State &st) {
				with_api(*p, [&](auto native) { run_mesh<decltype(native)::value>(st, p); });
			};
			benchmark::RegisterBenchmark(run_name("mesh4", "32", p->kind).c_str(), fn)->UseRealTime();
		}
}

} // namespace

void register_sockets(const options &o)
{
	if (o.worker == RTE_MAX_LCORE) {
		std::fprintf(stderr, "slubq-bench: one lcore only: xsocket, remote and mesh4 left out\n");
		return;
	}
	register_xsocket(o);
	register_remote(o);
	register_mesh4(o);
}

} // namespace slubq_bench
