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
	auto c = make("d_noqueue", all_checks);
	ASSERT_NE(c, nullptr);
	void *o[8];
	ASSERT_EQ(slubq::alloc(c, o, 8), 0);
	slubq::free(c, o, 8);
	std::uint32_t count = 1, size = 1;
	EXPECT_EQ(slubq_cache_queue_fill(c, rte_lcore_id(), &count, &size), 0);
	EXPECT_EQ(size, 0u);
	slubq_stats st;
	slubq_cache_stats(c, -1, &st);
	EXPECT_EQ(st.alloc_fast + st.free_fast, 0u);
	EXPECT_EQ(st.alloc_slow, 8u);
	EXPECT_EQ(errors(c), 0u);
	EXPECT_EQ(verify(c), "");
}

TEST(DebugChecks, DoubleFreeIsCaughtAtOnceWhereverTheObjectWaits)
{
	auto c = make("d_double", all_checks);
	ASSERT_NE(c, nullptr);
	void *keep = slubq_cache_alloc(c); // keeps the slab (and its memory) after shrink
	void *o = slubq_cache_alloc(c);
	ASSERT_NE(o, nullptr);
	slubq_cache_free(c, o); // now in the node's shared queue
	std::uint64_t avail = slubq_cache_available(c);
	{
		log_capture log;
		slubq_cache_free(c, o);
		std::string t = log.text();
		EXPECT_NE(t.find("cache d_double: free of " + ptr(o) + " by lcore"), std::string::npos) << t;
		EXPECT_NE(t.find("double free: the object is already free (waiting in a queue)"), std::string::npos) << t;
		EXPECT_NE(t.find("state free"), std::string::npos) << t;
		EXPECT_NE(t.find("; last alloc: lcore"), std::string::npos) << t;
		EXPECT_NE(t.find("; last free: lcore"), std::string::npos) << t;
	}
	EXPECT_EQ(errors(c), 1u);
	EXPECT_EQ(slubq_cache_available(c), avail); // not queued twice
	EXPECT_EQ(verify(c), "");
	ASSERT_GE(slubq_cache_shrink(c), 0); // the shared queue goes back to the slabs
	{
		log_capture log;
		slubq_cache_free(c, o);
		EXPECT_NE(log.text().find("double free: the object is already free (in its slab)"), std::string::npos);
	}
	EXPECT_EQ(errors(c), 2u);
	EXPECT_EQ(verify(c), "");
	slubq_cache_free(c, keep);
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c));
	EXPECT_EQ(verify(c), "");
	EXPECT_EQ(errors(c), 2u);
}

TEST(DebugChecks, SanityAloneCatchesDoubleFreeInOneBulk)
{
	auto c = make("d_sanity", SLUBQ_F_SANITY);
	ASSERT_NE(c, nullptr);
	void *o[4];
	ASSERT_EQ(slubq_cache_alloc_bulk(c, o, 4), 0);
	void *twice[5] = {o[0], o[1], o[2], o[1], o[3]};
	{
		log_capture log;
		slubq_cache_free_bulk(c, twice, 5);
		std::string t = log.text();
		EXPECT_NE(t.find("free of " + ptr(o[1])), std::string::npos) << t;
		EXPECT_NE(t.find("double free"), std::string::npos) << t;
		EXPECT_NE(t.find("no owner tracking"), std::string::npos) << t;
	}
	EXPECT_EQ(errors(c), 1u);
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c));
	EXPECT_EQ(verify(c), "");
}

TEST(DebugChecks, FreeOfNeverAllocatedObjectIsRefused)
{
	auto c = make("d_never", all_checks);
	ASSERT_NE(c, nullptr);
	void *o[2];
	ASSERT_EQ(slubq_cache_alloc_bulk(c, o, 2), 0);
	// The slot after the last one handed out was never allocated.
	auto *next = static_cast<char *>(o[1]) + (static_cast<char *>(o[1]) - static_cast<char *>(o[0]));
	slubq_obj_info info;
	ASSERT_EQ(slubq_debug_object_info(c, next, &info), 0);
	EXPECT_EQ(info.state, SLUBQ_OBJ_NEW);
	{
		log_capture log;
		slubq_cache_free(c, next);
		EXPECT_NE(log.text().find("free of an object that was never allocated"), std::string::npos);
	}
	EXPECT_EQ(errors(c), 1u);
	slubq_cache_free_bulk(c, o, 2);
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c));
	EXPECT_EQ(verify(c), "");
}

