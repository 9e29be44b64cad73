/* SPDX-License-Identifier: BSD-3-Clause */
// Cache merging: compatible anonymous caches share one cache under several
// names (aliases), visible in the registry walk, counted in refcnt, undone
// one name per destroy; incompatible or NO_MERGE caches stay apart.
#include <gtest/gtest.h>
#include <map>
#include <string>
#include <vector>
#include <rte_errno.h>
#include "slubq.hpp"
#include "test_cache.hpp"

namespace {

using slubq_test::info_of;
using slubq_test::verify;

slubq_cache_params anon(std::uint32_t size, std::uint32_t flags = 0, std::uint32_t align = 8)
{
	slubq_cache_params p = slubq_test::elastic_params(nullptr, size);
	p.flags = flags;
	p.align = align;
	return p;
}

// Registered names of cache c (aliases included).
std::vector<std::string> names_of(slubq_cache *c)
{
	struct arg { slubq_cache *c; std::vector<std::string> names; } a{c, {}};
	slubq_cache_walk(
		[](slubq_cache *x, const char *name, void *p) {
			auto *a = static_cast<arg *>(p);
			if (x == a->c)
				a->names.push_back(name);
			return 0;
		},
		&a);
	return a.names;
}

} // namespace

TEST(Merge, CompatibleAnonymousCachesShareAndUnshare)
{
	slubq_cache_params p = anon(100);
	slubq_cache *a = slubq_cache_create(&p);
	ASSERT_NE(a, nullptr);
	p = anon(104); // same 104-byte stride
	slubq_cache *b = slubq_cache_create(&p);
	ASSERT_EQ(b, a);
	p.name = ""; // "" is anonymous too
	slubq_cache *c = slubq_cache_create(&p);
	ASSERT_EQ(c, a);
	EXPECT_EQ(info_of(a).refcnt, 3u);
	// Three names, one of them the cache's own; lookup of an alias finds the cache.
	auto names = names_of(a);
	ASSERT_EQ(names.size(), 3u);
	unsigned own = 0;
	for (const auto &n : names) {
		EXPECT_EQ(n.rfind("anon-", 0), 0u) << n;
		EXPECT_EQ(slubq_cache_lookup(n.c_str()), a);
		own += n == slubq_cache_name(a);
	}
	EXPECT_EQ(own, 1u);
	// Objects move through any handle.
	void *o[64];
	ASSERT_EQ(slubq::alloc(b, o, 64), 0);
	slubq::free(c, o, 64);
	EXPECT_EQ(verify(a), "");
	// Each destroy drops one name; the cache lives until the last.
	EXPECT_EQ(slubq_cache_destroy(b), 0);
	EXPECT_EQ(info_of(a).refcnt, 2u);
	EXPECT_EQ(names_of(a).size(), 2u);
	EXPECT_EQ(slubq_cache_destroy(a), 0);
	EXPECT_EQ(info_of(a).refcnt, 1u);
	auto last = names_of(a);
	ASSERT_EQ(last.size(), 1u);
	EXPECT_EQ(last[0], slubq_cache_name(a));
	ASSERT_EQ(slubq::alloc(c, o, 8), 0); // still a working cache
	slubq::free(c, o, 8);
	EXPECT_EQ(slubq_cache_destroy(c), 0);
	EXPECT_EQ(slubq_cache_lookup(last[0].c_str()), nullptr);
	for (const auto &n : names)
		EXPECT_EQ(slubq_cache_lookup(n.c_str()), nullptr) << n;
	// A new compatible request now builds a cache of its own.
	p = anon(104);
	slubq_cache *d = slubq_cache_create(&p);
	ASSERT_NE(d, nullptr);
	EXPECT_EQ(info_of(d).refcnt, 1u);
	EXPECT_EQ(slubq_cache_destroy(d), 0);
}

