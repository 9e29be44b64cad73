/* SPDX-License-Identifier: BSD-3-Clause */
// Slab layer: geometry and bitmap, without the EAL.
#include <gtest/gtest.h>
#include <cstdlib>
#include <set>
#include <vector>
#include "slab/slab.hpp"

using namespace slubq;

namespace {

struct aligned_mem {
	void *p;
	explicit aligned_mem(std::size_t size) : p(std::aligned_alloc(size, size)) {}
	~aligned_mem() { std::free(p); }
};

void roundtrip(const geometry &g)
{
	const std::uint32_t objs = g.objs_per_slab;
	aligned_mem mem(g.slab_size);
	auto *s = static_cast<slab *>(mem.p);
	slab_init(g, s, nullptr, nullptr, RTE_BAD_IOVA, g.objs_per_slab, 0);
	EXPECT_EQ(slab_count_free(g, s), objs);
	std::vector<void *> out(objs + 5);
	// Take in odd-sized passes: every object once, in address order.
	std::uint32_t got = 0;
	while (got < objs)
		got += slab_take(g, s, out.data() + got, 7);
	EXPECT_EQ(slab_take(g, s, out.data(), 5), 0u);
	EXPECT_EQ(slab_nr_free(s), 0u);
	for (std::uint32_t i = 0; i < objs; i++) {
		EXPECT_EQ(out[i], slab_obj(g, s, i));
		EXPECT_EQ(slab_of(g, out[i]), s);
		EXPECT_EQ(slab_index(g, s, out[i]), i);
		if (i) {
			EXPECT_GT(out[i], out[i - 1]);
		}
	}
	// Free in reverse; double free refused.
	for (std::uint32_t i = objs; i-- > 0;)
		EXPECT_TRUE(slab_put(s, slab_index(g, s, out[i])));
	EXPECT_FALSE(slab_put(s, 0));
	EXPECT_EQ(slab_nr_free(s), objs);
	EXPECT_EQ(slab_count_free(g, s), objs);
	EXPECT_EQ(s->layout, g.layout);
}

void roundtrip(std::uint32_t stride, std::uint32_t objs)
{
	geometry g;
	ASSERT_EQ(geometry_make(g, stride, 0, stride, 8, objs, 0, 0, 0), 0);
	ASSERT_EQ(g.objs_per_slab, objs);
	ASSERT_EQ(g.bitmap_words, (objs + 63) / 64);
	roundtrip(g);
}

} // namespace

TEST(Geometry, Bitmap1Object) { roundtrip(64, 1); }
TEST(Geometry, Bitmap63Objects) { roundtrip(64, 63); }
TEST(Geometry, Bitmap64Objects) { roundtrip(64, 64); }
TEST(Geometry, Bitmap65Objects) { roundtrip(64, 65); }
TEST(Geometry, Bitmap4096Objects) { roundtrip(64, 4096); }
TEST(Geometry, ThreeObjectsOf2KiB) { roundtrip(2048, 3); }

TEST(Geometry, SlabsArePowersOfTwoAndAligned)
{
	for (std::uint32_t stride : {8u, 24u, 64u, 96u, 192u, 2432u, 8192u, 65536u}) {
		geometry g;
		ASSERT_EQ(geometry_make(g, stride, 0, stride, 8, 0, 0, 0, 0), 0) << stride;
		EXPECT_TRUE(is_pow2(g.slab_size));
		EXPECT_GE(g.objs_per_slab, 8u) << stride;
		EXPECT_LE(g.first_off + std::uint64_t(g.objs_per_slab) * stride, g.slab_size);
		EXPECT_EQ(g.first_off % 64, 0u);
	}
}

TEST(Geometry, PageLimitKeepsSlabsInsideAPage)
{
	geometry g;
	ASSERT_EQ(geometry_make(g, 2432, 64, 2304, 64, 0, 0, 4096, 0), 0);
	EXPECT_EQ(g.slab_size, 4096u);
	EXPECT_EQ(g.objs_per_slab, 1u);
	EXPECT_NE(geometry_make(g, 8192, 0, 8192, 64, 0, 0, 4096, 0), 0);
}

TEST(Geometry, IndexRejectsInteriorAndForeignPointers)
{
	geometry g;
	ASSERT_EQ(geometry_make(g, 96, 0, 96, 8, 100, 0, 0, 0), 0);
	aligned_mem mem(g.slab_size);
	auto *s = static_cast<slab *>(mem.p);
	slab_init(g, s, nullptr, nullptr, RTE_BAD_IOVA, g.objs_per_slab, 0);
	char *o = static_cast<char *>(slab_obj(g, s, 10));
	EXPECT_EQ(slab_index(g, s, o), 10u);
	EXPECT_EQ(slab_index(g, s, o + 8), UINT32_MAX);
	EXPECT_EQ(slab_index(g, s, reinterpret_cast<char *>(s) + 8), UINT32_MAX);
	EXPECT_EQ(slab_index(g, s, slab_obj(g, s, g.objs_per_slab)), UINT32_MAX);
}

