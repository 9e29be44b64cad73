/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 3: is a pointer an object of a cache? By arithmetic on the slab
// geometry and the cache's recorded memory ranges, never by reading the
// object.
#pragma once

#include <cstdint>
#include "common/compiler.hpp"
#include "slab/slab.hpp"
#include "source/spans.hpp"

namespace slubq {

// Why a pointer is not an object of a cache (NULL, outside the cache's
// memory — another cache's object is —, not the start of a slot:
// interior, a slab header, past a short slab's last slot), or nullptr when
// it is one; for pointers the fast path queued without looking, when they
// leave the queue (cache/cache_slow.cpp) or reach their node. The memory
// ranges recorded for the cache (source/spans.hpp) say where its slabs are, so a pointer is checked by
// arithmetic: in a range (the last few ranges found are remembered), then
// the start of a slot (a multiply by the stride's reciprocal). Nothing at
// the pointer is read — that may be unmapped, and a slab header the
// freeing lcore's cache does not hold costs more than the check. Only the
// last slab of a range may be short (a chunk's tail): its slot count is
// read once per range. When the table has overflowed, the slab header is
// checked instead.
inline constexpr const char *why_not_slot = "pointer is not the start of an object (interior or misaligned)";

struct object_checker {
	struct range {
		std::uintptr_t lo, hi;  // a recorded range
		std::uintptr_t tail;    // its last slab
		std::uint32_t tail_slots; // UINT32_MAX: not read yet
	};
	static constexpr unsigned ways = 4;
	const geometry g;       // a copy: kept in registers over a run
	const span_table &spans;
	const slubq_cache *owner; // what the cache's slab headers hold
	// known[0]: the range used last (empty at first); known[1..nknown):
	// others seen. Not zero-filled as a whole: a 128-byte fill right before
	// the first reads of it stalled them (store forwarding), per call.
	range known[ways];
	unsigned nknown = 1;
	unsigned next = 1;

	object_checker(const geometry &geo, const span_table &t, const slubq_cache *o) : g(geo), spans(t), owner(o)
	{
		known[0].lo = known[0].hi = 0;
	}
	// Inline: a pointer into the range used last (a flush holds runs of one chunk).
	SLUBQ_FAST const char *problem(const void *obj)
	{
		const std::uintptr_t s = reinterpret_cast<std::uintptr_t>(obj) & g.slab_mask;
		range &k = known[0];
		if (SLUBQ_LIKELY(s - k.lo < k.hi - k.lo)) {
			const std::uint32_t slots = s == k.tail ? tail_slots(known[0]) : g.objs_per_slab;
			return SLUBQ_LIKELY(slot_index(g, s, slots, obj) != UINT32_MAX) ? nullptr : why_not_slot;
		}
		return problem_slow(obj);
	}
	const char *problem_slow(const void *obj);
	// The short slab's slot count, read from its header the first time a
	// pointer falls in it (a header no lcore touches: a cache miss that
	// most checks need not pay).
	static std::uint32_t tail_slots(range &k)
	{
		if (SLUBQ_UNLIKELY(k.tail_slots == UINT32_MAX))
			k.tail_slots = reinterpret_cast<const slab *>(k.tail)->nr_objs;
		return k.tail_slots;
	}
};

} // namespace slubq
