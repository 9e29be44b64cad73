/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 3: a slab is a power-of-two block aligned to its size. Its header
// (owner, socket, counts, list links) and a free bitmap (bit set = free,
// any number of 64-bit words, starting inside the header's second cache
// line; or one line for both, the compact layout below) sit at its start,
// then the object slots.
// Object -> slab is an address mask; slot index is a multiply by a
// precomputed reciprocal (no division). The allocator never reads or
// writes object memory (debug modes excepted).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <rte_memory.h>
#include "common/assert.hpp"
#include "common/compiler.hpp"

struct slubq_cache;

namespace slubq {

struct chunk;

enum slab_list_id : std::uint8_t { LIST_NONE = 0, LIST_PARTIAL, LIST_FULL, LIST_EMPTY };

constexpr std::uint32_t slab_magic = 0x51ab51ab;

// Two layouts; owner, slot count, socket, layout and magic sit at the same
// offsets in both, so that the free path reads them without asking which.
//
// Full (every cache unless compact wins an object): two cache lines, the
// bitmap starts in the second. The first is written once, when the slab is
// made, and read by every free (magic, owner, home socket); the second
// (list links, counts and the first four bitmap words) changes under the
// node lock. Kept apart so that an lcore freeing objects of a slab does
// not miss on a line the lcore allocating from it keeps writing (the
// pipeline and cross-socket cases). A slab of up to 256 objects keeps its
// whole header and bitmap in these 128 bytes.
//
// Compact: one cache line holding the header and a bitmap of up to 192
// objects, for fixed sources told their count only, and only where the 64
// bytes it saves make room for one more object (a page's tail after its
// last object is under 128 B: 2 MiB = 151 x 13888 + 64) and that saves the
// pool at least one slot's memory (geometry_make). It gives up the line split: the
// links, counts and bitmap written under the node lock share the line that
// every free reads, so a free may miss on it while another lcore takes
// objects from the slab. It also keeps no `from` (fixed sources have none)
// and no IOVA (slab_iova asks the EAL). The line is written under the
// node lock only, which the lists' users take anyway; what it costs is a
// miss for a free path that reads the slab without the lock (the remote
// check of multi-socket caches). mbuf pools (hundreds of objects per 2 MiB slab)
// never get it.
enum slab_layout : std::uint8_t { LAYOUT_FULL = 0, LAYOUT_COMPACT = 1 };
constexpr std::uint32_t compact_max_objs = 192;

struct slab {
	// --- read-mostly: set when the slab is made (both layouts) ---
	slubq_cache *owner;      // cache this slab belongs to
	std::uint32_t nr_objs;   // slots in this slab (a short last slab may hold fewer)
	std::uint16_t socket;    // logical socket (node) that owns it
	std::uint8_t layout;     // slab_layout
	std::uint8_t c_list;     // compact: slab_list_id
	union {
		struct {                 // full layout
			chunk *from;     // elastic: memzone it was cut from; fixed: null
			std::uint64_t pad1;
			rte_iova_t iova; // IOVA of the slab start, or RTE_BAD_IOVA
		};
		std::uint64_t c_bitmap[3]; // compact: bit i set = slot i free
	};
	std::uint32_t magic;
	std::uint16_t c_nr_free; // compact: == popcount(c_bitmap)
	std::uint8_t c_hint;     // compact: lowest bitmap word that may have a set bit
	std::uint8_t pad2;
	slab *c_next;            // compact: node list links
	slab *c_prev;
	// --- full layout: written under the node lock ---
	alignas(cache_line) slab *f_next; // node list links (hugepage memory only)
	slab *f_prev;
	std::uint32_t f_nr_free; // == popcount(f_bitmap)
	std::uint32_t f_hint;    // lowest bitmap word that may have a set bit
	std::uint8_t f_list;     // slab_list_id
	std::uint8_t pad4[7];
	std::uint64_t f_bitmap[]; // bit i set = slot i free (runs past the header when long)
};
static_assert(sizeof(slab) == 2 * cache_line, "slab header: a read-mostly line, then a written line");
static_assert(offsetof(slab, f_next) == cache_line);
static_assert(offsetof(slab, c_prev) + sizeof(slab *) == cache_line, "compact: header and bitmap in one line");
static_assert(sizeof(slab::c_bitmap) * 8 == compact_max_objs);
// Where the bitmap starts: header and bitmap take max(bitmap_off + 8 x words, header bytes).
constexpr std::size_t slab_bitmap_off = cache_line + 32;
constexpr std::size_t compact_bitmap_off = 16;
static_assert(offsetof(slab, f_bitmap) == slab_bitmap_off, "bitmap right after the written fields");
static_assert(offsetof(slab, c_bitmap) == compact_bitmap_off);
static_assert(std::is_standard_layout_v<slab>);

// The written fields, whichever layout (the node lock's side).
SLUBQ_FAST bool slab_compact(const slab *s) { return SLUBQ_UNLIKELY(s->layout == LAYOUT_COMPACT); }
SLUBQ_FAST slab *&slab_next(slab *s) { return slab_compact(s) ? s->c_next : s->f_next; }
SLUBQ_FAST slab *&slab_prev(slab *s) { return slab_compact(s) ? s->c_prev : s->f_prev; }
SLUBQ_FAST slab *slab_next(const slab *s) { return slab_compact(s) ? s->c_next : s->f_next; }
SLUBQ_FAST slab *slab_prev(const slab *s) { return slab_compact(s) ? s->c_prev : s->f_prev; }
SLUBQ_FAST std::uint8_t &slab_on_list(slab *s) { return slab_compact(s) ? s->c_list : s->f_list; }
SLUBQ_FAST std::uint8_t slab_on_list(const slab *s) { return slab_compact(s) ? s->c_list : s->f_list; }
SLUBQ_FAST std::uint32_t slab_nr_free(const slab *s) { return slab_compact(s) ? s->c_nr_free : s->f_nr_free; }
SLUBQ_FAST void slab_set_nr_free(slab *s, std::uint32_t n)
{
	if (slab_compact(s))
		s->c_nr_free = std::uint16_t(n);
	else
		s->f_nr_free = n;
}
SLUBQ_FAST std::uint32_t slab_hint(const slab *s) { return slab_compact(s) ? s->c_hint : s->f_hint; }
SLUBQ_FAST void slab_set_hint(slab *s, std::uint32_t w)
{
	if (slab_compact(s))
		s->c_hint = std::uint8_t(w);
	else
		s->f_hint = w;
}
SLUBQ_FAST std::uint64_t *slab_bitmap(slab *s) { return slab_compact(s) ? s->c_bitmap : s->f_bitmap; }
SLUBQ_FAST const std::uint64_t *slab_bitmap(const slab *s) { return slab_compact(s) ? s->c_bitmap : s->f_bitmap; }
SLUBQ_FAST chunk *slab_from(const slab *s) { return slab_compact(s) ? nullptr : s->from; }
// IOVA of the slab start (compact slabs: what the EAL maps there).
rte_iova_t slab_iova(const slab *s);

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
	std::uint32_t layout;         // slab_layout of its slabs
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
// With pick_max != 0 (a fixed source told its count) slabs may take the
// compact header (above): in the pick, only where that needs at least one
// slot's memory less for the count than the best full layout; with a
// given slab size, where it holds one object more.
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
	return (slab_bitmap(s)[idx >> 6] >> (idx & 63)) & 1;
}