TEST(Geometry, ShortSlabHoldsFewerObjects)
{
	geometry g;
	ASSERT_EQ(geometry_make(g, 256, 0, 256, 64, 0, 0, 0, 0), 0);
	EXPECT_EQ(geometry_fit(g, g.slab_size), g.objs_per_slab);
	EXPECT_EQ(geometry_fit(g, g.first_off + 256 * 3 + 10), 3u);
	EXPECT_EQ(geometry_fit(g, g.first_off - 1), 0u);
}

TEST(Geometry, BadInputRefused)
{
	geometry g;
	EXPECT_NE(geometry_make(g, 0, 0, 0, 8, 0, 0, 0, 0), 0);
	EXPECT_NE(geometry_make(g, 64, 0, 64, 12, 0, 0, 0, 0), 0);       // align not a power of two
	EXPECT_NE(geometry_make(g, 64, 32, 64, 8, 0, 0, 0, 0), 0);       // object past its slot
	EXPECT_NE(geometry_make(g, 64, 0, 64, 8, 0, 12345, 0, 0), 0);    // slab size not a power of two
}

// Header and bitmap share the header's two cache lines up to 256 objects:
// the first slot starts at 128, whatever the slab size.
TEST(Geometry, HeaderHoldsBitmapOf256Objects)
{
	geometry g;
	for (std::uint32_t objs : {1u, 64u, 200u, 256u}) {
		ASSERT_EQ(geometry_make(g, 128, 0, 128, 64, objs, 0, 0, 0), 0);
		EXPECT_EQ(g.first_off, 128u) << objs;
	}
	ASSERT_EQ(geometry_make(g, 128, 0, 128, 64, 257, 0, 0, 0), 0);
	EXPECT_EQ(g.first_off, 192u);
	roundtrip(64, 256);
	roundtrip(64, 257);
}

// With a count, the chosen slab needs no more memory for that many
// objects than any other power of two up to the limit (full slabs, then a
// short one), and no larger slab needs the same.
TEST(Geometry, PickNeedsLeastMemoryForTheCount)
{
	const std::uint64_t max = 2u << 20;
	for (std::uint32_t stride : {192u, 448u, 2368u, 2496u, 3136u, 9536u, 9664u, 13888u, 16448u}) {
		for (std::uint64_t count : {1ull, 64ull, 1000ull, 16384ull, 131072ull}) {
			SCOPED_TRACE("stride " + std::to_string(stride) + " x " + std::to_string(count));
			geometry g;
			ASSERT_EQ(geometry_make(g, stride, 64, stride - 64, 64, 0, 0, max, 0, max, count), 0);
			EXPECT_LE(g.slab_size, max);
			std::uint64_t best = geometry_bytes(g, count);
			EXPECT_GE(best, count * stride);
			for (std::uint64_t size = 4096; size <= max; size <<= 1) {
				geometry o;
				if (geometry_make(o, stride, 64, stride - 64, 64, 0, size, max, 0) != 0)
					continue; // holds no object
				std::uint64_t bytes = geometry_bytes(o, count);
				EXPECT_GE(bytes, best) << "slab " << size;
				if (size < g.slab_size) {
					EXPECT_GT(bytes, best) << "slab " << size << " needs the same: the smaller wins";
				}
			}
		}
	}
}

// min_slabs: the count is cut into at least that many slabs (to be dealt
// to that many sockets), even when one slab would need less memory.
TEST(Geometry, PickCutsAtLeastMinSlabs)
{
	const std::uint64_t max = 2u << 20;
	geometry one, two;
	ASSERT_EQ(geometry_make(one, 448, 64, 384, 64, 0, 0, max, 0, max, 4000, 1), 0);
	EXPECT_EQ((4000 + one.objs_per_slab - 1) / one.objs_per_slab, 1u);
	for (std::uint32_t k : {2u, 3u, 8u}) {
		ASSERT_EQ(geometry_make(two, 448, 64, 384, 64, 0, 0, max, 0, max, 4000, k), 0);
		EXPECT_GE((4000 + two.objs_per_slab - 1) / two.objs_per_slab, k);
	}
}

// Without a count: bytes per object of a full slab; without pick_max: the
// default shape (at least 64 KiB and 8 objects).
TEST(Geometry, PickWithoutCountAndDefaultShape)
{
	geometry g, d;
	ASSERT_EQ(geometry_make(g, 2368, 64, 2304, 64, 0, 0, 2u << 20, 0, 2u << 20, 0), 0);
	for (std::uint64_t size = 4096; size <= (2u << 20); size <<= 1) {
		geometry o;
		if (geometry_make(o, 2368, 64, 2304, 64, 0, size, 2u << 20, 0) == 0) {
			EXPECT_GE(double(o.slab_size) / o.objs_per_slab, double(g.slab_size) / g.objs_per_slab) << size;
		}
	}
	ASSERT_EQ(geometry_make(d, 2368, 64, 2304, 64, 0, 0, 0, 0), 0);
	EXPECT_EQ(d.slab_size, 64u << 10);
	EXPECT_GE(d.objs_per_slab, 8u);
}

