/* SPDX-License-Identifier: BSD-3-Clause */
// Debug checks, one planted bug each: the report names the cache, the
// object and what happened, the problem is counted, the bad object is
// dropped (free) or repaired (allocation), and verify passes afterwards.
#include <gtest/gtest.h>
#include <cstring>
#include <memory>
#include <vector>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <slubq_debug.h>
#include "debug_test_util.hpp"

using namespace debug_test;

namespace {

constexpr std::uint32_t all_checks = SLUBQ_F_DEBUG;

} // namespace

TEST(DebugChecks, DebugCacheRunsWithoutLcoreQueues)
{
	cache_guard g(make("d_noqueue", all_checks));
	ASSERT_NE(g.c, nullptr);
	void *o[8];
	ASSERT_EQ(slubq::alloc(g.c, o, 8), 0);
	slubq::free(g.c, o, 8);
	std::uint32_t count = 1, size = 1;
	EXPECT_EQ(slubq_cache_queue_fill(g.c, rte_lcore_id(), &count, &size), 0);
	EXPECT_EQ(size, 0u);
	slubq_stats st;
	slubq_cache_stats(g.c, -1, &st);
	EXPECT_EQ(st.alloc_fast + st.free_fast, 0u);
	EXPECT_EQ(st.alloc_slow, 8u);
	EXPECT_EQ(errors(g.c), 0u);
	EXPECT_EQ(verify(g.c), "");
}

TEST(DebugChecks, DoubleFreeIsCaughtAtOnceWhereverTheObjectWaits)
{
	cache_guard g(make("d_double", all_checks));
	ASSERT_NE(g.c, nullptr);
	void *keep = slubq_cache_alloc(g.c); // keeps the slab (and its memory) after shrink
	void *o = slubq_cache_alloc(g.c);
	ASSERT_NE(o, nullptr);
	slubq_cache_free(g.c, o); // now in the node's shared queue
	std::uint64_t avail = slubq_cache_available(g.c);
	{
		log_capture log;
		slubq_cache_free(g.c, o);
		std::string t = log.text();
		EXPECT_NE(t.find("cache d_double: free of " + ptr(o) + " by lcore"), std::string::npos) << t;
		EXPECT_NE(t.find("double free: the object is already free (waiting in a queue)"), std::string::npos) << t;
		EXPECT_NE(t.find("state free"), std::string::npos) << t;
		EXPECT_NE(t.find("; last alloc: lcore"), std::string::npos) << t;
		EXPECT_NE(t.find("; last free: lcore"), std::string::npos) << t;
	}
	EXPECT_EQ(errors(g.c), 1u);
	EXPECT_EQ(slubq_cache_available(g.c), avail); // not queued twice
	EXPECT_EQ(verify(g.c), "");
	ASSERT_GE(slubq_cache_shrink(g.c), 0); // the shared queue goes back to the slabs
	{
		log_capture log;
		slubq_cache_free(g.c, o);
		EXPECT_NE(log.text().find("double free: the object is already free (in its slab)"), std::string::npos);
	}
	EXPECT_EQ(errors(g.c), 2u);
	EXPECT_EQ(verify(g.c), "");
	slubq_cache_free(g.c, keep);
	EXPECT_EQ(slubq_cache_available(g.c), slubq_cache_total(g.c));
	EXPECT_EQ(verify(g.c), "");
	EXPECT_EQ(errors(g.c), 2u);
}

TEST(DebugChecks, SanityAloneCatchesDoubleFreeInOneBulk)
{
	cache_guard g(make("d_sanity", SLUBQ_F_SANITY));
	ASSERT_NE(g.c, nullptr);
	void *o[4];
	ASSERT_EQ(slubq_cache_alloc_bulk(g.c, o, 4), 0);
	void *twice[5] = {o[0], o[1], o[2], o[1], o[3]};
	{
		log_capture log;
		slubq_cache_free_bulk(g.c, twice, 5);
		std::string t = log.text();
		EXPECT_NE(t.find("free of " + ptr(o[1])), std::string::npos) << t;
		EXPECT_NE(t.find("double free"), std::string::npos) << t;
		EXPECT_NE(t.find("no owner tracking"), std::string::npos) << t;
	}
	EXPECT_EQ(errors(g.c), 1u);
	EXPECT_EQ(slubq_cache_available(g.c), slubq_cache_total(g.c));
	EXPECT_EQ(verify(g.c), "");
}

