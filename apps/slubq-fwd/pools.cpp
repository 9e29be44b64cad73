/* SPDX-License-Identifier: BSD-3-Clause */
#include "pools.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool_slubq.h>

namespace fwd {

namespace {

// slubq's default lcore queue (slubq.h) when a pool configuration leaves it 0.
constexpr uint32_t slubq_default_queue = 512;

bool is_slubq_ops(const options &o) { return o.pool_ops == "slubq"; }

} // namespace

unsigned mempool_cache_size(const options &o)
{
	if (o.mbcache >= 0)
		return unsigned(o.mbcache);
	// slubq's lcore queues are the per-lcore cache; a mempool cache on top
	// would hide them.
	return is_slubq_ops(o) ? 0 : 250;
}

rte_mempool *pool_set::for_lcore(unsigned lcore) const
{
	int key = int(logical_sockets ? slubq_topology_lcore_socket(lcore) : rte_lcore_to_socket_id(lcore));
	rte_mempool *first = nullptr;
	for (const auto &p : pools) {
		if (!p.primary)
			continue;
		if (p.socket == key)
			return p.mp;
		if (first == nullptr)
			first = p.mp;
	}
	return first;
}

bool pool_ops_registered(const char *name)
{
	for (unsigned i = 0; i < rte_mempool_ops_table.num_ops; i++)
		if (std::strcmp(rte_mempool_ops_table.ops[i].name, name) == 0)
			return true;
	return false;
}

unsigned pool_need(const options &o, const pool_demand &d)
{
	uint64_t n = uint64_t(d.nb_ports) * (uint64_t(d.nb_rxq) * d.nb_rxd + uint64_t(d.nb_txq) * d.nb_txd);
	// What an lcore can keep out of the others' reach: its cache (an
	// rte_mempool cache grows to 1.5 x its size before flushing; a slubq
	// lcore queue to its size) and one burst in flight. Shared and alien
	// queues stay reachable: refills take from them.
	uint64_t cache = mempool_cache_size(o) * 3 / 2;
	if (is_slubq_ops(o))
		cache += o.slubq_queue ? o.slubq_queue : slubq_default_queue;
	n += d.nb_lcores * (cache + d.burst) + d.ring_slots;
	return unsigned(std::min<uint64_t>(n, 1u << 27));
}

unsigned builtin_pool_size(const options &o, const pool_demand &d)
{
	// 20% headroom, as the YAML sizing calculator's default: a pool that
	// runs dry stalls forwarding, a bigger one costs little.
	uint64_t need = pool_need(o, d);
	return unsigned(need + need / 5);
}

int create_pool(const options &o, const pool_spec &spec, int socket, int key, bool primary, pool_set &out)
{
	if (!pool_ops_registered(o.pool_ops.c_str())) {
		std::fprintf(stderr, "slubq-fwd: mempool driver '%s' is not registered%s\n", o.pool_ops.c_str(),
			     is_slubq_ops(o) ? " (librte_mempool_slubq not linked or loaded; try --pool-ops ring_mp_mc)"
					     : " (e.g. ring_mp_mc, ring_sp_sc, stack, slubq)");
		return -1;
	}
	const char *name = spec.name.c_str();
	if (is_slubq_ops(o) && spec.tunables != nullptr) {
		int rc = slubq_pool_config_set(name, spec.tunables);
		if (rc < 0) {
			std::fprintf(stderr, "slubq-fwd: pool %s: cannot set slubq tunables: %s\n", name, rte_strerror(-rc));
			return -1;
		}
	}
	rte_mempool *mp = rte_pktmbuf_pool_create_by_ops(name, spec.count, spec.mempool_cache, spec.priv_size,
							 spec.data_room, socket, o.pool_ops.c_str());
	if (mp == nullptr) {
		std::fprintf(stderr, "slubq-fwd: cannot create pool %s (%u mbufs of %u bytes, driver %s, socket %d): %s\n",
			     name, spec.count, unsigned(spec.data_room), o.pool_ops.c_str(), socket, rte_strerror(rte_errno));
		if (is_slubq_ops(o) && spec.tunables != nullptr)
			slubq_pool_config_set(name, nullptr);
		return -1;
	}
	out.pools.push_back({mp, key, true, primary});
	std::printf("Pool %s: %u mbufs of %u bytes on socket %d, driver %s, mempool cache %u\n", name, spec.count,
		    unsigned(spec.data_room), socket, o.pool_ops.c_str(), spec.mempool_cache);
	return 0;
}

int create_builtin_pools(const options &o, const std::vector<int> &sockets, const pool_demand &d, pool_set &out)
{
	std::vector<int> uniq(sockets);
	std::sort(uniq.begin(), uniq.end());
	uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
	slubq_pool_config cfg{};
	cfg.queue_size = o.slubq_queue;
	cfg.batch = o.slubq_batch;
	cfg.alien_size = o.slubq_alien;
	pool_spec spec;
	spec.count = o.nb_mbufs ? o.nb_mbufs : builtin_pool_size(o, d);
	spec.data_room = o.mbuf_size ? o.mbuf_size : uint16_t(RTE_MBUF_DEFAULT_BUF_SIZE);
	spec.mempool_cache = mempool_cache_size(o);
	spec.tunables = (o.slubq_queue || o.slubq_batch || o.slubq_alien) ? &cfg : nullptr;
	out.logical_sockets = false;
	for (int s : uniq) {
		spec.name = "mbuf_pool_" + std::to_string(s);
		if (create_pool(o, spec, s, s, true, out) != 0) {
			free_pools(out);
			return -1;
		}
	}
	return 0;
}

slubq_cache *slubq_cache_of_pool(const rte_mempool *mp)
{
	return rte_mempool_slubq_cache(mp);
}

uint64_t check_leaks(const pool_set &ps)
{
	uint64_t leaked_total = 0, problems = 0;
	if (ps.pools.empty())
		return 0; // setup failed before any pool existed
	for (const auto &p : ps.pools) {
		rte_mempool *mp = p.mp;
		uint64_t total = mp->populated_size;
		uint64_t avail = rte_mempool_avail_count(mp);
		uint64_t leaked = total > avail ? total - avail : 0;
		leaked_total += leaked;
		std::printf("Leak check: pool %s (%s): %" PRIu64 " objects, %" PRIu64 " available, %" PRIu64 " leaked",
			    mp->name, rte_mempool_get_ops(mp->ops_index)->name, total, avail, leaked);
		if (slubq_cache *c = slubq_cache_of_pool(mp)) {
			char report[2048];
			int bad = slubq_cache_verify(c, report, sizeof(report));
			if (bad > 0)
				problems += unsigned(bad);
			std::printf("; slubq verify: %s%s", bad == 0 ? "consistent" : "PROBLEMS\n", bad == 0 ? "" : report);
		}
		std::printf("\n");
	}
	if (leaked_total == 0)
		std::printf("Leak check: 0 objects leaked\n");
	else
		std::printf("Leak check: LEAK: %" PRIu64 " objects leaked\n", leaked_total);
	return leaked_total + problems;
}

void free_pools(pool_set &ps)
{
	for (auto &p : ps.pools)
		if (p.owned)
			rte_mempool_free(p.mp);
	ps.pools.clear();
}

} // namespace fwd