// geometry_bytes: what a fixed source cuts for n objects in aligned chunks.
TEST(Geometry, BytesForNObjects)
{
	geometry g;
	ASSERT_EQ(geometry_make(g, 256, 0, 256, 64, 10, 0, 0, 0), 0);
	EXPECT_EQ(geometry_bytes(g, 0), 0u);
	EXPECT_EQ(geometry_bytes(g, 10), g.slab_size);
	EXPECT_EQ(geometry_bytes(g, 23), 2 * g.slab_size + g.first_off + 3 * 256);
	EXPECT_EQ(geometry_fit(g, geometry_bytes(g, 3)), 3u);
}

// Where a page's tail after its last object is under 128 B (2 MiB = 151 x
// 13888 + 64), a fixed source told its count gets the one-line compact
// header and all 151 objects the page holds; header, bitmap and the first
// slot fit in that tail. Elsewhere, and without a count, the full header.
TEST(Geometry, CompactHeaderWhereItWinsAnObject)
{
	const std::uint64_t max = 2u << 20;
	geometry g;
	ASSERT_EQ(geometry_make(g, 13888, 64, 13824, 64, 0, 0, max, 0, max, 1000), 0);
	EXPECT_EQ(g.slab_size, max);
	EXPECT_EQ(g.layout, LAYOUT_COMPACT);
	EXPECT_EQ(g.objs_per_slab, 151u);
	EXPECT_EQ(g.first_off, 64u);
	EXPECT_EQ(geometry_bytes(g, 151), max);
	roundtrip(g);
	// A short slab: the full slab's header, then fewer slots.
	EXPECT_EQ(geometry_fit(g, 64 + 3 * 13888), 3u);

	geometry f;
	ASSERT_EQ(geometry_make(f, 13888, 64, 13824, 64, 0, max, max, 0), 0); // no count: full
	EXPECT_EQ(f.layout, LAYOUT_FULL);
	EXPECT_EQ(f.objs_per_slab, 150u);
	for (std::uint32_t stride : {2368u, 3136u, 9536u, 10176u, 16448u}) {
		ASSERT_EQ(geometry_make(f, stride, 64, stride - 64, 64, 0, 0, max, 0, max, 100000), 0);
		EXPECT_EQ(f.layout, LAYOUT_FULL) << stride; // the full header costs no object there
	}
	// Debug metadata follows the compact line.
	ASSERT_EQ(geometry_make(f, 13888, 64, 13824, 64, 0, 0, max, 16, max, 1000), 0);
	if (f.layout == LAYOUT_COMPACT) {
		EXPECT_EQ(f.meta_off, 64u);
		EXPECT_GE(f.first_off, 64u + 16u * f.objs_per_slab);
		roundtrip(f);
	}
}

// The compact header's list links and counts (node lists use them).
TEST(Geometry, CompactSlabFields)
{
	const std::uint64_t max = 2u << 20;
	geometry g;
	ASSERT_EQ(geometry_make(g, 13888, 64, 13824, 64, 0, 0, max, 0, max, 151), 0);
	ASSERT_EQ(g.layout, LAYOUT_COMPACT);
	aligned_mem a(g.slab_size), b(g.slab_size);
	auto *s = static_cast<slab *>(a.p), *t = static_cast<slab *>(b.p);
	slab_init(g, s, nullptr, nullptr, 0x1000000, 151, 3);
	slab_init(g, t, nullptr, nullptr, RTE_BAD_IOVA, 10, 3);
	EXPECT_EQ(s->magic, slab_magic);
	EXPECT_EQ(s->socket, 3u);
	EXPECT_EQ(slab_from(s), nullptr);
	slab_next(s) = t;
	slab_prev(t) = s;
	slab_on_list(s) = LIST_PARTIAL;
	EXPECT_EQ(slab_next(s), t);
	EXPECT_EQ(slab_prev(t), s);
	EXPECT_EQ(slab_prev(s), nullptr);
	EXPECT_EQ(slab_on_list(s), LIST_PARTIAL);
	EXPECT_EQ(slab_nr_free(t), 10u);
	void *out[4];
	EXPECT_EQ(slab_take(g, t, out, 4), 4u);
	EXPECT_EQ(slab_nr_free(t), 6u);
	EXPECT_EQ(slab_hint(t), 0u);
	// Nothing written past the header's line: the first slot starts there.
	EXPECT_EQ(reinterpret_cast<char *>(out[0]) - reinterpret_cast<char *>(t), 64 + 64);
	EXPECT_EQ(slab_count_free(g, s), 151u);
}
