/* SPDX-License-Identifier: BSD-3-Clause */
// Cache layer: create/lookup/destroy, exhaustion, exact counts, a random
// model, non-EAL threads, verify.
#include <gtest/gtest.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>
#include <sys/mman.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include "cache_names.hpp"
#include "eal_env.hpp"
#include "lcore_job.hpp"
#include "slubq.hpp"
#include "test_cache.hpp"
#include "cache/cache.hpp"

namespace {

using slubq_test::elastic_cache;
using slubq_test::elastic_params;
using slubq_test::fixed_cache;
using slubq_test::fixed_params;
using slubq_test::verify;

slubq_test::test_cache make(const char *name, std::uint32_t size, std::uint32_t slab_objs = 0,
			    std::uint64_t limit = 0, std::uint32_t queue = 0)
{
	slubq_cache_params p = elastic_params(name, size);
	p.slab_objs = slab_objs;
	p.mem_limit = limit;
	p.queue_size = queue;
	return elastic_cache(p);
}

} // namespace

TEST(Cache, CreateLookupDestroy)
{
	auto c = make("t_create", 64);
	ASSERT_NE(c, nullptr);
	EXPECT_EQ(slubq_cache_lookup("t_create"), c);
	EXPECT_STREQ(slubq_cache_name(c), "t_create");
	EXPECT_EQ(make("t_create", 64).get(), nullptr);
	EXPECT_EQ(rte_errno, EEXIST);
	EXPECT_EQ(c.reset(), 0);
	EXPECT_EQ(slubq_cache_lookup("t_create"), nullptr);
	EXPECT_EQ(rte_errno, ENOENT);
}

TEST(Cache, BadParametersRefused)
{
	EXPECT_EQ(make("t_zero", 0).get(), nullptr);
	EXPECT_EQ(rte_errno, EINVAL);
	slubq_cache_params p;
	slubq_cache_params_init(&p);
	p.name = "t_badalign";
	p.obj_size = 64;
	p.align = 24;
	EXPECT_EQ(slubq_cache_create(&p), nullptr);
	p.align = 8;
	p.queue_size = 16;
	p.batch = 32;
	EXPECT_EQ(slubq_cache_create(&p), nullptr);
	EXPECT_EQ(rte_errno, EINVAL);
	p.batch = 0;
	p.name = "a_name_that_is_far_too_long_for_slubq";
	EXPECT_EQ(slubq_cache_create(&p), nullptr);
	EXPECT_EQ(rte_errno, ENAMETOOLONG);
}

TEST(Cache, ObjectsAreAlignedAndDistinct)
{
	for (std::uint32_t align : {8u, 64u, 256u}) {
		std::string name = "t_align" + std::to_string(align);
		slubq_cache_params p = elastic_params(name.c_str(), 40);
		p.align = align;
		auto c = elastic_cache(p);
		ASSERT_NE(c, nullptr);
		std::vector<void *> v(3000);
		ASSERT_EQ(slubq::alloc(c, v.data(), 3000), 0);
		std::set<void *> seen(v.begin(), v.end());
		EXPECT_EQ(seen.size(), v.size());
		for (void *o : v)
			EXPECT_EQ(reinterpret_cast<std::uintptr_t>(o) % align, 0u);
		slubq::free(c, v.data(), 3000);
		EXPECT_EQ(verify(c), "");
	}
}

// Every bitmap shape: allocate all objects of several slabs, free, verify.
class BitmapShapes : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(BitmapShapes, AllocateAllThenFree)
{
	const std::uint32_t per_slab = GetParam();
	std::string name = "t_bitmap" + std::to_string(per_slab);
	auto c = make(name.c_str(), 64, per_slab, 0, 32);
	ASSERT_NE(c, nullptr);
	slubq_cache_info info;
	ASSERT_EQ(slubq_cache_get_info(c, &info), 0);
	EXPECT_EQ(info.slab_objs, per_slab);
	const std::uint32_t n = per_slab * 3 + 1;
	std::vector<void *> v(n);
	ASSERT_EQ(slubq::alloc(c, v.data(), n), 0);
	std::set<void *> seen(v.begin(), v.end());
	EXPECT_EQ(seen.size(), n);
	EXPECT_EQ(verify(c), "");
	slubq::free(c, v.data(), n);
	EXPECT_EQ(verify(c), "");
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c));
}