TEST(Merge, IncompatibleCachesStayApart)
{
	slubq_cache_params p = anon(200);
	slubq_cache *base = slubq_cache_create(&p);
	ASSERT_NE(base, nullptr);
	std::vector<slubq_cache *> apart;
	auto expect_apart = [&](slubq_cache_params q, const char *why) {
		slubq_cache *x = slubq_cache_create(&q);
		ASSERT_NE(x, nullptr) << why;
		EXPECT_NE(x, base) << why;
		EXPECT_EQ(info_of(x).refcnt, 1u) << why;
		apart.push_back(x);
	};
	expect_apart(anon(208), "other stride");
	expect_apart(anon(200, SLUBQ_F_DMA), "DMA");
	expect_apart(anon(200, SLUBQ_F_NO_ALIEN), "no alien queues");
	expect_apart(anon(200, SLUBQ_F_POISON), "debug flags");
	p = anon(200);
	p.mem_limit = 8u << 20;
	expect_apart(p, "a memory limit");
	p = anon(200);
	p.slab_size = 256u << 10;
	expect_apart(p, "other slab size");
	slubq_cache_info bi;
	ASSERT_EQ(slubq_cache_get_info(base, &bi), 0);
	p = anon(200);
	p.slab_size = bi.slab_size;
	p.slab_objs = bi.slab_objs / 2;
	expect_apart(p, "fewer objects per slab");
	p = anon(200);
	p.chunk_size = 4u << 20;
	expect_apart(p, "other chunk size");
	// A named cache is never merged, into or from.
	p = anon(200);
	p.name = "t_merge_named";
	expect_apart(p, "named");
	EXPECT_EQ(info_of(base).refcnt, 1u);
	// Everything that stayed apart is mergeable with its own kind (DMA with DMA...)
	// except where merging is refused; the base still takes a compatible one.
	p = anon(196);
	EXPECT_EQ(slubq_cache_create(&p), base);
	EXPECT_EQ(info_of(base).refcnt, 2u);
	EXPECT_EQ(slubq_cache_destroy(base), 0);
	for (slubq_cache *x : apart)
		EXPECT_EQ(slubq_cache_destroy(x), 0);
	EXPECT_EQ(slubq_cache_destroy(base), 0);
	// Same stride, other alignment.
	p = anon(256);
	slubq_cache *x = slubq_cache_create(&p);
	p = anon(256, 0, 64);
	slubq_cache *y = slubq_cache_create(&p);
	ASSERT_NE(x, nullptr);
	ASSERT_NE(y, nullptr);
	EXPECT_NE(x, y);
	EXPECT_EQ(slubq_cache_destroy(x), 0);
	EXPECT_EQ(slubq_cache_destroy(y), 0);
}

TEST(Merge, MergingCanBeRefusedEitherWay)
{
	// The new cache refuses.
	slubq_cache_params p = anon(300);
	slubq_cache *a = slubq_cache_create(&p);
	ASSERT_NE(a, nullptr);
	p = anon(300, SLUBQ_F_NO_MERGE);
	slubq_cache *b = slubq_cache_create(&p);
	ASSERT_NE(b, nullptr);
	EXPECT_NE(b, a);
	// The existing cache refuses: nobody merges into b, so a takes the next one.
	p = anon(300);
	EXPECT_EQ(slubq_cache_create(&p), a);
	EXPECT_EQ(info_of(a).refcnt, 2u);
	EXPECT_EQ(info_of(b).refcnt, 1u);
	// Only b left: a compatible request gets a cache of its own.
	EXPECT_EQ(slubq_cache_destroy(a), 0);
	EXPECT_EQ(slubq_cache_destroy(a), 0);
	p = anon(300);
	slubq_cache *c = slubq_cache_create(&p);
	ASSERT_NE(c, nullptr);
	EXPECT_NE(c, b);
	EXPECT_EQ(slubq_cache_destroy(c), 0);
	EXPECT_EQ(slubq_cache_destroy(b), 0);
}

TEST(Merge, DmaCachesMergeWithDmaCaches)
{
	slubq_cache_params p = anon(500, SLUBQ_F_DMA);
	slubq_cache *a = slubq_cache_create(&p);
	ASSERT_NE(a, nullptr);
	slubq_cache *b = slubq_cache_create(&p);
	EXPECT_EQ(b, a);
	void *o = slubq_cache_alloc(b);
	ASSERT_NE(o, nullptr);
	EXPECT_EQ(slubq_cache_virt2iova(a, o), rte_mem_virt2iova(o));
	slubq_cache_free(a, o);
	EXPECT_EQ(slubq_cache_destroy(b), 0);
	EXPECT_EQ(slubq_cache_destroy(a), 0);
}

// Caches made under another topology keep theirs: no merging across it.
TEST(Merge, TopologyChangeStopsMerging)
{
	slubq_cache_params p = anon(400);
	slubq_cache *a = slubq_cache_create(&p);
	ASSERT_NE(a, nullptr);
	ASSERT_EQ(slubq_topology_simulate(2, nullptr), 0);
	slubq_cache *b = slubq_cache_create(&p);
	ASSERT_NE(b, nullptr);
	EXPECT_NE(b, a);
	slubq_cache *c = slubq_cache_create(&p);
	EXPECT_EQ(c, b); // same (simulated) topology: merged
	ASSERT_EQ(slubq_topology_reset(), 0);
	slubq_cache *d = slubq_cache_create(&p);
	EXPECT_EQ(d, a);
	for (slubq_cache *x : {a, b, c, d})
		EXPECT_EQ(slubq_cache_destroy(x), 0);
}

// Destroying a merged cache with objects still out reports it only when
// the last name goes (the objects belong to the shared cache).
TEST(Merge, LeakIsReportedAtTheLastDestroy)
{
	slubq_cache_params p = anon(600);
	slubq_cache *a = slubq_cache_create(&p);
	ASSERT_NE(a, nullptr);
	slubq_cache *b = slubq_cache_create(&p);
	ASSERT_EQ(b, a);
	void *o = slubq_cache_alloc(a);
	ASSERT_NE(o, nullptr);
	EXPECT_EQ(slubq_cache_destroy(a), 0);
	EXPECT_EQ(slubq_cache_destroy(b), -EBUSY);
}
