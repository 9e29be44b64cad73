/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 8 (beside telemetry/ and malloc/): one object as the debug checks
// see it: its slab, slot index, debug record and red zones, and the byte
// checks shared by the alloc/free paths and verify. Internal to
// lib/slubq/debug.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include "cache/cache.hpp"
#include "cache/cache_debug.hpp"
#include "slab/slot_layout.hpp"

namespace slubq {

inline const void *caller_of(const debug_op &op) { return op.caller != nullptr ? op.caller : app_caller(op.ra); }

inline obj_track *track_of(const slubq_cache *c, const slab *s, std::uint32_t idx)
{
	if (c->geo.meta_size == 0)
		return nullptr;
	return reinterpret_cast<obj_track *>(reinterpret_cast<char *>(const_cast<slab *>(s)) + c->geo.meta_off +
					     std::size_t(idx) * c->geo.meta_size);
}

inline std::uint8_t state_of(const obj_track *t) { return __atomic_load_n(&t->state, __ATOMIC_ACQUIRE); }

const char *state_name(std::uint8_t state);

// A byte range that should hold one pattern.
struct byte_span {
	std::uint8_t *p;
	std::uint32_t len;
	const char *name;
};

// Red zones exist when the cache owns its slot layout (elastic + SLUBQ_F_RED_ZONE).
inline bool has_red_zones(const slubq_cache *c) { return c->dbg.red_zone != 0; }
inline byte_span left_zone(const slubq_cache *c, void *obj)
{
	return {static_cast<std::uint8_t *>(obj) - c->geo.obj_offset, c->geo.obj_offset, "left red zone"};
}
inline byte_span right_zone(const slubq_cache *c, void *obj)
{
	return {static_cast<std::uint8_t *>(obj) + c->geo.obj_size, c->geo.stride - c->geo.obj_offset - c->geo.obj_size,
		"right red zone"};
}

// Offset of the first byte of s that is not v, or -1.
long first_bad_byte(const byte_span &s, std::uint8_t v);
// Offset of the first byte of obj that does not hold the free poison, or -1.
long first_bad_poison(const slubq_cache *c, const void *obj);
void fill_poison(const slubq_cache *c, void *obj);
void fill_red_zones(const slubq_cache *c, void *obj, std::uint8_t v);

// Report (and count) one problem of obj, with its debug record when it has one.
// fmt describes the problem; op (may be null) is the operation that found it.
void debug_problem(slubq_cache *c, const void *obj, const char *what, const debug_op *op, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

// verify's own problem list, told about each problem besides the log.
using problem_fn = std::function<void(const char *)>;

// Check both red zones of obj against pattern v; report and repair damage.
// Returns the number of damaged zones.
unsigned check_red_zones(slubq_cache *c, void *obj, std::uint8_t v, const char *what, const debug_op *op,
			 const problem_fn *also = nullptr);
// Check the poison of a free object; report (write after free) and restore it.
bool check_poison(slubq_cache *c, void *obj, const char *what, const debug_op *op, const problem_fn *also = nullptr);

// An rte_mbuf coming back to its pool must be as rte_mbuf_raw_free()
// asserts: refcnt 1, next NULL, nb_segs 1, direct. Reports what is not (the
// free goes on: it is still an object of the pool).
void check_mbuf_freed(slubq_cache *c, const void *obj, const debug_op &op);

// "caller 0x7f.. (symbol+0x1c in libfoo.so)": the symbol when the dynamic
// symbol table knows it, and the object file.
void format_caller(char *buf, std::size_t len, std::uint64_t caller);

// Is the page at p mapped memory of the EAL? (A random pointer's slab header
// may not be mapped; memseg lists reserve more address space than they map.)
bool in_eal_memory(const void *p);

// Does obj lie in a slab (of any cache)? Its would-be header is read only
// where it is known to be mapped: EAL memory (elastic slabs, most pools),
// or, for a fixed source, chunks populated into c (they may be any
// memory; source/spans.hpp). Elsewhere (a random pointer) it is refused.
inline bool in_some_slab(const slubq_cache *c, const void *obj)
{
	const slab *s = slab_of(c->geo, obj);
	if (s == nullptr)
		return false;
	const bool readable = in_eal_memory(s) || (c->src.kind != SLUBQ_SOURCE_ELASTIC &&
						   spans_may_hold(c->spans, reinterpret_cast<std::uintptr_t>(s)));
	return readable && s->magic == slab_magic;
}

} // namespace slubq