INSTANTIATE_TEST_SUITE_P(Cache, BitmapShapes, ::testing::Values(1u, 63u, 64u, 65u, 4096u));

TEST(Cache, ExhaustionReturnsEnobufsAndLosesNothing)
{
	// A fixed cache of exactly known size.
	slubq_cache_params p = fixed_params("t_exhaust", 128);
	p.queue_size = 64;
	auto c = fixed_cache(p, 1000);
	ASSERT_NE(c, nullptr);
	EXPECT_EQ(slubq_cache_total(c), 1000u);
	EXPECT_EQ(slubq_cache_available(c), 1000u);

	std::vector<void *> held;
	void *burst[32];
	for (;;) {
		if (slubq::alloc(c, burst, 7) != 0)
			break;
		held.insert(held.end(), burst, burst + 7);
		EXPECT_EQ(slubq_cache_available(c), 1000u - held.size());
	}
	EXPECT_EQ(rte_errno, ENOBUFS);
	EXPECT_EQ(held.size(), 1000u / 7 * 7);
	// What is left is still there: all-or-nothing did not eat it.
	EXPECT_EQ(slubq_cache_available(c), 1000u - held.size());
	std::uint32_t left = std::uint32_t(1000 - held.size());
	ASSERT_EQ(slubq::alloc(c, burst, left), 0);
	held.insert(held.end(), burst, burst + left);
	EXPECT_EQ(slubq::alloc(c, burst, 1), -ENOBUFS);
	EXPECT_EQ(slubq_cache_available(c), 0u);
	std::set<void *> seen(held.begin(), held.end());
	EXPECT_EQ(seen.size(), 1000u);
	EXPECT_EQ(verify(c), "");
	slubq::free(c, held.data(), std::uint32_t(held.size()));
	EXPECT_EQ(slubq_cache_available(c), 1000u);
	EXPECT_EQ(verify(c), "");
}

TEST(Cache, RandomBulksAgainstAModel)
{
	auto c = make("t_model", 48, 0, 0, 128);
	ASSERT_NE(c, nullptr);
	std::mt19937 rng(42);
	std::vector<void *> held;
	std::set<void *> live;
	std::uint64_t base_total = 0;
	for (int step = 0; step < 20000; step++) {
		std::uint32_t n = 1 + rng() % 200;
		if (rng() % 2 && held.size() < 50000) {
			std::vector<void *> v(n);
			ASSERT_EQ(slubq::alloc(c, v.data(), n), 0);
			for (void *o : v) {
				ASSERT_TRUE(live.insert(o).second) << "object handed out twice";
				held.push_back(o);
			}
		} else {
			n = std::min<std::uint32_t>(n, std::uint32_t(held.size()));
			std::shuffle(held.end() - n, held.end(), rng);
			slubq::free(c, held.data() + held.size() - n, n);
			for (std::uint32_t i = 0; i < n; i++)
				live.erase(held[held.size() - 1 - i]);
			held.resize(held.size() - n);
		}
		if (step % 1000 == 0) {
			base_total = slubq_cache_total(c);
			ASSERT_EQ(slubq_cache_available(c), base_total - live.size());
		}
	}
	EXPECT_EQ(verify(c), "");
	slubq::free(c, held.data(), std::uint32_t(held.size()));
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c));
	EXPECT_EQ(verify(c), "");
}

TEST(Cache, AddressOrderAfterRefill)
{
	// Objects from a fresh slab come out in ascending address order.
	auto c = make("t_order", 64, 0, 0, 256);
	ASSERT_NE(c, nullptr);
	void *v[64];
	ASSERT_EQ(slubq::alloc(c, v, 64), 0);
	for (int i = 1; i < 64; i++)
		EXPECT_GT(v[i], v[i - 1]);
	slubq::free(c, v, 64);
}