TEST(DebugChecks, FreeOfNeverAllocatedObjectIsRefused)
{
	cache_guard g(make("d_never", all_checks));
	ASSERT_NE(g.c, nullptr);
	void *o[2];
	ASSERT_EQ(slubq_cache_alloc_bulk(g.c, o, 2), 0);
	// The slot after the last one handed out was never allocated.
	auto *next = static_cast<char *>(o[1]) + (static_cast<char *>(o[1]) - static_cast<char *>(o[0]));
	slubq_obj_info info;
	ASSERT_EQ(slubq_debug_object_info(g.c, next, &info), 0);
	EXPECT_EQ(info.state, SLUBQ_OBJ_NEW);
	{
		log_capture log;
		slubq_cache_free(g.c, next);
		EXPECT_NE(log.text().find("free of an object that was never allocated"), std::string::npos);
	}
	EXPECT_EQ(errors(g.c), 1u);
	slubq_cache_free_bulk(g.c, o, 2);
	EXPECT_EQ(slubq_cache_available(g.c), slubq_cache_total(g.c));
	EXPECT_EQ(verify(g.c), "");
}

TEST(DebugChecks, ForeignPointersAreReportedAndDropped)
{
	cache_guard a(make("d_foreign_a", all_checks));
	cache_guard b(make("d_foreign_b", all_checks));
	ASSERT_NE(a.c, nullptr);
	ASSERT_NE(b.c, nullptr);
	void *mine = slubq_cache_alloc(a.c);
	void *theirs = slubq_cache_alloc(b.c);
	ASSERT_NE(mine, nullptr);
	ASSERT_NE(theirs, nullptr);
	auto *m = static_cast<char *>(mine);
	int on_stack = 0;
	auto on_heap = std::make_unique<char[]>(64);
	slubq_obj_info info;
	ASSERT_EQ(slubq_debug_object_info(a.c, mine, &info), 0);
	struct bad {
		void *p;
		const char *why;
		const char *detail;
	} cases[] = {
		{theirs, "another cache's slab", "it belongs to cache d_foreign_b"},
		{m + 8, "not the start of an object", "+8 bytes from the start of object"},
		{m + 1, "not the start of an object", "+1 bytes from the start of object"},
		{m - 16, "not the start of an object", "-16 bytes from the start of object"}, // its left red zone
		{const_cast<void *>(info.slab), "not the start of an object", "points into the header of slab"},
		{&on_stack, "no slab there", ""},
		{on_heap.get(), "no slab there", ""},
		{nullptr, "NULL pointer", ""},
	};
	std::uint64_t avail = slubq_cache_available(a.c);
	for (const bad &x : cases) {
		log_capture log;
		slubq_cache_free(a.c, x.p);
		std::string t = log.text();
		EXPECT_NE(t.find("cache d_foreign_a: free of " + ptr(x.p)), std::string::npos) << t;
		EXPECT_NE(t.find(x.why), std::string::npos) << t;
		EXPECT_NE(t.find(x.detail), std::string::npos) << t;
	}
	EXPECT_EQ(errors(a.c), RTE_DIM(cases));
	EXPECT_EQ(slubq_cache_available(a.c), avail);
	EXPECT_EQ(verify(a.c), "");
	EXPECT_EQ(verify(b.c), ""); // b's object is still b's, allocated
	ASSERT_EQ(slubq_debug_object_info(b.c, theirs, &info), 0);
	EXPECT_EQ(info.state, SLUBQ_OBJ_ALLOCATED);
	slubq_cache_free(a.c, mine);
	slubq_cache_free(b.c, theirs);
	EXPECT_EQ(errors(b.c), 0u);
	EXPECT_EQ(slubq_cache_available(a.c), slubq_cache_total(a.c));
	EXPECT_EQ(slubq_cache_available(b.c), slubq_cache_total(b.c));
}

