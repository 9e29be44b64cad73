/* SPDX-License-Identifier: BSD-3-Clause */
// The pool sizing calculator (docs/config.md, "Sizing"): objects each pool
// needs per socket, the memory they take with slab and hugepage rounding,
// and whether the hugepages present can hold it. Pure computation: the
// slab geometry and rte_mempool's object layout need no EAL.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <dirent.h>
#include <fstream>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include "config/config.hpp"

namespace slubq::config {

namespace {

std::uint64_t div_up(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

// A pointer stack (queue, shared queue, alien queue) as slubq allocates it.
std::uint64_t stack_bytes(std::uint32_t n)
{
	return n ? std::uint64_t(slubq_stack_slots(n)) * sizeof(void *) : 0;
}

// One node: its descriptor, shared queue and an alien queue per remote socket.
std::uint64_t node_bytes(const slubq_cache_layout &l, const tunables &t, unsigned nr_sockets)
{
	return l.node_bytes + stack_bytes(t.shared_size) + (nr_sockets - 1) * stack_bytes(t.alien_size);
}

// The memzone rte_mempool_create_empty() reserves for the pool header, its
// per-lcore caches and the mbuf pool's private area.
std::uint64_t mempool_header_bytes(std::uint32_t cache_size)
{
	std::uint64_t b = RTE_MEMPOOL_HEADER_SIZE(static_cast<rte_mempool *>(nullptr), cache_size);
	b += RTE_ALIGN_CEIL(sizeof(rte_pktmbuf_pool_private), RTE_MEMPOOL_ALIGN);
	return RTE_ALIGN_CEIL(b, RTE_MEMPOOL_ALIGN);
}

std::vector<unsigned> lcores_per_socket(const config &c, const sizing &sz)
{
	std::vector<unsigned> n(c.topo.nr_sockets, 0);
	for (unsigned lc : sz.lcores)
		if (c.topo.lcore_socket[lc] >= 0 && unsigned(c.topo.lcore_socket[lc]) < n.size())
			n[c.topo.lcore_socket[lc]]++;
	return n;
}

// Objects a pool must hold on socket s, before headroom (alien excluded:
// added once the pool is known to live on s).
estimate pool_need(const pool &p, unsigned s, unsigned lcores)
{
	estimate e;
	for (const auto &pt : p.sz.ports) {
		if (pt.socket != s)
			continue;
		e.rx += std::uint64_t(pt.rx_queues) * pt.rx_desc;
		e.tx += std::uint64_t(pt.tx_queues) * pt.tx_desc;
	}
	// An lcore holds up to its slubq queue plus what its rte_mempool cache
	// keeps before flushing (1.5 x cache_size, CALC_CACHE_FLUSHTHRESH).
	e.queues = std::uint64_t(lcores) * (p.tune.queue_size + p.mempool_cache * 3ull / 2);
	e.bursts = std::uint64_t(lcores) * p.sz.burst;
	for (const auto &r : p.sz.rings)
		if (r.socket == s)
			e.rings += r.size;
	e.need = e.rx + e.tx + e.queues + e.bursts + e.rings;
	return e;
}

void fill_memory(estimate &e, const slubq_cache_layout &l, std::uint64_t obj_bytes, std::uint64_t overhead,
		 std::uint64_t hugepage)
{
	e.slot_size = l.slot_size;
	e.slab_size = std::uint32_t(l.slab_size);
	e.slab_objs = l.slab_objs;
	e.obj_bytes = obj_bytes;
	e.overhead_bytes = overhead;
	e.total_bytes = obj_bytes + overhead;
	e.hugepages = div_up(e.total_bytes, hugepage);
}

std::string pool_where(const pool &p, unsigned s) { return "pool " + p.name + " on socket " + std::to_string(s); }

void size_pool(config &c, pool &p, per_socket_estimate &est, diagnostics &d, const std::string &key)
{
	const unsigned S = c.topo.nr_sockets;
	std::vector<unsigned> L = lcores_per_socket(c, p.sz);
	std::vector<estimate> need(S);
	for (unsigned s = 0; s < S; s++)
		need[s] = pool_need(p, s, L[s]);
	if (p.sockets.empty()) {
		// A pool lives where its ports, lcores or rings are.
		for (unsigned s = 0; s < S; s++)
			if (need[s].rx + need[s].tx + need[s].rings > 0 || L[s] > 0)
				p.sockets.push_back(s);
		if (p.sockets.empty()) {
			d.add(p.pos, key, "no ports, lcores or rings on any socket: list its sockets");
			return;
		}
	}
	const std::uint64_t hp = p.sz.hugepage_size;
	for (unsigned s : p.sockets) {
		estimate e = need[s];
		if (p.auto_count && e.need == 0) {
			d.add(p.sockets_pos, key + ".sockets",
			      "count auto gives 0 objects on socket " + std::to_string(s) + " (no ports, lcores or rings there)");
			continue;
		}
		// Objects of this socket waiting in the alien queues of the others.
		if (S > 1 && !p.tune.no_alien)
			e.alien = std::uint64_t(S - 1) * p.tune.alien_size;
		e.need += e.alien;
		e.count = p.auto_count ? div_up(e.need * (100 + p.sz.headroom_pct), 100) : p.count;
		if (e.count > max_count) {
			d.add(p.count_pos, key + ".count",
			      "socket " + std::to_string(s) + " needs " + std::to_string(e.count) + " objects, more than " +
				      std::to_string(max_count));
			continue;
		}
		if (p.mempool_cache * 3ull / 2 > e.count) {
			d.add(p.count_pos, key + ".count",
			      std::to_string(e.count) + " objects on socket " + std::to_string(s) +
				      ": rte_mempool needs at least 1.5 x mempool_cache (" +
				      std::to_string(p.mempool_cache * 3ull / 2) + ")");
			continue;
		}
		if (!p.auto_count && e.count < e.need)
			c.warnings.push_back(pool_where(p, s) + ": count " + std::to_string(e.count) + " is below the " +
					     std::to_string(e.need) + " objects its sizing inputs need");
		e.present = true;
		slubq_cache_params params = pool_slot_params(p, hp);
		params.expected_objs = std::uint32_t(e.count); // as the driver sets it from the pool's size
		// The pool's slabs are dealt to the logical sockets of its real
		// socket: every simulated one (they share the machine's memory).
		unsigned spread = c.topo.mode == topo_mode::real ? 1 : S;
		slubq_cache_layout l;
		if (slubq_cache_calc_layout(&params, e.count, spread, &l) < 0) {
			d.add(p.pos, key, "no slab layout for its mbufs (data_room " + std::to_string(p.data_room) +
						  ", priv_size " + std::to_string(p.priv_size) + ")");
			return;
		}
		std::uint64_t overhead = mempool_header_bytes(p.mempool_cache) + l.cache_bytes +
					 S * node_bytes(l, p.tune, S) + L[s] * stack_bytes(p.tune.queue_size);
		fill_memory(e, l, l.mem_bytes, overhead, hp);
		est[s] = e;
	}
}

void size_cache(config &c, const cache &k, per_socket_estimate &est)
{
	if (k.objects == 0)
		return;
	const unsigned S = c.topo.nr_sockets;
	std::vector<unsigned> L = lcores_per_socket(c, c.sz);
	slubq_cache_params params = cache_params(k);
	slubq_cache_layout l;
	if (slubq_cache_calc_layout(&params, 0, 1, &l) < 0)
		return; // reported by the parser
	const std::uint64_t chunk = l.chunk_bytes;
	std::uint64_t total = 0;
	bool first = true;
	for (unsigned s : k.sockets) {
		estimate e;
		e.present = true;
		e.rx = k.objects; // shown as "objects in use"
		e.queues = std::uint64_t(L[s]) * k.tune.queue_size;
		if (S > 1 && !k.tune.no_alien)
			e.alien = std::uint64_t(S - 1) * k.tune.alien_size;
		e.need = e.count = e.rx + e.queues + e.alien;
		std::uint64_t slabs = div_up(e.count, l.slab_objs);
		std::uint64_t chunks = div_up(slabs, chunk / l.slab_size);
		std::uint64_t overhead = (first ? l.cache_bytes : 0) + node_bytes(l, k.tune, S) +
					 L[s] * stack_bytes(k.tune.queue_size);
		first = false;
		fill_memory(e, l, chunks * chunk, overhead, c.sz.hugepage_size);
		total += e.obj_bytes;
		est[s] = e;
	}
	if (k.tune.mem_limit != 0 && total > k.tune.mem_limit)
		c.warnings.push_back("cache " + k.name + ": its objects need " + std::to_string(total) +
				     " bytes of slabs, above its mem_limit of " + std::to_string(k.tune.mem_limit) +
				     " (allocations fail past the limit)");
}

// Real socket id behind a logical socket of a real topology.
int real_socket_of(const config &c, unsigned s)
{
	if (c.topo.from_eal) {
		slubq_topology_info t;
		slubq_topology_eal(&t);
		return s < t.nr_sockets ? t.real_socket[s] : 0;
	}
	if (s < c.topo.machine.socket_os.size() && c.topo.machine.socket_os[s] >= 0)
		return c.topo.machine.socket_os[s];
	return int(s);
}

void check_hugepages(config &c)
{
	const std::uint64_t hp = c.sz.hugepage_size;
	bool simulated = c.topo.mode != topo_mode::real;
	std::vector<std::uint64_t> need_bytes;
	auto add = [&](unsigned s, const estimate &e) {
		if (!e.present)
			return;
		std::size_t real = simulated ? 0 : std::size_t(std::max(real_socket_of(c, s), 0));
		if (need_bytes.size() <= real)
			need_bytes.resize(real + 1, 0);
		need_bytes[real] += e.total_bytes;
	};
	for (const auto &per : c.pool_est)
		for (unsigned s = 0; s < SLUBQ_MAX_SOCKETS; s++)
			add(s, per[s]);
	for (const auto &per : c.cache_est)
		for (unsigned s = 0; s < SLUBQ_MAX_SOCKETS; s++)
			add(s, per[s]);
	if (need_bytes.empty())
		return;
	std::vector<std::uint64_t> need(need_bytes.size());
	for (std::size_t i = 0; i < need.size(); i++)
		need[i] = div_up(need_bytes[i], hp);
	for (auto &w : hugepage_shortfalls(need, free_hugepages(hp), hp, simulated))
		c.warnings.push_back(w);
}

std::uint64_t read_count(const std::string &path, bool &found)
{
	std::ifstream in(path);
	std::uint64_t v = 0;
	found = static_cast<bool>(in >> v);
	return found ? v : 0;
}

} // namespace

slubq_cache_params pool_slot_params(const pool &p, std::uint64_t page_size)
{
	// The layout the slubq mempool driver gives an mbuf pool's cache
	// (drivers/mempool/slubq/pool_params.cpp): rte_mempool's slot
	// [header | mbuf + priv + data room | trailer], cache-line aligned.
	rte_mempool_objsz sz;
	rte_mempool_calc_obj_size(std::uint32_t(sizeof(rte_mbuf)) + p.priv_size + p.data_room, 0, &sz);
	slubq_cache_params q;
	slubq_cache_params_init(&q);
	q.source = SLUBQ_SOURCE_FIXED;
	q.slot_size = sz.total_size;
	q.obj_offset = sz.header_size;
	q.obj_size = std::max(sz.elt_size, 1u);
	q.align = RTE_MEMPOOL_ALIGN;
	q.page_size = page_size;
	q.flags = pool_tunables(p).flags;
	q.slab_objs = p.tune.slab_objs;
	return q;
}

void compute_sizing(config &c, diagnostics &d)
{
	c.pool_est.assign(c.pools.size(), per_socket_estimate{});
	c.cache_est.assign(c.caches.size(), per_socket_estimate{});
	for (std::size_t i = 0; i < c.pools.size(); i++)
		size_pool(c, c.pools[i], c.pool_est[i], d, "pools[" + std::to_string(i) + "]");
	for (std::size_t i = 0; i < c.caches.size(); i++)
		size_cache(c, c.caches[i], c.cache_est[i]);
	// Per-socket mempool names must not collide ("rx_s1" vs "rx" on 2 sockets).
	std::vector<std::pair<std::string, std::size_t>> names;
	for (std::size_t i = 0; i < c.pools.size(); i++) {
		for (unsigned s : c.pools[i].sockets) {
			std::string n = mempool_name(c.pools[i], s);
			for (const auto &x : names)
				if (x.first == n && x.second != i)
					d.add(c.pools[i].pos, "pools[" + std::to_string(i) + "]",
					      "mempool name '" + n + "' is also the name of pools[" + std::to_string(x.second) +
						      "] on a socket");
			names.emplace_back(n, i);
		}
	}
	if (d.empty())
		check_hugepages(c);
}

std::vector<std::uint64_t> free_hugepages(std::uint64_t page_size)
{
	std::vector<std::uint64_t> free_pages;
	std::string dir = "hugepages-" + std::to_string(page_size >> 10) + "kB/free_hugepages";
	if (DIR *d = opendir("/sys/devices/system/node")) {
		while (dirent *e = readdir(d)) {
			unsigned n;
			char tail;
			bool found;
			if (std::sscanf(e->d_name, "node%u%c", &n, &tail) != 1 || n > 1024)
				continue;
			std::uint64_t v = read_count("/sys/devices/system/node/" + std::string(e->d_name) + "/hugepages/" + dir,
						     found);
			if (!found)
				continue;
			if (free_pages.size() <= n)
				free_pages.resize(n + 1, 0);
			free_pages[n] = v;
		}
		closedir(d);
	}
	if (free_pages.empty()) {
		bool found;
		free_pages.push_back(read_count("/sys/kernel/mm/hugepages/" + dir, found));
	}
	if (rte_lcore_count() > 0) {
		// Memory the EAL already holds counts too; without hugepages it
		// is all there is.
		bool huge = rte_eal_has_hugepages();
		for (std::size_t s = 0; s < free_pages.size(); s++) {
			rte_malloc_socket_stats st;
			std::uint64_t heap = rte_malloc_get_socket_stats(int(s), &st) == 0 ? st.heap_freesz_bytes : 0;
			free_pages[s] = (huge ? free_pages[s] : 0) + heap / page_size;
		}
	}
	return free_pages;
}

std::vector<std::string> hugepage_shortfalls(const std::vector<std::uint64_t> &need,
					     const std::vector<std::uint64_t> &free_pages, std::uint64_t page_size,
					     bool simulated)
{
	std::vector<std::string> out;
	char mib[32];
	std::snprintf(mib, sizeof(mib), "%" PRIu64 " %s", page_size >= (1u << 20) ? page_size >> 20 : page_size >> 10,
		      page_size >= (1u << 20) ? "MiB" : "KiB");
	if (simulated) {
		// Simulated sockets all take memory from the real ones.
		std::uint64_t n = 0, f = 0;
		for (auto x : need)
			n += x;
		for (auto x : free_pages)
			f += x;
		if (n > f)
			out.push_back("pools and caches need " + std::to_string(n) + " hugepages of " + mib +
				      " (all simulated sockets), only " + std::to_string(f) + " are free");
		return out;
	}
	for (std::size_t s = 0; s < need.size(); s++) {
		std::uint64_t f = s < free_pages.size() ? free_pages[s] : 0;
		if (need[s] > f)
			out.push_back("pools and caches need " + std::to_string(need[s]) + " hugepages of " + mib +
				      " on socket " + std::to_string(s) + ", only " + std::to_string(f) + " are free");
	}
	return out;
}

} // namespace slubq::config