TEST(Cache, NonEalThreadUsesTheLockedPath)
{
	auto c = make("t_noneal", 200);
	ASSERT_NE(c, nullptr);
	std::vector<void *> from_thread;
	int rc = -1;
	unsigned lcore_seen = 0;
	std::thread t([&] {
		lcore_seen = rte_lcore_id();
		std::vector<void *> v(500);
		rc = slubq_cache_alloc_bulk(c, v.data(), 500);
		if (rc == 0) {
			slubq_cache_free_bulk(c, v.data(), 250);
			from_thread.assign(v.begin() + 250, v.end());
		}
	});
	t.join();
	EXPECT_EQ(lcore_seen, unsigned(LCORE_ID_ANY));
	ASSERT_EQ(rc, 0);
	slubq_stats st;
	ASSERT_EQ(slubq_cache_stats(c, -1, &st), 0);
	EXPECT_GE(st.locked_ops, 2u);
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c) - 250);
	// Objects allocated by the thread can be freed by an lcore.
	slubq::free(c, from_thread.data(), 250);
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c));
	EXPECT_EQ(verify(c), "");
}

TEST(Cache, VerifyCatchesPlantedInconsistency)
{
	auto c = make("t_verify", 64, 0, 0, 64);
	ASSERT_NE(c, nullptr);
	void *v[8];
	ASSERT_EQ(slubq::alloc(c, v, 8), 0);
	ASSERT_EQ(verify(c), "");
	// Plant: an allocated object's bit flipped to "free" behind the cache's back.
	auto *s = slubq::slab_of(c->geo, v[0]);
	std::uint32_t idx = slubq::slab_index(c->geo, s, v[0]);
	slab_bitmap(s)[idx / 64] |= 1ull << (idx % 64);
	char buf[2048];
	int n = slubq_cache_verify(c, buf, sizeof(buf));
	EXPECT_GT(n, 0);
	EXPECT_NE(std::string(buf).find("nr_free"), std::string::npos) << buf;
	slab_bitmap(s)[idx / 64] &= ~(1ull << (idx % 64));
	EXPECT_EQ(verify(c), "");
	// Plant: the same object twice in the lcore queue.
	slubq::free(c, v, 8);
	slubq::lcore_queue &q = c->queues[rte_lcore_id()];
	ASSERT_GE(q.count, 2u);
	void *saved = q.objs[0];
	q.objs[0] = q.objs[1];
	n = slubq_cache_verify(c, buf, sizeof(buf));
	EXPECT_GT(n, 0);
	EXPECT_NE(std::string(buf).find("twice"), std::string::npos) << buf;
	q.objs[0] = saved;
	EXPECT_EQ(verify(c), "");
}

TEST(Cache, ForeignPointerIsCaughtAndDropped)
{
	auto a = make("t_foreign_a", 64, 0, 0, 16);
	auto b = make("t_foreign_b", 64, 0, 0, 16);
	ASSERT_NE(a, nullptr);
	ASSERT_NE(b, nullptr);
	void *o[40];
	ASSERT_EQ(slubq::alloc(b, o, 40), 0);
	slubq_stats st;
	slubq_cache_stats(a, -1, &st);
	std::uint64_t before = st.debug_errors;
	// Freed into the wrong cache: caught when it reaches a slab header check.
	slubq::free(a, o, 40);
	void *drain[16];
	ASSERT_EQ(slubq_cache_shrink(a) >= 0, true);
	(void)drain;
	slubq_cache_stats(a, -1, &st);
	EXPECT_EQ(st.debug_errors - before, 40u);
	EXPECT_EQ(verify(a), "");
	EXPECT_EQ(slubq_cache_available(b), slubq_cache_total(b) - 40);
	slubq::free(b, o, 40);
	EXPECT_EQ(verify(b), "");
}