TEST(DebugChecks, RedZoneOverwriteIsCaughtOnFree)
{
	cache_guard g(make("d_redzone", SLUBQ_F_RED_ZONE | SLUBQ_F_TRACK, 40));
	ASSERT_NE(g.c, nullptr);
	auto *o = static_cast<char *>(slubq_cache_alloc(g.c));
	ASSERT_NE(o, nullptr);
	o[40] = 'x'; // one byte past the end
	o[-3] = 'y'; // and before the start
	{
		log_capture log;
		slubq_cache_free(g.c, o);
		std::string t = log.text();
		EXPECT_NE(t.find("cache d_redzone: free of " + ptr(o)), std::string::npos) << t;
		EXPECT_NE(t.find("right red zone overwritten at byte 0 of"), std::string::npos) << t;
		EXPECT_NE(t.find("(0x78, expected 0xcc)"), std::string::npos) << t;
		EXPECT_NE(t.find("left red zone overwritten at byte 13 of 16 (0x79, expected 0xcc)"), std::string::npos)
			<< t;
		EXPECT_NE(t.find("; last alloc: lcore"), std::string::npos) << t;
	}
	EXPECT_EQ(errors(g.c), 2u);
	// The object was freed anyway, its red zones repaired.
	EXPECT_EQ(slubq_cache_available(g.c), slubq_cache_total(g.c));
	EXPECT_EQ(verify(g.c), "");
	auto *again = static_cast<char *>(slubq_cache_alloc(g.c));
	EXPECT_EQ(again, o);
	slubq_cache_free(g.c, again);
	EXPECT_EQ(errors(g.c), 2u);
}

TEST(DebugChecks, RedZoneOverwriteIsCaughtByVerify)
{
	cache_guard g(make("d_redzone_v", all_checks, 40));
	ASSERT_NE(g.c, nullptr);
	void *o[2];
	ASSERT_EQ(slubq_cache_alloc_bulk(g.c, o, 2), 0);
	static_cast<char *>(o[0])[45] = 1; // an allocated object's right red zone
	slubq_cache_free(g.c, o[1]);
	static_cast<char *>(o[1])[-1] = 1; // a free object's left red zone
	{
		log_capture log;
		std::string r = verify(g.c);
		EXPECT_NE(r.find("2 problems"), std::string::npos) << r;
		EXPECT_NE(r.find("object " + ptr(o[0]) + ": right red zone overwritten at byte 5"), std::string::npos) << r;
		EXPECT_NE(r.find("object " + ptr(o[1]) + ": left red zone overwritten at byte 15 of 16 (0x01, expected 0xbb)"),
			  std::string::npos)
			<< r;
		std::string t = log.text();
		EXPECT_NE(t.find("cache d_redzone_v: verify of " + ptr(o[0])), std::string::npos) << t;
		EXPECT_NE(t.find("state allocated; last alloc: lcore"), std::string::npos) << t;
	}
	EXPECT_EQ(errors(g.c), 2u);
	EXPECT_EQ(verify(g.c), ""); // reported once, repaired
	slubq_cache_free(g.c, o[0]);
	EXPECT_EQ(errors(g.c), 2u);
	EXPECT_EQ(verify(g.c), "");
}

TEST(DebugChecks, WriteAfterFreeIsCaughtOnAllocation)
{
	cache_guard g(make("d_poison", all_checks, 64));
	ASSERT_NE(g.c, nullptr);
	auto *o = static_cast<char *>(slubq_cache_alloc(g.c));
	ASSERT_NE(o, nullptr);
	slubq_cache_free(g.c, o);
	EXPECT_EQ(static_cast<unsigned char>(o[0]), 0x6b);
	EXPECT_EQ(static_cast<unsigned char>(o[63]), 0xa5);
	o[10] = 0; // a write after free
	{
		log_capture log;
		auto *again = static_cast<char *>(slubq_cache_alloc(g.c)); // the hottest object: the same one
		ASSERT_EQ(again, o);
		std::string t = log.text();
		EXPECT_NE(t.find("cache d_poison: allocation of " + ptr(o) + " by lcore"), std::string::npos) << t;
		EXPECT_NE(t.find("write after free: poison overwritten at byte 10 of 64 (0x00)"), std::string::npos) << t;
		EXPECT_NE(t.find("; last free: lcore"), std::string::npos) << t;
	}
	EXPECT_EQ(errors(g.c), 1u);
	EXPECT_EQ(verify(g.c), "");
	slubq_cache_free(g.c, o);
	EXPECT_EQ(verify(g.c), "");
	EXPECT_EQ(errors(g.c), 1u);
}

