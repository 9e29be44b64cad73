/* SPDX-License-Identifier: BSD-3-Clause */
// verify's debug part: every object's debug state agrees with where the
// object is, and the bytes the allocator owns (red zones, poison) are
// intact. Where an object is:
//   bit set in its slab            -> free: state never allocated or free
//   bit clear, held by a queue     -> free: state free
//   bit clear, in no queue         -> the application's: state allocated
#include <cstdio>
#include <unordered_set>
#include "debug/debug_object.hpp"

namespace slubq {

namespace {

// Every object held by a queue (shared, alien, lcore, lcore alien buffer): free but out of its slab.
std::unordered_set<const void *> queued_objects(const slubq_cache *c)
{
	std::unordered_set<const void *> q;
	for (unsigned s = 0; s < c->nr_sockets; s++) {
		const node *nd = c->nodes[s];
		q.insert(nd->shared.objs, nd->shared.objs + std::min(nd->shared.count, nd->shared.capacity));
		depot_for_each(nd, [&](void *const *objs, std::uint32_t count) { q.insert(objs, objs + count); });
		for (unsigned h = 0; h < c->nr_sockets; h++)
			if (h != s)
				q.insert(nd->alien[h].q.objs,
					 nd->alien[h].q.objs + std::min(nd->alien[h].q.count, nd->alien[h].q.capacity));
	}
	for (const lcore_queue &lq : c->queues)
		if (lq.active)
			q.insert(lq.objs, lq.objs + std::min(lq.count, lq.capacity));
	for (const lcore_alien &la : c->aliens)
		for (const obj_stack &b : la.home)
			if (b.objs != nullptr)
				q.insert(b.objs, b.objs + std::min(b.count, b.capacity));
	return q;
}

void wrong_state(const slubq_cache *c, const void *obj, const char *where, std::uint8_t st, const problem_fn &problem)
{
	char msg[200];
	std::snprintf(msg, sizeof(msg), "object %p of cache %s is %s, but its debug state says %s", obj, c->name,
		      where, state_name(st));
	problem(msg);
}

void check_slab(slubq_cache *c, slab *s, const std::unordered_set<const void *> &queued, const problem_fn &problem)
{
	const bool poison = c->dbg.flags & SLUBQ_F_POISON;
	for (std::uint32_t i = 0; i < s->nr_objs; i++) {
		void *obj = slab_obj(c->geo, s, i);
		std::uint8_t st = state_of(track_of(c, s, i));
		bool free_obj;
		if (slab_bit(s, i)) {
			free_obj = true;
			if (st == OBJ_ALLOCATED)
				wrong_state(c, obj, "free in its slab", st, problem);
		} else if (queued.count(obj)) {
			free_obj = true;
			if (st != OBJ_FREE)
				wrong_state(c, obj, "free in a queue", st, problem);
		} else {
			free_obj = false;
			if (st != OBJ_ALLOCATED)
				wrong_state(c, obj, "out of its slab and in no queue (allocated)", st, problem);
		}
		if (st == OBJ_NEW)
			continue; // no poison, no red zones written yet
		if (free_obj && st == OBJ_FREE && poison)
			check_poison(c, obj, "verify", nullptr, &problem);
		if (has_red_zones(c))
			check_red_zones(c, obj, st == OBJ_FREE ? red_inactive : red_active, "verify", nullptr, &problem);
	}
}

} // namespace

void debug_verify(slubq_cache *c, const std::function<void(const char *)> &problem)
{
	if (c->geo.meta_size == 0)
		return;
	const auto queued = queued_objects(c);
	for (unsigned s = 0; s < c->nr_sockets; s++) {
		node *nd = c->nodes[s];
		for (slab_list *l : {&nd->partial, &nd->full, &nd->empty}) {
			std::uint64_t n = 0;
			// The list itself was checked by verify; stay bounded if it loops.
			for (slab *sl = l->head; sl != nullptr && n < l->count; sl = slab_next(sl), n++)
				if (sl->magic == slab_magic && sl->owner == c)
					check_slab(c, sl, queued, problem);
		}
	}
}

} // namespace slubq
