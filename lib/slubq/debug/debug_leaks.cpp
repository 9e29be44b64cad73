/* SPDX-License-Identifier: BSD-3-Clause */
// Leak reports: the objects of a debug cache whose record says
// "allocated", counted, and the oldest of them (by allocation TSC) with
// who allocated them. For "which code leaked this mbuf" when a pool is
// freed or a process exits, and for telemetry's /slubq/leaks.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <vector>
#include <rte_cycles.h>
#include "common/log.hpp"
#include "debug/debug_object.hpp"
#include "debug/slubq_debug.h"

using namespace slubq;

namespace {

// Keeps the max oldest leaks seen (sorted, oldest first).
struct oldest_list {
	std::vector<slubq_leak> v;
	unsigned max;

	void offer(const slubq_leak &l)
	{
		auto older = [](const slubq_leak &a, const slubq_leak &b) { return a.alloc_tsc < b.alloc_tsc; };
		if (max == 0 || (v.size() == max && !older(l, v.back())))
			return;
		v.insert(std::upper_bound(v.begin(), v.end(), l, older), l);
		if (v.size() > max)
			v.pop_back();
	}
};

// Only partial and full slabs hold allocated objects.
std::uint64_t walk_slabs(slubq_cache *c, oldest_list &out)
{
	std::uint64_t n_out = 0;
	for (unsigned s = 0; s < c->nr_sockets; s++) {
		node *nd = c->nodes[s];
		for (slab_list *l : {&nd->partial, &nd->full}) {
			std::uint64_t n = 0;
			for (slab *sl = l->head; sl != nullptr && n < l->count; sl = slab_next(sl), n++) {
				if (sl->magic != slab_magic || sl->owner != c)
					continue;
				for (std::uint32_t i = 0; i < sl->nr_objs; i++) {
					const obj_track *t = track_of(c, sl, i);
					if (state_of(t) != OBJ_ALLOCATED)
						continue;
					n_out++;
					out.offer({slab_obj(c->geo, sl, i), t->alloc_lcore, std::uintptr_t(t->alloc_caller),
						   t->alloc_tsc});
				}
			}
		}
	}
	return n_out;
}

} // namespace

extern "C" int slubq_cache_leaks(struct slubq_cache *c, struct slubq_leak *oldest, unsigned int max, uint64_t *nr_out)
{
	if (c == nullptr || c->magic != cache_magic || (max != 0 && oldest == nullptr))
		return fail(EINVAL);
	if (c->geo.meta_size == 0)
		return fail(ENOTSUP);
	oldest_list list{{}, max};
	list.v.reserve(std::min(max, 1024u) + 1);
	// verify's lock order: every alien queue, then every node.
	for (unsigned s = 0; s < c->nr_sockets; s++)
		for (unsigned h = 0; h < c->nr_sockets; h++)
			alien_lock(c->nodes[s]->alien[h]);
	for (unsigned s = 0; s < c->nr_sockets; s++)
		node_lock(nodes_of(c), c->nodes[s]);
	std::uint64_t n = walk_slabs(c, list);
	for (unsigned s = c->nr_sockets; s-- > 0;)
		node_unlock(c->nodes[s]);
	for (unsigned s = 0; s < c->nr_sockets; s++)
		for (unsigned h = 0; h < c->nr_sockets; h++)
			alien_unlock(c->nodes[s]->alien[h]);
	std::copy(list.v.begin(), list.v.end(), oldest);
	if (nr_out != nullptr)
		*nr_out = n;
	return int(list.v.size());
}

extern "C" int64_t slubq_cache_log_leaks(struct slubq_cache *c, unsigned int max)
{
	std::vector<slubq_leak> v(max);
	std::uint64_t n = 0;
	int k = slubq_cache_leaks(c, v.data(), max, &n);
	if (k < 0)
		return k;
	if (n == 0)
		return 0;
	SLUBQ_LOG(WARNING, "cache %s: %" PRIu64 " object(s) still allocated (leaked?)%s", c->name, n,
		  k > 0 ? "; the oldest:" : "");
	const std::uint64_t now = rte_rdtsc(), hz = rte_get_tsc_hz();
	for (int i = 0; i < k; i++) {
		const slubq_leak &l = v[std::size_t(i)];
		char who[280];
		format_caller(who, sizeof(who), l.alloc_caller);
		char lcore[24];
		if (l.alloc_lcore == LCORE_ID_ANY)
			std::snprintf(lcore, sizeof(lcore), "non-EAL thread");
		else
			std::snprintf(lcore, sizeof(lcore), "lcore %u", l.alloc_lcore);
		if (l.alloc_tsc == 0)
			SLUBQ_LOG(WARNING, "cache %s: leak %d of %" PRIu64 ": %p (no owner tracking: debug track off)",
				  c->name, i + 1, n, l.obj);
		else
			SLUBQ_LOG(WARNING, "cache %s: leak %d of %" PRIu64 ": %p allocated by %s, %s, %.3f s ago", c->name,
				  i + 1, n, l.obj, lcore, who, double(now - l.alloc_tsc) / double(hz));
	}
	return std::int64_t(n);
}