TEST(Cache, StatsCountFastAndSlowPaths)
{
	auto c = make("t_stats", 64, 0, 0, 64);
	ASSERT_NE(c, nullptr);
	void *v[32];
	for (int i = 0; i < 100; i++) {
		ASSERT_EQ(slubq::alloc(c, v, 32), 0);
		slubq::free(c, v, 32);
	}
	slubq_stats st;
	ASSERT_EQ(slubq_cache_stats(c, int(rte_lcore_id()), &st), 0);
	EXPECT_EQ(st.alloc_fast + st.alloc_slow, 3200u);
	EXPECT_EQ(st.free_fast + st.free_slow, 3200u);
	EXPECT_GE(st.refills, 1u);
	EXPECT_GT(st.alloc_fast, st.alloc_slow);
}

TEST(Cache, WalkListsEveryCache)
{
	auto a = make("t_walk_a", 64);
	auto b = make("t_walk_b", 64);
	std::set<std::string> names = slubq_test::cache_names();
	EXPECT_TRUE(names.count("t_walk_a"));
	EXPECT_TRUE(names.count("t_walk_b"));
}

namespace {

// On worker lcore `lcore`: n objects in bursts of 16 into objs.
int alloc_on(unsigned lcore, slubq_cache *c, std::vector<void *> &objs, std::uint32_t n)
{
	return slubq_test::on_lcore(lcore, [&] {
		objs.resize(n);
		int rc = 0;
		for (std::uint32_t i = 0; i < n && rc == 0; i += 16)
			rc = slubq::alloc(c, objs.data() + i, std::min<std::uint32_t>(16, n - i));
		return rc;
	});
}

} // namespace

// An lcore that only frees hands its full queue to the node (a magazine)
// and takes an empty one; an lcore that only allocates takes full ones.
// Objects parked in magazines are counted, verified, reachable by every
// path (all-or-nothing allocation of the whole cache), and shrink empties
// them into their slabs.
TEST(Cache, MagazinesCarryWholeQueuesBetweenLcores)
{
	auto workers = slubq_test::worker_lcores();
	if (workers.empty())
		GTEST_SKIP() << "needs a worker lcore";
	slubq_cache_params p = fixed_params("t_magazines", 64);
	p.queue_size = 64;
	p.shared_size = 512;
	constexpr std::uint32_t total = 2000;
	auto c = fixed_cache(p, total);
	ASSERT_NE(c, nullptr);

	std::vector<void *> objs;
	ASSERT_EQ(alloc_on(workers[0], c, objs, 1000), 0);
	// Freed here one burst at a time: every full queue becomes a magazine
	// while the node has room for it (shared size 512: up to 8 of 64).
	for (std::uint32_t i = 0; i < 1000; i += 8)
		slubq::free(c, objs.data() + i, 8);
	slubq_cache_info info;
	ASSERT_EQ(slubq_cache_get_info(c, &info), 0);
	EXPECT_GT(info.node[0].magazine_exchanges, 0u) << "full queues went to the node whole";
	EXPECT_GT(info.node[0].shared_count, 64u) << "magazines are counted with the shared queue";
	EXPECT_LE(info.node[0].shared_count, info.node[0].shared_size);
	EXPECT_EQ(slubq_cache_available(c), total);
	EXPECT_EQ(verify(c), "");

	// The worker takes full magazines back, then everything but what sits
	// in this lcore's own queue: nothing in a magazine is out of reach.
	std::uint32_t mine = 0, size = 0;
	ASSERT_EQ(slubq_cache_queue_fill(c, rte_lcore_id(), &mine, &size), 1); // active
	ASSERT_EQ(alloc_on(workers[0], c, objs, total - mine), 0);
	EXPECT_EQ(slubq_cache_available(c), std::uint64_t(mine));
	EXPECT_EQ(std::set<void *>(objs.begin(), objs.end()).size(), std::size_t(total - mine));
	// One more: only this (idle) lcore's queue holds any, and the worker
	// takes them back from it (reclaim) instead of failing.
	std::vector<void *> held = objs;
	EXPECT_EQ(alloc_on(workers[0], c, objs, 1), 0);
	EXPECT_EQ(slubq_cache_queue_fill(c, rte_lcore_id(), &mine, &size), 1);
	EXPECT_EQ(mine, 0u) << "the idle lcore's queue was reclaimed";
	held.push_back(objs[0]);
	EXPECT_EQ(std::set<void *>(held.begin(), held.end()).size(), held.size());
	slubq::free(c, held.data(), std::uint32_t(held.size()));
	EXPECT_EQ(slubq_cache_available(c), total);
	EXPECT_EQ(verify(c), "");

	// Shrink empties magazines and queues into the slabs.
	slubq_cache_shrink(c);
	ASSERT_EQ(slubq_cache_get_info(c, &info), 0);
	EXPECT_EQ(info.node[0].shared_count, 0u);
	EXPECT_EQ(info.node[0].free_in_slabs + info.in_queues, std::uint64_t(total));
	EXPECT_EQ(verify(c), "");
}