TEST(DebugChecks, ForeignPointersAreReportedAndDropped)
{
	auto a = make("d_foreign_a", all_checks);
	auto b = make("d_foreign_b", all_checks);
	ASSERT_NE(a, nullptr);
	ASSERT_NE(b, nullptr);
	void *mine = slubq_cache_alloc(a);
	void *theirs = slubq_cache_alloc(b);
	ASSERT_NE(mine, nullptr);
	ASSERT_NE(theirs, nullptr);
	auto *m = static_cast<char *>(mine);
	int on_stack = 0;
	auto on_heap = std::make_unique<char[]>(64);
	slubq_obj_info info;
	ASSERT_EQ(slubq_debug_object_info(a, mine, &info), 0);
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
	std::uint64_t avail = slubq_cache_available(a);
	for (const bad &x : cases) {
		log_capture log;
		slubq_cache_free(a, x.p);
		std::string t = log.text();
		EXPECT_NE(t.find("cache d_foreign_a: free of " + ptr(x.p)), std::string::npos) << t;
		EXPECT_NE(t.find(x.why), std::string::npos) << t;
		EXPECT_NE(t.find(x.detail), std::string::npos) << t;
	}
	EXPECT_EQ(errors(a), RTE_DIM(cases));
	EXPECT_EQ(slubq_cache_available(a), avail);
	EXPECT_EQ(verify(a), "");
	EXPECT_EQ(verify(b), ""); // b's object is still b's, allocated
	ASSERT_EQ(slubq_debug_object_info(b, theirs, &info), 0);
	EXPECT_EQ(info.state, SLUBQ_OBJ_ALLOCATED);
	slubq_cache_free(a, mine);
	slubq_cache_free(b, theirs);
	EXPECT_EQ(errors(b), 0u);
	EXPECT_EQ(slubq_cache_available(a), slubq_cache_total(a));
	EXPECT_EQ(slubq_cache_available(b), slubq_cache_total(b));
}

TEST(DebugChecks, RedZoneOverwriteIsCaughtOnFree)
{
	auto c = make("d_redzone", SLUBQ_F_RED_ZONE | SLUBQ_F_TRACK, 40);
	ASSERT_NE(c, nullptr);
	auto *o = static_cast<char *>(slubq_cache_alloc(c));
	ASSERT_NE(o, nullptr);
	o[40] = 'x'; // one byte past the end
	o[-3] = 'y'; // and before the start
	{
		log_capture log;
		slubq_cache_free(c, o);
		std::string t = log.text();
		EXPECT_NE(t.find("cache d_redzone: free of " + ptr(o)), std::string::npos) << t;
		EXPECT_NE(t.find("right red zone overwritten at byte 0 of"), std::string::npos) << t;
		EXPECT_NE(t.find("(0x78, expected 0xcc)"), std::string::npos) << t;
		EXPECT_NE(t.find("left red zone overwritten at byte 13 of 16 (0x79, expected 0xcc)"), std::string::npos)
			<< t;
		EXPECT_NE(t.find("; last alloc: lcore"), std::string::npos) << t;
	}
	EXPECT_EQ(errors(c), 2u);
	// The object was freed anyway, its red zones repaired.
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c));
	EXPECT_EQ(verify(c), "");
	auto *again = static_cast<char *>(slubq_cache_alloc(c));
	EXPECT_EQ(again, o);
	slubq_cache_free(c, again);
	EXPECT_EQ(errors(c), 2u);
}

