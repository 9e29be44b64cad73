/* SPDX-License-Identifier: BSD-3-Clause */
// Object checks off the inline path: ranges not seen yet (slab/object_checker.hpp).
#include "slab/object_checker.hpp"

#include <algorithm>
#include <utility>

namespace slubq {

namespace {

// The table overflowed: the slab header says (it may be unmapped: a fault).
const char *header_problem(const geometry &g, const slubq_cache *owner, const void *obj)
{
	const slab *s = slab_of(g, obj);
	if (s->magic != slab_magic || s->owner != owner)
		return "not an object of this cache (foreign pointer: not its slab)";
	return slab_index(g, s, obj) == UINT32_MAX ? why_not_slot : nullptr;
}

} // namespace

const char *object_checker::problem_slow(const void *obj)
{
	const std::uintptr_t s = reinterpret_cast<std::uintptr_t>(obj) & g.slab_mask;
	if (obj == nullptr)
		return "NULL pointer";
	unsigned w = 1;
	while (w < nknown && !(s - known[w].lo < known[w].hi - known[w].lo))
		w++;
	if (w < nknown) {
		std::swap(known[0], known[w]);
		return problem(obj);
	}
	span r;
	switch (spans_find(spans, s, &r)) {
	case span_answer::no:
		return "not an object of this cache (foreign pointer: not in its memory)";
	case span_answer::unknown:
		return s == 0 ? "not an object of this cache (foreign pointer: not in its memory)" : header_problem(g, owner, obj);
	case span_answer::yes:
		break;
	}
	// The newcomer goes first; the one it displaces takes a slot in turn.
	if (known[0].hi != 0) { // (the first range found displaces nothing)
		known[next] = known[0];
		nknown = std::max(nknown, next + 1);
		next = next + 1 < ways ? next + 1 : 1;
	}
	const std::uintptr_t tail = (r.hi - 1) & g.slab_mask;
	known[0] = range{r.lo, r.hi, tail, UINT32_MAX};
	return problem(obj);
}

} // namespace slubq