// Debug off, a freed NULL sits in the lcore queue (the fast path does not
// look at it); when it leaves the queue it is reported and dropped, never
// passed into a slab (it used to crash shrink).
TEST(Cache, FreedNullIsDroppedWhenItLeavesTheQueue)
{
	slubq_cache_params p = fixed_params("t_null_free", 64);
	constexpr std::uint32_t total = 500;
	auto c = fixed_cache(p, total);
	ASSERT_NE(c, nullptr);
	void *null_obj = nullptr;
	slubq::free(c, &null_obj, 1);
	slubq_cache_shrink(c); // empties the queue into the node
	slubq_stats st;
	ASSERT_EQ(slubq_cache_stats(c, -1, &st), 0);
	EXPECT_GE(st.debug_errors, 1u) << "the NULL was reported";
	EXPECT_EQ(slubq_cache_available(c), std::uint64_t(total));
	std::vector<void *> all(total);
	ASSERT_EQ(slubq::alloc(c, all.data(), total), 0);
	EXPECT_EQ(std::count(all.begin(), all.end(), nullptr), 0);
	slubq::free(c, all.data(), total);
	EXPECT_EQ(verify(c), "");
}

namespace {

// Pointers that are not objects of a cache, for the misuse tests below;
// unmapped: inside a slab-aligned block of PROT_NONE memory, so that
// reading its would-be slab header faults.
struct bad_pointers {
	std::vector<void *> list;
	void *heap = nullptr;
	void *block = nullptr;
	std::size_t block_len = 0;