TEST(DebugChecks, RedZoneOverwriteIsCaughtByVerify)
{
	auto c = make("d_redzone_v", all_checks, 40);
	ASSERT_NE(c, nullptr);
	void *o[2];
	ASSERT_EQ(slubq_cache_alloc_bulk(c, o, 2), 0);
	static_cast<char *>(o[0])[45] = 1; // an allocated object's right red zone
	slubq_cache_free(c, o[1]);
	static_cast<char *>(o[1])[-1] = 1; // a free object's left red zone
	{
		log_capture log;
		std::string r = verify(c);
		EXPECT_NE(r.find("2 problems"), std::string::npos) << r;
		EXPECT_NE(r.find("object " + ptr(o[0]) + ": right red zone overwritten at byte 5"), std::string::npos) << r;
		EXPECT_NE(r.find("object " + ptr(o[1]) + ": left red zone overwritten at byte 15 of 16 (0x01, expected 0xbb)"),
			  std::string::npos)
			<< r;
		std::string t = log.text();
		EXPECT_NE(t.find("cache d_redzone_v: verify of " + ptr(o[0])), std::string::npos) << t;
		EXPECT_NE(t.find("state allocated; last alloc: lcore"), std::string::npos) << t;
	}
	EXPECT_EQ(errors(c), 2u);
	EXPECT_EQ(verify(c), ""); // reported once, repaired
	slubq_cache_free(c, o[0]);
	EXPECT_EQ(errors(c), 2u);
	EXPECT_EQ(verify(c), "");
}

TEST(DebugChecks, WriteAfterFreeIsCaughtOnAllocation)
{
	auto c = make("d_poison", all_checks, 64);
	ASSERT_NE(c, nullptr);
	auto *o = static_cast<char *>(slubq_cache_alloc(c));
	ASSERT_NE(o, nullptr);
	slubq_cache_free(c, o);
	EXPECT_EQ(static_cast<unsigned char>(o[0]), 0x6b);
	EXPECT_EQ(static_cast<unsigned char>(o[63]), 0xa5);
	o[10] = 0; // a write after free
	{
		log_capture log;
		auto *again = static_cast<char *>(slubq_cache_alloc(c)); // the hottest object: the same one
		ASSERT_EQ(again, o);
		std::string t = log.text();
		EXPECT_NE(t.find("cache d_poison: allocation of " + ptr(o) + " by lcore"), std::string::npos) << t;
		EXPECT_NE(t.find("write after free: poison overwritten at byte 10 of 64 (0x00)"), std::string::npos) << t;
		EXPECT_NE(t.find("; last free: lcore"), std::string::npos) << t;
	}
	EXPECT_EQ(errors(c), 1u);
	EXPECT_EQ(verify(c), "");
	slubq_cache_free(c, o);
	EXPECT_EQ(verify(c), "");
	EXPECT_EQ(errors(c), 1u);
}

TEST(DebugChecks, WriteAfterFreeIsCaughtByVerify)
{
	auto c = make("d_poison_v", SLUBQ_F_POISON, 100);
	ASSERT_NE(c, nullptr);
	auto *o = static_cast<char *>(slubq_cache_alloc(c));
	slubq_cache_free(c, o);
	o[99] = 0x6b; // the last byte holds a different poison
	std::string r = verify(c);
	EXPECT_NE(r.find("1 problems"), std::string::npos) << r;
	EXPECT_NE(r.find("object " + ptr(o) + ": write after free: poison overwritten at byte 99 of 100"),
		  std::string::npos)
		<< r;
	EXPECT_EQ(verify(c), "");
	EXPECT_EQ(slubq_cache_alloc(c), o);
	EXPECT_EQ(errors(c), 1u); // repaired by verify: not reported again
	slubq_cache_free(c, o);
}