TEST(DebugChecks, WriteAfterFreeIsCaughtByVerify)
{
	cache_guard g(make("d_poison_v", SLUBQ_F_POISON, 100));
	ASSERT_NE(g.c, nullptr);
	auto *o = static_cast<char *>(slubq_cache_alloc(g.c));
	slubq_cache_free(g.c, o);
	o[99] = 0x6b; // the last byte holds a different poison
	std::string r = verify(g.c);
	EXPECT_NE(r.find("1 problems"), std::string::npos) << r;
	EXPECT_NE(r.find("object " + ptr(o) + ": write after free: poison overwritten at byte 99 of 100"),
		  std::string::npos)
		<< r;
	EXPECT_EQ(verify(g.c), "");
	EXPECT_EQ(slubq_cache_alloc(g.c), o);
	EXPECT_EQ(errors(g.c), 1u); // repaired by verify: not reported again
	slubq_cache_free(g.c, o);
}

TEST(DebugChecks, FixedSourceRefusesRedZonesButTakesPoisonSanityAndTracking)
{
	slubq_cache_params p;
	slubq_cache_params_init(&p);
	p.name = "d_fixed_rz";
	p.obj_size = 64;
	p.source = SLUBQ_SOURCE_FIXED;
	p.flags = SLUBQ_F_RED_ZONE;
	EXPECT_EQ(slubq_cache_create(&p), nullptr);
	EXPECT_EQ(rte_errno, EINVAL);
	{
		// Poison stays inside the object: a fixed source takes it.
		p.name = "d_fixed_poison";
		p.flags = SLUBQ_F_POISON;
		cache_guard g(slubq_cache_create(&p));
		ASSERT_NE(g.c, nullptr);
		std::size_t len = 1 << 20;
		void *mem = rte_malloc("d_fixed_poison", len, 0);
		ASSERT_NE(mem, nullptr);
		ASSERT_GT(slubq_cache_populate(g.c, mem, RTE_BAD_IOVA, len, -1, 0, nullptr, nullptr), 0);
		auto *o = static_cast<std::uint8_t *>(slubq_cache_alloc(g.c));
		ASSERT_NE(o, nullptr);
		slubq_cache_free(g.c, o);
		EXPECT_EQ(o[0], 0x6b);
		EXPECT_EQ(o[63], 0xa5);
		EXPECT_EQ(verify(g.c), "");
		slubq_cache_destroy(g.c);
		g.c = nullptr;
		rte_free(mem);
	}

	p.name = "d_fixed";
	p.flags = SLUBQ_F_SANITY | SLUBQ_F_TRACK;
	cache_guard g(slubq_cache_create(&p));
	ASSERT_NE(g.c, nullptr);
	std::size_t len = 1 << 20;
	void *mem = rte_malloc("d_fixed", len, 0);
	ASSERT_NE(mem, nullptr);
	ASSERT_GT(slubq_cache_populate(g.c, mem, RTE_BAD_IOVA, len, -1, 0, nullptr, nullptr), 0);
	void *o[3];
	ASSERT_EQ(slubq_cache_alloc_bulk(g.c, o, 3), 0);
	slubq_cache_free_bulk(g.c, o, 3);
	{
		log_capture log;
		slubq_cache_free(g.c, o[2]);
		EXPECT_NE(log.text().find("double free"), std::string::npos);
	}
	EXPECT_EQ(errors(g.c), 1u);
	EXPECT_EQ(slubq_cache_available(g.c), slubq_cache_total(g.c));
	EXPECT_EQ(verify(g.c), "");
	slubq_cache_destroy(g.c);
	g.c = nullptr;
	rte_free(mem);
}