	bad_pointers(void *some_object, void *other_cache_object, std::uint64_t slab_size)
	{
		static int in_data; // static storage: outside any slab too
		int local = 0;
		heap = std::malloc(64);
		block_len = 4 * slab_size;
		block = mmap(nullptr, block_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		auto aligned = (reinterpret_cast<std::uintptr_t>(block) + slab_size - 1) & ~(slab_size - 1);
		list = {nullptr,
			heap,
			&local, // the stack: gone after this constructor, but only its address matters
			&in_data,
			reinterpret_cast<void *>(aligned + 256), // unmapped slab header
			static_cast<char *>(some_object) + 8,   // interior of an object
			other_cache_object};
	}
	~bad_pointers()
	{
		std::free(heap);
		munmap(block, block_len);
	}
	bool has(void *p) const { return std::find(list.begin(), list.end(), p) != list.end(); }
};

std::uint64_t debug_errors(slubq_cache *c)
{
	slubq_stats st;
	slubq_cache_stats(c, -1, &st);
	return st.debug_errors;
}

// Debug off: bad pointers freed into the lcore queue are dropped (and
// counted) when they leave it, through the magazine exchange (the whole
// queue array goes to the node and on to other queues) and through shrink
// (the oldest objects to the node): never handed out again, never read
// before they are known to be in the cache's memory.
void bad_pointers_never_leave_the_queue(slubq_cache *c, slubq_cache *other)
{
	constexpr std::uint32_t n = 1000;
	std::vector<void *> objs(n);
	ASSERT_EQ(slubq::alloc(c, objs.data(), n), 0);
	void *foreign = slubq_cache_alloc(other);
	ASSERT_NE(foreign, nullptr);
	slubq_cache_info info;
	ASSERT_EQ(slubq_cache_get_info(c, &info), 0);
	bad_pointers bad(objs[0], foreign, info.slab_size);
	const std::uint64_t before = debug_errors(c);

	// Route 1: the queue fills up; its array (bad pointers at the bottom)
	// leaves whole; everything is allocated back.
	slubq::free(c, bad.list.data(), std::uint32_t(bad.list.size()));
	for (std::uint32_t i = 1; i < n; i++)
		slubq::free(c, &objs[i], 1);
	ASSERT_EQ(slubq_cache_get_info(c, &info), 0);
	EXPECT_GT(info.node[0].magazine_exchanges, 0u) << "the magazine route was taken";
	std::vector<void *> back(n - 1);
	ASSERT_EQ(slubq::alloc(c, back.data(), n - 1), 0);
	for (void *p : back)
		EXPECT_FALSE(bad.has(p)) << p << " was handed out";
	EXPECT_EQ(std::set<void *>(back.begin(), back.end()).size(), back.size());
	EXPECT_EQ(debug_errors(c) - before, bad.list.size());

	// Route 2: shrink empties the queue into the node.
	slubq::free(c, bad.list.data(), std::uint32_t(bad.list.size()));
	slubq::free(c, back.data(), n - 1);
	EXPECT_GE(slubq_cache_shrink(c), 0);
	EXPECT_EQ(debug_errors(c) - before, 2 * bad.list.size());
	slubq_cache_free(c, objs[0]);
	slubq_cache_free(other, foreign);
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c));
	EXPECT_EQ(verify(c), "");
	EXPECT_EQ(verify(other), "");
}

} // namespace

TEST(Cache, BadPointersNeverLeaveTheQueueElastic)
{
	slubq_cache_params p = elastic_params("t_bad_elastic", 64);
	p.queue_size = 64;
	auto c = elastic_cache(p);
	auto other = make("t_bad_other", 64);
	ASSERT_NE(c, nullptr);
	ASSERT_NE(other, nullptr);
	bad_pointers_never_leave_the_queue(c, other);
}

TEST(Cache, BadPointersNeverLeaveTheQueueFixed)
{
	slubq_cache_params p = fixed_params("t_bad_fixed", 64);
	p.queue_size = 64;
	auto c = fixed_cache(p, 1500);
	auto other = make("t_bad_other2", 64);
	ASSERT_NE(c, nullptr);
	ASSERT_NE(other, nullptr);
	bad_pointers_never_leave_the_queue(c, other);
}