TEST(DebugChecks, FixedSourceRefusesRedZonesButTakesPoisonSanityAndTracking)
{
	slubq_cache_params p = slubq_test::fixed_params("d_fixed_rz", 64);
	p.flags = SLUBQ_F_RED_ZONE;
	EXPECT_EQ(slubq_cache_create(&p), nullptr);
	EXPECT_EQ(rte_errno, EINVAL);
	{
		// Poison stays inside the object: a fixed source takes it.
		p.name = "d_fixed_poison";
		p.flags = SLUBQ_F_POISON;
		auto c = slubq_test::elastic_cache(p);
		ASSERT_NE(c, nullptr);
		std::size_t len = 1 << 20;
		void *mem = rte_malloc("d_fixed_poison", len, 0);
		ASSERT_NE(mem, nullptr);
		ASSERT_GT(slubq_cache_populate(c, mem, RTE_BAD_IOVA, len, -1, 0, nullptr, nullptr), 0);
		auto *o = static_cast<std::uint8_t *>(slubq_cache_alloc(c));
		ASSERT_NE(o, nullptr);
		slubq_cache_free(c, o);
		EXPECT_EQ(o[0], 0x6b);
		EXPECT_EQ(o[63], 0xa5);
		EXPECT_EQ(verify(c), "");
		c.reset();
		rte_free(mem);
	}

	p.name = "d_fixed";
	p.flags = SLUBQ_F_SANITY | SLUBQ_F_TRACK;
	auto c = slubq_test::elastic_cache(p);
	ASSERT_NE(c, nullptr);
	std::size_t len = 1 << 20;
	void *mem = rte_malloc("d_fixed", len, 0);
	ASSERT_NE(mem, nullptr);
	ASSERT_GT(slubq_cache_populate(c, mem, RTE_BAD_IOVA, len, -1, 0, nullptr, nullptr), 0);
	void *o[3];
	ASSERT_EQ(slubq_cache_alloc_bulk(c, o, 3), 0);
	slubq_cache_free_bulk(c, o, 3);
	{
		log_capture log;
		slubq_cache_free(c, o[2]);
		EXPECT_NE(log.text().find("double free"), std::string::npos);
	}
	EXPECT_EQ(errors(c), 1u);
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c));
	EXPECT_EQ(verify(c), "");
	c.reset();
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
	auto plain = make("d_info_plain", 0);
	auto dbg = make("d_info", SLUBQ_F_SANITY);
	ASSERT_NE(plain, nullptr);
	ASSERT_NE(dbg, nullptr);
	void *p = slubq_cache_alloc(plain);
	void *d = slubq_cache_alloc(dbg);
	slubq_obj_info info;
	EXPECT_EQ(slubq_debug_object_info(plain, p, &info), -ENOTSUP);
	EXPECT_EQ(slubq_debug_object_info(dbg, p, &info), -EINVAL);
	EXPECT_EQ(slubq_debug_object_info(dbg, static_cast<char *>(d) + 1, &info), -EINVAL);
	ASSERT_EQ(slubq_debug_object_info(dbg, d, &info), 0);
	EXPECT_EQ(info.state, SLUBQ_OBJ_ALLOCATED);
	EXPECT_EQ(info.free_in_slab, 0);
	EXPECT_EQ(info.alloc_tsc, 0u); // no SLUBQ_F_TRACK
	slubq_cache_free(plain, p);
	slubq_cache_free(dbg, d);
}

// An all-or-nothing bulk allocation that fails gives back what it had
// taken: those objects were never handed out, so they go back into their
// slabs (not into the shared queue, where verify would find "free in a
// queue, but never allocated" until each one was allocated and freed).
TEST(DebugChecks, FailedBulkAllocationLeavesVerifyClean)
{
	slubq_cache_params p = slubq_test::elastic_params("d_bulk_fail", 64);
	p.flags = all_checks;
	p.mem_limit = 2u << 20; // one chunk
	auto c = slubq_test::elastic_cache(p);
	ASSERT_NE(c, nullptr);
	void *one = slubq_cache_alloc(c); // grows the one chunk
	ASSERT_NE(one, nullptr);
	const std::uint64_t total = slubq_cache_total(c);
	ASSERT_GT(total, 64u);
	std::vector<void *> o(total + 1);
	EXPECT_EQ(slubq::alloc(c, o.data(), unsigned(total + 1)), -ENOBUFS);
	EXPECT_EQ(slubq_cache_available(c), total - 1);
	EXPECT_EQ(errors(c), 0u);
	EXPECT_EQ(verify(c), "");
	// And everything can still be had, and given back.
	ASSERT_EQ(slubq::alloc(c, o.data(), unsigned(total - 1)), 0);
	slubq::free(c, o.data(), unsigned(total - 1));
	slubq_cache_free(c, one);
	EXPECT_EQ(slubq_cache_available(c), total);
	EXPECT_EQ(verify(c), "");
}