// Initialise a slab of nr_objs slots, all free.
void slab_init(const geometry &g, slab *s, slubq_cache *owner, chunk *from, rte_iova_t iova,
	       std::uint32_t nr_objs, std::uint16_t socket);

// Take up to n free objects in address order (tzcnt over the bitmap words).
std::uint32_t slab_take(const geometry &g, slab *s, void **out, std::uint32_t n);

// Mark idx free. Returns false (and changes nothing) when it already was.
bool slab_put_compact(slab *s, std::uint32_t idx);
SLUBQ_FAST bool slab_put(slab *s, std::uint32_t idx)
{
	SLUBQ_ASSERT(idx < s->nr_objs);
	if (slab_compact(s))
		return slab_put_compact(s, idx);
	std::uint64_t bit = std::uint64_t(1) << (idx & 63);
	std::uint64_t &w = s->f_bitmap[idx >> 6];
	if (SLUBQ_UNLIKELY(w & bit))
		return false;
	w |= bit;
	SLUBQ_ASSERT(s->f_nr_free < s->nr_objs);
	s->f_nr_free++;
	if ((idx >> 6) < s->f_hint)
		s->f_hint = idx >> 6;
	return true;
}

// popcount of the bitmap (verify).
std::uint32_t slab_count_free(const geometry &g, const slab *s);

} // namespace slubq
