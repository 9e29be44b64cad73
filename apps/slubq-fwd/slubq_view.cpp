/* SPDX-License-Identifier: BSD-3-Clause */
#include "slubq_view.hpp"

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <rte_lcore.h>
#include <rte_mempool.h>
#include "pools.hpp"

namespace fwd {

namespace {

double mib(uint64_t bytes) { return double(bytes) / double(1u << 20); }

int print_row(slubq_cache *c, const char *name, void *arg)
{
	auto *rows = static_cast<unsigned *>(arg);
	slubq_cache_info info;
	slubq_stats st;
	if (slubq_cache_get_info(c, &info) != 0 || slubq_cache_stats(c, -1, &st) != 0)
		return 0;
	bool alias = std::strcmp(name, info.name) != 0;
	std::printf("  %-22s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %10" PRIu64 " %9" PRIu64 " %9" PRIu64
		    " %8.1f MiB %5u/%-5u %5u%s%s\n",
		    name, info.total, info.available, info.in_queues, st.alien_sent, st.refills, st.flushes,
		    mib(info.mem_bytes), info.queue_size, info.batch, info.alien_size, alias ? "  alias of " : "",
		    alias ? info.name : "");
	++*rows;
	return 0;
}

} // namespace

slubq_cache *resolve_cache(const char *name)
{
	if (slubq_cache *c = slubq_cache_lookup(name))
		return c;
	if (rte_mempool *mp = rte_mempool_lookup(name)) {
		if (slubq_cache *c = slubq_cache_of_pool(mp))
			return c;
		std::printf("pool %s uses mempool driver %s, not slubq\n", name, rte_mempool_get_ops(mp->ops_index)->name);
		return nullptr;
	}
	std::printf("no slubq cache or pool named '%s' (see: show slubq)\n", name);
	return nullptr;
}

unsigned print_slubq_table()
{
	std::printf("  %-22s %9s %9s %9s %10s %9s %9s %12s %11s %5s\n", "slubq cache", "objects", "available",
		    "in queues", "alien sent", "refills", "flushes", "memory", "queue/batch", "alien");
	unsigned rows = 0;
	slubq_cache_walk(print_row, &rows);
	if (rows == 0)
		std::printf("  (no slubq caches)\n");
	return rows;
}

void print_slubq_cache(slubq_cache *c)
{
	slubq_cache_info info;
	if (slubq_cache_get_info(c, &info) != 0) {
		std::printf("cannot read cache: %s\n", rte_strerror(rte_errno));
		return;
	}
	std::printf("slubq cache %s: %u-byte objects (slot %u), %s source, slabs of %u bytes / %u objects, %u socket(s)%s\n",
		    info.name, info.obj_size, info.slot_size, info.source == SLUBQ_SOURCE_FIXED ? "fixed" : "elastic",
		    info.slab_size, info.slab_objs, info.nr_sockets, slubq_topology_is_simulated() ? " (simulated)" : "");
	std::printf("  tunables: queue %u, batch %u, shared %u, alien %u\n", info.queue_size, info.batch,
		    info.shared_size, info.alien_size);
	std::printf("  objects %" PRIu64 ", available %" PRIu64 ", in use %" PRIu64 ", in queues %" PRIu64
		    ", memory %.1f MiB\n",
		    info.total, info.available, info.total - info.available, info.in_queues, mib(info.mem_bytes));
	std::printf("  %5s %6s %11s %12s %12s %12s %12s %8s %8s %10s %10s %10s\n", "lcore", "socket", "queue", "alloc fast",
		    "alloc slow", "free fast", "free slow", "refills", "flushes", "alien sent", "alien recv", "remote");
	unsigned lc;
	RTE_LCORE_FOREACH(lc) {
		slubq_stats st;
		uint32_t fill = 0, size = 0;
		if (slubq_cache_stats(c, int(lc), &st) != 0)
			continue;
		slubq_cache_queue_fill(c, lc, &fill, &size);
		char queue[24];
		std::snprintf(queue, sizeof(queue), "%u/%u", fill, size);
		std::printf("  %5u %6u %11s %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %8" PRIu64 " %8" PRIu64
			    " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n",
			    lc, slubq_topology_lcore_socket(lc), queue, st.alloc_fast, st.alloc_slow, st.free_fast,
			    st.free_slow, st.refills, st.flushes, st.alien_sent, st.alien_received, st.remote_allocs);
	}
	std::printf("  %6s %4s %24s %9s %9s %11s %11s %12s\n", "socket", "real", "slabs partial/full/empty",
		    "objects", "free bits", "shared", "alien", "memory");
	for (unsigned s = 0; s < info.nr_sockets && s < SLUBQ_MAX_SOCKETS; s++) {
		const slubq_node_info &n = info.node[s];
		char slabs[48], shared[24], alien[24];
		std::snprintf(slabs, sizeof(slabs), "%" PRIu64 "/%" PRIu64 "/%" PRIu64, n.slabs_partial, n.slabs_full,
			      n.slabs_empty);
		std::snprintf(shared, sizeof(shared), "%u/%u", n.shared_count, n.shared_size);
		std::snprintf(alien, sizeof(alien), "%u/%u", n.alien_count, n.alien_size);
		std::printf("  %6u %4d %24s %9" PRIu64 " %9" PRIu64 " %11s %11s %8.1f MiB\n", n.socket, n.real_socket, slabs,
			    n.objects, n.free_in_slabs, shared, alien, mib(n.mem_bytes));
	}
}

} // namespace fwd
