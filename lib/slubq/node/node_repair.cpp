/* SPDX-License-Identifier: BSD-3-Clause */
// Repair of a node whose lock was taken over from a dead process (see
// common/plock.hpp). The process may have died anywhere inside a critical
// section. The slow paths order their stores (crash_order()) so that an
// object being moved is at worst in no container, never in two; what can
// be half-done is the node's own bookkeeping: list links, counts, a stack
// count ahead of its array, a magazine listed but not yet counted. All of
// it is rebuilt here from the slabs' bitmaps, which are the truth: a bit
// is set by one store, so a slot is either free or not.
#include <cinttypes>
#include <unordered_set>
#include <vector>
#include <rte_malloc.h>
#include "common/log.hpp"
#include "node/node.hpp"

namespace slubq {

namespace {

bool slab_of_node(const node_set &ns, const node *nd, const slab *s)
{
	return s != nullptr && s->magic == slab_magic && s->owner == ns.owner && s->socket == nd->socket;
}

// Slabs reachable from one list, both ways; a half-linked list may hold a
// cycle or a stale link, so every walk is bounded and stops at a stranger.
void collect_list(const node_set &ns, const node *nd, const slab_list &l, std::size_t bound,
		  std::unordered_set<slab *> &seen, std::vector<slab *> &out)
{
	for (slab *s = l.head; slab_of_node(ns, nd, s) && out.size() < bound && seen.insert(s).second; s = slab_next(s))
		out.push_back(s);
	for (slab *s = l.tail; slab_of_node(ns, nd, s) && out.size() < bound && seen.insert(s).second; s = slab_prev(s))
		out.push_back(s);
}

} // namespace

void stack_repair(obj_stack &st)
{
	if (st.count > st.capacity)
		st.count = st.capacity;
	if (st.size > st.capacity)
		st.size = st.capacity;
}

void node_repair(const node_set &ns, node *nd)
{
	const geometry &g = ns.geo;
	// 1. Every slab of the node: from the lists, and (elastic) from the chunks.
	std::unordered_set<slab *> seen;
	std::vector<slab *> slabs;
	const std::size_t bound = std::size_t(nd->nr_objs) + 3;
	collect_list(ns, nd, nd->partial, bound, seen, slabs);
	collect_list(ns, nd, nd->full, bound, seen, slabs);
	collect_list(ns, nd, nd->empty, bound, seen, slabs);
	for (chunk *ch = nd->chunks; ch != nullptr; ch = ch->next) {
		ch->empty_slabs = 0; // recounted by list_add below
		auto *base = static_cast<char *>(ch->mz->addr);
		for (std::uint32_t i = 0; i < ch->nr_slabs; i++) {
			auto *s = reinterpret_cast<slab *>(base + (std::uint64_t(i) << g.slab_shift));
			if (slab_of_node(ns, nd, s) && seen.insert(s).second)
				slabs.push_back(s);
		}
	}
	// 2. Lists and counts again, from the bitmaps.
	nd->partial = nd->full = nd->empty = slab_list{};
	std::uint64_t free_objs = 0, slots = 0;
	for (slab *s : slabs) {
		slab_set_nr_free(s, slab_count_free(g, s));
		slab_set_hint(s, 0);
		slab_on_list(s) = LIST_NONE;
		slab_next(s) = slab_prev(s) = nullptr;
		list_fix(nd, s);
		free_objs += slab_nr_free(s);
		slots += s->nr_objs;
	}
	nd->free_objs = free_objs;
	// 3. Queued objects: each at most once, only ours, only if its slot is
	//    not free (a queued object's bit is clear).
	std::unordered_set<void *> queued;
	auto keep = [&](void *o) {
		slab *s = slab_of(g, o);
		if (o == nullptr || seen.count(s) == 0)
			return false;
		std::uint32_t idx = slab_index(g, s, o);
		return idx != UINT32_MAX && !slab_bit(s, idx) && queued.insert(o).second;
	};
	auto compact = [&](void **objs, std::uint32_t n) {
		std::uint32_t k = 0;
		for (std::uint32_t i = 0; i < n; i++)
			if (keep(objs[i]))
				objs[k++] = objs[i];
		return k;
	};
	std::uint64_t before = node_queued(nd);
	stack_repair(nd->shared);
	nd->shared.count = compact(nd->shared.objs, nd->shared.count);
	depot &d = nd->dep;
	d.nr_full = std::min(d.nr_full, depot_slots);
	d.nr_empty = std::min(d.nr_empty, depot_slots);
	// An array listed twice (a move cut short) is kept once.
	std::unordered_set<void **> arrays{nd->shared.objs};
	std::uint32_t nf = 0, ne = 0;
	d.objs = 0;
	for (std::uint32_t i = 0; i < d.nr_full; i++) {
		magazine m = d.full[i];
		if (m.objs == nullptr || !arrays.insert(m.objs).second)
			continue;
		m.count = compact(m.objs, std::min(m.count, m.capacity));
		d.objs += m.count;
		d.full[nf++] = m;
	}
	// A magazine whose move was cut short belongs to the depot unless its
	// holder took it (or never let go of it).
	magazine_move &mv = nd->moving;
	if (mv.holder != nullptr && *mv.holder != mv.m.objs && mv.m.objs != nullptr && nf < depot_slots &&
	    arrays.insert(mv.m.objs).second) {
		magazine m = mv.m;
		m.count = compact(m.objs, std::min(m.count, m.capacity));
		d.objs += m.count;
		d.full[nf++] = m;
	}
	mv.holder = nullptr;
	for (std::uint32_t i = 0; i < d.nr_empty; i++)
		if (d.empty[i].objs != nullptr && arrays.insert(d.empty[i].objs).second)
			d.empty[ne++] = magazine{d.empty[i].objs, 0, d.empty[i].capacity};
	d.nr_full = nf;
	d.nr_empty = ne;
	nd->stats.repairs++;
	SLUBQ_LOG(ERR,
		  "cache %s node %u: repaired after a process died holding its lock: %zu slabs, %" PRIu64
		  " free, %" PRIu64 " queued (was %" PRIu64 "), %" PRIu64 " slots not found in any list",
		  ns.name, unsigned(nd->socket), slabs.size(), free_objs, node_queued(nd), before,
		  nd->nr_objs > slots ? nd->nr_objs - slots : 0);
}

} // namespace slubq
