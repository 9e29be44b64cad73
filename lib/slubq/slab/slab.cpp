/* SPDX-License-Identifier: BSD-3-Clause */
#include "slab/slab.hpp"

#include <cerrno>
#include "common/log.hpp"

namespace slubq {

namespace {
constexpr std::uint64_t default_min_slab = 64 * 1024;
constexpr std::uint64_t max_slab = std::uint64_t(1) << 30;
constexpr std::uint32_t min_objs_per_slab = 8;

struct layout {
	std::uint64_t first_off, meta_off, words;
};

// Header, bitmap and debug metadata for n slots, then the first slot aligned.
layout layout_for(std::uint64_t n, std::uint32_t align, std::uint32_t meta_size)
{
	layout l;
	l.words = (n + 63) / 64;
	l.meta_off = sizeof(slab) + l.words * 8;
	l.first_off = align_up(l.meta_off + n * meta_size, align < cache_line ? cache_line : align);
	return l;
}

// Most slots that fit in a slab of `size` bytes.
std::uint32_t fit(std::uint64_t size, std::uint32_t stride, std::uint32_t align, std::uint32_t meta_size)
{
	std::uint64_t n = size / stride;
	while (n > 0 && layout_for(n, align, meta_size).first_off + n * stride > size)
		n--;
	return std::uint32_t(n);
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
		  std::uint64_t pg_limit, std::uint32_t meta_size)
{
	if (stride == 0 || !is_pow2(align) || std::uint64_t(obj_offset) + obj_size > stride)
		return fail(EINVAL);
	std::memset(&g, 0, sizeof(g));
	std::uint64_t size;
	if (slab_size != 0) {
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
		while (fit(size, stride, align, meta_size) == 0 && size < max_slab)
			size <<= 1;
		if (size > max_slab)
			return fail(EINVAL); // objects this large belong in their own memzone
	}
	if (pg_limit != 0 && size > pg_limit)
		return fail(EINVAL);
	std::uint32_t n = fit(size, stride, align, meta_size);
	if (n == 0)
		return fail(EINVAL);
	if (slab_objs != 0 && n > slab_objs)
		n = slab_objs;
	layout l = layout_for(n, align, meta_size);
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
	g.recip = UINT64_MAX / stride + 1;
	return 0;
}

void slab_init(const geometry &g, slab *s, slubq_cache *owner, chunk *from, rte_iova_t iova,
	       std::uint32_t nr_objs, std::uint16_t socket)
{
	std::memset(static_cast<void *>(s), 0, sizeof(slab));
	s->next = s->prev = nullptr;
	s->owner = owner;
	s->from = from;
	s->iova = iova;
	s->magic = slab_magic;
	s->nr_objs = nr_objs;
	s->nr_free = nr_objs;
	s->hint = 0;
	s->socket = socket;
	s->list = LIST_NONE;
	for (std::uint32_t w = 0; w < g.bitmap_words; w++) {
		std::uint32_t lo = w * 64;
		std::uint32_t bits = nr_objs > lo ? nr_objs - lo : 0;
		s->bitmap[w] = bits >= 64 ? ~std::uint64_t(0) : (std::uint64_t(1) << bits) - 1;
	}
	if (g.meta_size)
		std::memset(reinterpret_cast<char *>(s) + g.meta_off, 0, std::size_t(g.meta_size) * nr_objs);
}

std::uint32_t slab_take(const geometry &g, slab *s, void **out, std::uint32_t n)
{
	std::uint32_t got = 0;
	std::uint32_t w = s->hint;
	const std::uint32_t words = g.bitmap_words;
	char *base = reinterpret_cast<char *>(s) + g.first_off + g.obj_offset;
	while (got < n && w < words) {
		std::uint64_t word = s->bitmap[w];
		while (word != 0 && got < n) {
			unsigned b = unsigned(__builtin_ctzll(word));
			word &= word - 1;
			out[got++] = base + std::uint64_t(w * 64 + b) * g.stride;
		}
		s->bitmap[w] = word;
		if (word == 0)
			w++;
	}
	s->hint = w;
	s->nr_free -= got;
	return got;
}

std::uint32_t slab_count_free(const geometry &g, const slab *s)
{
	std::uint32_t n = 0;
	for (std::uint32_t w = 0; w < g.bitmap_words; w++)
		n += std::uint32_t(__builtin_popcountll(s->bitmap[w]));
	return n;
}

} // namespace slubq
