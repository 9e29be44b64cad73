/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 3: a slab is a power-of-two block aligned to its size. Its header
// (owner, socket, counts, list links) and a free bitmap (bit set = free,
// any number of 64-bit words, starting inside the header's second cache
// line) sit at its start, then the object slots.
// Object -> slab is an address mask; slot index is a multiply by a
// precomputed reciprocal (no division). The allocator never reads or
// writes object memory (debug modes excepted).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <rte_memory.h>
#include "common/compiler.hpp"

struct slubq_cache;

namespace slubq {

struct chunk;

enum slab_list_id : std::uint8_t { LIST_NONE = 0, LIST_PARTIAL, LIST_FULL, LIST_EMPTY };

constexpr std::uint32_t slab_magic = 0x51ab51ab;

// Two cache lines; the bitmap starts in the second. The first is written
// once, when the slab is made, and read by every free (magic, owner, home
// socket); the second (list links, counts and the first four bitmap words)
// changes under the node lock. Kept apart so that an lcore freeing objects
// of a slab does not miss on a line the lcore allocating from it keeps
// writing (the pipeline and cross-socket cases). A slab of up to 256
// objects keeps its whole header and bitmap in these 128 bytes.
struct slab {
	// --- read-mostly: set when the slab is made ---
	slubq_cache *owner;      // cache this slab belongs to
	chunk *from;             // elastic: memzone it was cut from; fixed: null
	std::uint16_t socket;    // logical socket (node) that owns it
	std::uint16_t pad0;
	std::uint32_t nr_objs;   // slots in this slab (a short last slab may hold fewer)
	std::uint64_t pad1;
	rte_iova_t iova;         // IOVA of the slab start, or RTE_BAD_IOVA
	std::uint32_t magic;
	std::uint32_t pad2;
	std::uint64_t pad3[2];
	// --- written under the node lock ---
	alignas(cache_line) slab *next; // node list links (hugepage memory only)
	slab *prev;
	std::uint32_t nr_free;   // == popcount(bitmap)
	std::uint32_t hint;      // lowest bitmap word that may have a set bit
	std::uint8_t list;       // slab_list_id
	std::uint8_t pad4[7];
	std::uint64_t bitmap[];  // bit i set = slot i free (runs past the header when long)
};
static_assert(sizeof(slab) == 2 * cache_line, "slab header: a read-mostly line, then a written line");
static_assert(offsetof(slab, next) == cache_line);
// Where the bitmap starts: header and bitmap take max(slab_bitmap_off + 8 x words, sizeof(slab)).
constexpr std::size_t slab_bitmap_off = cache_line + 32;
static_assert(offsetof(slab, bitmap) == slab_bitmap_off, "bitmap right after the written fields");
static_assert(std::is_standard_layout_v<slab>);

// How a cache lays objects out in its slabs (computed once at creation).
struct geometry {
	std::uint64_t slab_size;      // power of two
	std::uintptr_t slab_mask;     // ~(slab_size - 1)
	std::uint32_t slab_shift;
	std::uint32_t stride;         // bytes per slot
	std::uint32_t obj_offset;     // slot start -> object pointer
	std::uint32_t obj_size;       // bytes the user may use
	std::uint32_t first_off;      // slab start -> first slot
	std::uint32_t objs_per_slab;  // slots in a full slab
	std::uint32_t bitmap_words;
	std::uint32_t meta_off;       // slab start -> per-object debug metadata (0 = none)
	std::uint32_t meta_size;      // bytes of debug metadata per object
	std::uint32_t align;          // slot alignment
	std::uint64_t recip;          // floor((2^64 - 1) / stride) + 1: exact 32-bit division
};

// Choose the geometry: stride and obj_offset are given; slab_objs / slab_size
// may be 0 (choose). pg_limit != 0: the slab must fit in one page of that size.
// When both are 0:
// - pick_max == 0: the smallest power of two of at least 64 KiB holding 8
//   objects (elastic caches: slabs cut from 2 MiB chunks);
// - pick_max != 0: the power of two from 4 KiB up to pick_max (or the
//   smallest that holds one object, when larger) that wastes least: for
//   `count` objects, the least memory for all of them, as
//   slubq_cache_calc_mem_size counts it (full slabs, then a short one);
//   with count 0, the fewest bytes per object in a full slab. Ties go to
//   the smaller slab. min_slabs > 1 (with count): only sizes that cut
//   count objects into at least that many slabs (so that they can be
//   spread over that many sockets), unless none does.
int geometry_make(geometry &g, std::uint32_t stride, std::uint32_t obj_offset,
		  std::uint32_t obj_size, std::uint32_t align, std::uint32_t slab_objs,
		  std::uint64_t slab_size, std::uint64_t pg_limit, std::uint32_t meta_size,
		  std::uint64_t pick_max = 0, std::uint64_t count = 0, std::uint32_t min_slabs = 1);
// Bytes a fixed source needs for n objects of this geometry in chunks
// aligned to the slab size: full slabs, then one short slab (header and
// bitmap of a full one, then the remaining slots).
std::uint64_t geometry_bytes(const geometry &g, std::uint64_t n);
// Slots of this geometry that fit in the first `size` bytes of a slab (short slabs).
std::uint32_t geometry_fit(const geometry &g, std::uint64_t size);

SLUBQ_FAST slab *slab_of(const geometry &g, const void *obj)
{
	return reinterpret_cast<slab *>(reinterpret_cast<std::uintptr_t>(obj) & g.slab_mask);
}

SLUBQ_FAST void *slab_obj(const geometry &g, const slab *s, std::uint32_t idx)
{
	return reinterpret_cast<char *>(const_cast<slab *>(s)) + g.first_off +
	       std::uint64_t(idx) * g.stride + g.obj_offset;
}

// Slot index of obj in the slab at address s of nr_objs slots, or
// UINT32_MAX when obj is not the start of one of them.
SLUBQ_FAST std::uint32_t slot_index(const geometry &g, std::uintptr_t s, std::uint32_t nr_objs, const void *obj)
{
	std::uintptr_t off = reinterpret_cast<std::uintptr_t>(obj) - s;
	if (SLUBQ_UNLIKELY(off < std::uintptr_t(g.first_off) + g.obj_offset))
		return UINT32_MAX;
	off -= g.first_off + g.obj_offset;
	auto idx = std::uint32_t((static_cast<unsigned __int128>(g.recip) * std::uint32_t(off)) >> 64);
	if (SLUBQ_UNLIKELY(off >= (std::uint64_t(1) << 32) || std::uint64_t(idx) * g.stride != off ||
			   idx >= nr_objs))
		return UINT32_MAX;
	return idx;
}

// Slot index of obj, or UINT32_MAX when obj is not the start of a slot of s.
SLUBQ_FAST std::uint32_t slab_index(const geometry &g, const slab *s, const void *obj)
{
	return slot_index(g, reinterpret_cast<std::uintptr_t>(s), s->nr_objs, obj);
}

SLUBQ_FAST bool slab_bit(const slab *s, std::uint32_t idx)
{
	return (s->bitmap[idx >> 6] >> (idx & 63)) & 1;
}

// Initialise a slab of nr_objs slots, all free.
void slab_init(const geometry &g, slab *s, slubq_cache *owner, chunk *from, rte_iova_t iova,
	       std::uint32_t nr_objs, std::uint16_t socket);

// Take up to n free objects in address order (tzcnt over the bitmap words).
std::uint32_t slab_take(const geometry &g, slab *s, void **out, std::uint32_t n);

// Mark idx free. Returns false (and changes nothing) when it already was.
SLUBQ_FAST bool slab_put(slab *s, std::uint32_t idx)
{
	std::uint64_t bit = std::uint64_t(1) << (idx & 63);
	std::uint64_t &w = s->bitmap[idx >> 6];
	if (SLUBQ_UNLIKELY(w & bit))
		return false;
	w |= bit;
	s->nr_free++;
	if ((idx >> 6) < s->hint)
		s->hint = idx >> 6;
	return true;
}

// popcount of the bitmap (verify).
std::uint32_t slab_count_free(const geometry &g, const slab *s);

} // namespace slubq