TEST(DebugChecks, FlagNames)
{
	std::uint32_t f = 0;
	EXPECT_EQ(slubq_debug_flag_from_name("red_zone", &f), 0);
	EXPECT_EQ(f, std::uint32_t(SLUBQ_F_RED_ZONE));
	EXPECT_EQ(slubq_debug_flag_from_name("poison", &f), 0);
	EXPECT_EQ(f, std::uint32_t(SLUBQ_F_POISON));
	EXPECT_EQ(slubq_debug_flag_from_name("track", &f), 0);
	EXPECT_EQ(f, std::uint32_t(SLUBQ_F_TRACK));
	EXPECT_EQ(slubq_debug_flag_from_name("sanity", &f), 0);
	EXPECT_EQ(f, std::uint32_t(SLUBQ_F_SANITY));
	EXPECT_EQ(slubq_debug_flag_from_name("all", &f), 0);
	EXPECT_EQ(f, std::uint32_t(SLUBQ_F_DEBUG));
	EXPECT_EQ(slubq_debug_flag_from_name("redzone!", &f), -EINVAL);
	EXPECT_EQ(slubq_debug_flag_from_name(nullptr, &f), -EINVAL);
	// One table: every defined bit has a name; only debug bits parse back.
	for (std::uint32_t bit = 1; bit != 0; bit <<= 1) {
		const char *name = slubq_flag_name(bit);
		EXPECT_EQ(name != nullptr, (bit & SLUBQ_F_ALL) != 0) << bit;
		if (name != nullptr) {
			EXPECT_EQ(slubq_debug_flag_from_name(name, &f), (bit & SLUBQ_F_DEBUG) ? 0 : -EINVAL) << name;
		}
	}
	EXPECT_STREQ(slubq_flag_name(SLUBQ_F_NO_IOVA_CONTIG), "no_iova_contig");
	EXPECT_EQ(slubq_flag_name(SLUBQ_F_DEBUG), nullptr);
}

TEST(DebugChecks, ObjectInfoNeedsDebugAndAnObject)
{
	cache_guard plain(make("d_info_plain", 0));
	cache_guard dbg(make("d_info", SLUBQ_F_SANITY));
	ASSERT_NE(plain.c, nullptr);
	ASSERT_NE(dbg.c, nullptr);
	void *p = slubq_cache_alloc(plain.c);
	void *d = slubq_cache_alloc(dbg.c);
	slubq_obj_info info;
	EXPECT_EQ(slubq_debug_object_info(plain.c, p, &info), -ENOTSUP);
	EXPECT_EQ(slubq_debug_object_info(dbg.c, p, &info), -EINVAL);
	EXPECT_EQ(slubq_debug_object_info(dbg.c, static_cast<char *>(d) + 1, &info), -EINVAL);
	ASSERT_EQ(slubq_debug_object_info(dbg.c, d, &info), 0);
	EXPECT_EQ(info.state, SLUBQ_OBJ_ALLOCATED);
	EXPECT_EQ(info.free_in_slab, 0);
	EXPECT_EQ(info.alloc_tsc, 0u); // no SLUBQ_F_TRACK
	slubq_cache_free(plain.c, p);
	slubq_cache_free(dbg.c, d);
}

// An all-or-nothing bulk allocation that fails gives back what it had
// taken: those objects were never handed out, so they go back into their
// slabs (not into the shared queue, where verify would find "free in a
// queue, but never allocated" until each one was allocated and freed).
TEST(DebugChecks, FailedBulkAllocationLeavesVerifyClean)
{
	slubq_cache_params p;
	slubq_cache_params_init(&p);
	p.name = "d_bulk_fail";
	p.obj_size = 64;
	p.flags = all_checks;
	p.mem_limit = 2u << 20; // one chunk
	cache_guard g(slubq_cache_create(&p));
	ASSERT_NE(g.c, nullptr);
	void *one = slubq_cache_alloc(g.c); // grows the one chunk
	ASSERT_NE(one, nullptr);
	const std::uint64_t total = slubq_cache_total(g.c);
	ASSERT_GT(total, 64u);
	std::vector<void *> o(total + 1);
	EXPECT_EQ(slubq::alloc(g.c, o.data(), unsigned(total + 1)), -ENOBUFS);
	EXPECT_EQ(slubq_cache_available(g.c), total - 1);
	EXPECT_EQ(errors(g.c), 0u);
	EXPECT_EQ(verify(g.c), "");
	// And everything can still be had, and given back.
	ASSERT_EQ(slubq::alloc(g.c, o.data(), unsigned(total - 1)), 0);
	slubq::free(g.c, o.data(), unsigned(total - 1));
	slubq_cache_free(g.c, one);
	EXPECT_EQ(slubq_cache_available(g.c), total);
	EXPECT_EQ(verify(g.c), "");
}