// Populating memory that is already the cache's (the same chunk twice, or
// overlapping) is refused with a log line naming both ranges, and changes
// nothing; a separate chunk is still taken. (The second populate used to
// be accepted and broke the slab lists: allocation loops never ended.)
TEST(Cache, OverlappingPopulateIsRefused)
{
	slubq_cache_params p = fixed_params("t_populate_twice", 64);
	constexpr std::uint32_t total = 3000;
	auto c = fixed_cache(p, total);
	ASSERT_NE(c, nullptr);
	size_t min_chunk, align;
	const ssize_t mem = slubq_cache_calc_mem_size(&p, total, 0, &min_chunk, &align);
	slubq_cache_info info;
	ASSERT_EQ(slubq_cache_get_info(c, &info), 0);
	ASSERT_GE(std::uint64_t(mem), 2 * info.slab_size) << "needs two slabs to overlap half";

	char *text = nullptr;
	size_t text_len = 0;
	FILE *log = open_memstream(&text, &text_len);
	rte_openlog_stream(log);
	EXPECT_EQ(slubq_cache_populate(c, c.memory(), RTE_BAD_IOVA, size_t(mem), -1, 0, nullptr, nullptr), -EINVAL);
	EXPECT_EQ(rte_errno, EINVAL);
	// Overlapping: starts in the first slab, its first slab is the second one.
	EXPECT_EQ(slubq_cache_populate(c, static_cast<char *>(c.memory()) + info.slab_size / 2, RTE_BAD_IOVA,
				       size_t(mem), -1, 0, nullptr, nullptr),
		  -EINVAL);
	rte_openlog_stream(nullptr);
	std::fclose(log);
	std::string logged(text, text_len);
	std::free(text);
	EXPECT_NE(logged.find("cache t_populate_twice: populate refused"), std::string::npos) << logged;
	EXPECT_NE(logged.find("overlap memory populated before"), std::string::npos) << logged;

	EXPECT_EQ(slubq_cache_total(c), std::uint64_t(total));
	EXPECT_EQ(slubq_cache_available(c), std::uint64_t(total));
	EXPECT_EQ(verify(c), "");
	// One at a time, every object once, then none.
	std::set<void *> seen;
	for (std::uint32_t i = 0; i < total; i++) {
		void *o = slubq_cache_alloc(c);
		ASSERT_NE(o, nullptr);
		ASSERT_TRUE(seen.insert(o).second) << "handed out twice: " << o;
	}
	EXPECT_EQ(slubq_cache_alloc(c), nullptr);
	for (void *o : seen)
		slubq_cache_free(c, o);
	EXPECT_EQ(verify(c), "");

	// A chunk of its own is still welcome.
	void *more = rte_malloc(nullptr, size_t(mem), align);
	ASSERT_NE(more, nullptr);
	EXPECT_EQ(slubq_cache_populate(c, more, RTE_BAD_IOVA, size_t(mem), -1, total, nullptr, nullptr),
		  int(total));
	EXPECT_EQ(slubq_cache_total(c), 2u * total);
	EXPECT_EQ(verify(c), "");
	c.reset();
	rte_free(more);
}

// Issue 17: parameters that no allocation could ever serve, or that the
// API does not define, are refused at create (they were accepted, then
// every allocation failed -ENOBUFS without a word).
TEST(Cache, CreateRefusesWhatItCanNeverServe)
{
	slubq_cache_params p;
	slubq_cache_params_init(&p);
	p.name = "t_never";
	p.obj_size = SLUBQ_MAX_OBJ_SIZE + 1;
	rte_errno = 0;
	EXPECT_EQ(slubq_cache_create(&p), nullptr);
	EXPECT_EQ(rte_errno, EINVAL);
	p.obj_size = 64;
	p.flags = 1u << 20;
	rte_errno = 0;
	EXPECT_EQ(slubq_cache_create(&p), nullptr);
	EXPECT_EQ(rte_errno, EINVAL);
	p.flags = 0;
	p.name = "anon-64-1";
	rte_errno = 0;
	EXPECT_EQ(slubq_cache_create(&p), nullptr);
	EXPECT_EQ(rte_errno, EINVAL);
	// On hugepages an elastic slab is at most one page: align 1 MiB needs 16 MiB slabs.
	p.name = "t_never";
	p.align = 1u << 20;
	slubq_cache *c = slubq_cache_create(&p);
	if (rte_eal_has_hugepages()) {
		EXPECT_EQ(c, nullptr);
		EXPECT_EQ(rte_errno, EINVAL);
	}
	// Whatever is created serves an allocation.
	for (std::uint32_t size : {64u, 200u << 10, 1u << 20, SLUBQ_MAX_OBJ_SIZE}) {
		p.align = 8;
		p.obj_size = size;
		if (c == nullptr)
			c = slubq_cache_create(&p);
		if (c == nullptr)
			continue;
		void *o = nullptr;
		EXPECT_EQ(slubq_cache_alloc_bulk(c, &o, 1), 0) << size << "-byte objects";
		if (o != nullptr)
			slubq_cache_free_bulk(c, &o, 1);
		EXPECT_EQ(slubq_cache_destroy(c), 0);
		c = nullptr;
	}
}
