/* SPDX-License-Identifier: BSD-3-Clause */
#include "slab/slab.hpp"

#include <algorithm>
#include <cerrno>
#include "common/log.hpp"
#include "slubq.h"

namespace slubq {

namespace {
constexpr std::uint64_t default_min_slab = 64 * 1024;
constexpr std::uint64_t max_slab = SLUBQ_MAX_SLAB_SIZE;
constexpr std::uint32_t min_objs_per_slab = 8;

struct layout {
	std::uint64_t first_off, meta_off, words;
};

// Header, bitmap and debug metadata for n slots, then the first slot aligned.
// Full: the bitmap starts inside the header's second line
// (slab_bitmap_off); compact: inside its only line (slab.hpp).
layout layout_for(std::uint64_t n, std::uint32_t align, std::uint32_t meta_size, slab_layout how = LAYOUT_FULL)
{
	layout l;
	l.words = (n + 63) / 64;
	if (how == LAYOUT_COMPACT)
		l.meta_off = cache_line;
	else
		l.meta_off = std::max<std::uint64_t>(slab_bitmap_off + l.words * 8, sizeof(slab));
	l.first_off = align_up(l.meta_off + n * meta_size, align < cache_line ? cache_line : align);
	return l;
}

std::uint32_t fit_as(std::uint64_t size, std::uint32_t stride, std::uint32_t align, std::uint32_t meta_size,
		     slab_layout how)
{
	std::uint64_t n = size / stride;
	if (how == LAYOUT_COMPACT && n > compact_max_objs)
		n = compact_max_objs;
	while (n > 0 && layout_for(n, align, meta_size, how).first_off + n * stride > size)
		n--;
	return std::uint32_t(n);
}

// Most slots that fit in a slab of `size` bytes, and the layout that holds
// them: compact only when it holds more (compact_ok: a fixed source told
// its count, whose slabs need no `from` and may do without the line split).
struct fitting {
	std::uint32_t n;
	slab_layout how;
};
fitting fit(std::uint64_t size, std::uint32_t stride, std::uint32_t align, std::uint32_t meta_size,
	    bool compact_ok)
{
	std::uint32_t n = fit_as(size, stride, align, meta_size, LAYOUT_FULL);
	if (compact_ok) {
		std::uint32_t c = fit_as(size, stride, align, meta_size, LAYOUT_COMPACT);
		if (c > n)
			return {c, LAYOUT_COMPACT};
	}
	return {n, LAYOUT_FULL};
}

// Bytes for `count` objects in slabs of `size` holding n each (count 0:
// bytes per object of a full slab, scaled by n so that it compares exactly).
struct cost {
	std::uint64_t bytes, per; // compare bytes / per
};
cost cost_of(std::uint64_t size, std::uint64_t n, std::uint64_t first_off, std::uint32_t stride,
	     std::uint64_t count)
{
	if (count == 0)
		return {size, n};
	std::uint64_t rem = count % n;
	return {(count / n) * size + (rem ? first_off + rem * stride : 0), 1};
}

bool cheaper(const cost &a, const cost &b)
{
	return static_cast<unsigned __int128>(a.bytes) * b.per < static_cast<unsigned __int128>(b.bytes) * a.per;
}

struct pick {
	std::uint64_t size = 0; // 0: none
	cost c{};
	slab_layout how = LAYOUT_FULL;
};

// The slab size that wastes least in one layout (compact: only sizes where
// it holds more than the full header).
pick pick_as(slab_layout how, std::uint32_t stride, std::uint32_t align, std::uint32_t meta_size,
	     std::uint64_t pg_limit, std::uint64_t pick_max, std::uint64_t count, std::uint32_t min_slabs)
{
	std::uint64_t hi = pg_limit != 0 ? pg_limit : max_slab;
	pick best;
	best.how = how;
	for (std::uint64_t size = 4096; size <= hi; size <<= 1) {
		std::uint32_t full = fit_as(size, stride, align, meta_size, LAYOUT_FULL);
		std::uint32_t n = how == LAYOUT_FULL ? full : fit_as(size, stride, align, meta_size, how);
		if (n != 0 && (how == LAYOUT_FULL || n > full)) {
			if (best.size != 0 && count != 0 && (count + n - 1) / n < min_slabs)
				break; // larger slabs only make fewer
			cost c = cost_of(size, n, layout_for(n, align, meta_size, how).first_off, stride, count);
			if (best.size == 0 || cheaper(c, best.c)) {
				best.size = size;
				best.c = c;
			}
		}
		if (n != 0 && size >= pick_max)
			break; // the first size that holds an object may be past pick_max
	}
	return best;
}

// The slab size and layout that waste least (see geometry_make in
// slab.hpp). Compact only where it needs at least one slot's memory less
// than the best full layout (for count 0: less per object): a few bytes of
// a short slab's header are not worth the line split.
pick pick_least_waste(std::uint32_t stride, std::uint32_t align, std::uint32_t meta_size, std::uint64_t pg_limit,
		      std::uint64_t pick_max, std::uint64_t count, std::uint32_t min_slabs, bool compact_ok)
{
	pick full = pick_as(LAYOUT_FULL, stride, align, meta_size, pg_limit, pick_max, count, min_slabs);
	if (!compact_ok)
		return full;
	pick compact = pick_as(LAYOUT_COMPACT, stride, align, meta_size, pg_limit, pick_max, count, min_slabs);
	if (compact.size == 0)
		return full;
	if (full.size == 0)
		return compact;
	bool worth = count != 0 ? compact.c.bytes + stride <= full.c.bytes : cheaper(compact.c, full.c);
	return worth ? compact : full;
}
} // namespace

std::uint32_t geometry_fit(const geometry &g, std::uint64_t size)
{
	// Every slab uses the full slab's layout, so a short one just holds fewer slots.
	if (size < g.first_off)
		return 0;
	std::uint64_t n = (size - g.first_off) / g.stride;
	return n < g.objs_per_slab ? std::uint32_t(n) : g.objs_per_slab;
}

int geometry_make(geometry &g, std::uint32_t stride, std::uint32_t obj_offset, std::uint32_t obj_size,
		  std::uint32_t align, std::uint32_t slab_objs, std::uint64_t slab_size,
		  std::uint64_t pg_limit, std::uint32_t meta_size, std::uint64_t pick_max, std::uint64_t count,
		  std::uint32_t min_slabs)
{
	if (stride == 0 || !is_pow2(align) || std::uint64_t(obj_offset) + obj_size > stride)
		return fail(EINVAL);
	std::memset(&g, 0, sizeof(g));
	const bool compact_ok = pick_max != 0; // a fixed source told how many objects (slab.hpp)
	std::uint64_t size;
	bool picked_full = false;
	if (slab_size == 0 && slab_objs == 0 && pick_max != 0) {
		pick pk = pick_least_waste(stride, align, meta_size, pg_limit, pick_max, count, min_slabs, compact_ok);
		if (pk.size == 0)
			return fail(EINVAL); // no slab within the page (or 1 GiB) holds one object
		size = pk.size;
		picked_full = pk.how == LAYOUT_FULL;
	} else if (slab_size != 0) {
		if (!is_pow2(slab_size) || slab_size < 4096 || slab_size > max_slab)
			return fail(EINVAL);
		size = slab_size;
	} else {
		std::uint32_t want = slab_objs ? slab_objs : min_objs_per_slab;
		size = next_pow2(layout_for(want, align, meta_size).first_off + std::uint64_t(want) * stride);
		if (slab_objs == 0 && size < default_min_slab)
			size = default_min_slab;
		if (size < 4096)
			size = 4096;
		if (pg_limit != 0 && size > pg_limit)
			size = pg_limit;
		while (fit(size, stride, align, meta_size, compact_ok).n == 0 && size < max_slab)
			size <<= 1;
		if (size > max_slab)
			return fail(EINVAL); // objects this large belong in their own memzone
	}
	if (pg_limit != 0 && size > pg_limit)
		return fail(EINVAL);
	auto [n, how] = fit(size, stride, align, meta_size, compact_ok && !picked_full);
	if (n == 0)
		return fail(EINVAL);
	if (slab_objs != 0 && n > slab_objs) {
		n = slab_objs;
		if (how == LAYOUT_COMPACT && fit_as(size, stride, align, meta_size, LAYOUT_FULL) >= n)
			how = LAYOUT_FULL; // compact only where it wins an object
	}
	layout l = layout_for(n, align, meta_size, how);
	g.slab_size = size;
	g.slab_mask = ~std::uintptr_t(size - 1);
	g.slab_shift = log2_exact(size);
	g.stride = stride;
	g.obj_offset = obj_offset;
	g.obj_size = obj_size;
	g.first_off = std::uint32_t(l.first_off);
	g.objs_per_slab = n;
	g.bitmap_words = std::uint32_t(l.words);
	g.meta_off = meta_size ? std::uint32_t(l.meta_off) : 0;
	g.meta_size = meta_size;
	g.align = align;
	g.layout = how;
	g.recip = UINT64_MAX / stride + 1;
	return 0;
}

std::uint64_t geometry_bytes(const geometry &g, std::uint64_t n)
{
	std::uint64_t rem = n % g.objs_per_slab;
	return (n / g.objs_per_slab) * g.slab_size + (rem ? g.first_off + rem * std::uint64_t(g.stride) : 0);
}

void slab_init(const geometry &g, slab *s, slubq_cache *owner, chunk *from, rte_iova_t iova,
	       std::uint32_t nr_objs, std::uint16_t socket)
{
	const bool compact = g.layout == LAYOUT_COMPACT;
	std::memset(static_cast<void *>(s), 0, compact ? std::size_t(cache_line) : sizeof(slab));
	s->owner = owner;
	s->magic = slab_magic;
	s->nr_objs = nr_objs;
	s->socket = socket;
	s->layout = std::uint8_t(g.layout);
	if (!compact) {
		s->from = from;
		s->iova = iova;
	}
	slab_next(s) = slab_prev(s) = nullptr;
	slab_set_nr_free(s, nr_objs);
	slab_set_hint(s, 0);
	slab_on_list(s) = LIST_NONE;
	std::uint64_t *bitmap = slab_bitmap(s);
	for (std::uint32_t w = 0; w < g.bitmap_words; w++) {
		std::uint32_t lo = w * 64;
		std::uint32_t bits = nr_objs > lo ? nr_objs - lo : 0;
		bitmap[w] = bits >= 64 ? ~std::uint64_t(0) : (std::uint64_t(1) << bits) - 1;
	}
	if (g.meta_size)
		std::memset(reinterpret_cast<char *>(s) + g.meta_off, 0, std::size_t(g.meta_size) * nr_objs);
}

namespace {
template <typename Free, typename Hint>
std::uint32_t take_from(const geometry &g, slab *s, std::uint64_t *bitmap, Free &nr_free, Hint &hint, void **out,
			std::uint32_t n)
{
	std::uint32_t got = 0;
	std::uint32_t w = hint;
	const std::uint32_t words = g.bitmap_words;
	char *base = reinterpret_cast<char *>(s) + g.first_off + g.obj_offset;
	while (got < n && w < words) {
		std::uint64_t word = bitmap[w];
		while (word != 0 && got < n) {
			unsigned b = unsigned(__builtin_ctzll(word));
			word &= word - 1;
			out[got++] = base + std::uint64_t(w * 64 + b) * g.stride;
		}
		bitmap[w] = word;
		if (word == 0)
			w++;
	}
	hint = Hint(w);
	SLUBQ_ASSERT(got <= nr_free);
	nr_free = Free(nr_free - got);
	return got;
}
} // namespace

std::uint32_t slab_take(const geometry &g, slab *s, void **out, std::uint32_t n)
{
	if (slab_compact(s))
		return take_from(g, s, s->c_bitmap, s->c_nr_free, s->c_hint, out, n);
	return take_from(g, s, s->f_bitmap, s->f_nr_free, s->f_hint, out, n);
}

bool slab_put_compact(slab *s, std::uint32_t idx)
{
	SLUBQ_ASSERT(idx < s->nr_objs);
	std::uint64_t bit = std::uint64_t(1) << (idx & 63);
	std::uint64_t &w = s->c_bitmap[idx >> 6];
	if (w & bit)
		return false;
	w |= bit;
	SLUBQ_ASSERT(s->c_nr_free < s->nr_objs);
	s->c_nr_free++;
	if ((idx >> 6) < s->c_hint)
		s->c_hint = std::uint8_t(idx >> 6);
	return true;
}

rte_iova_t slab_iova(const slab *s)
{
	return slab_compact(s) ? rte_mem_virt2iova(s) : s->iova;
}

std::uint32_t slab_count_free(const geometry &g, const slab *s)
{
	std::uint32_t n = 0;
	for (std::uint32_t w = 0; w < g.bitmap_words; w++)
		n += std::uint32_t(__builtin_popcountll(slab_bitmap(s)[w]));
	return n;
}

} // namespace slubq
