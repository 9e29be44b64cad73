/* SPDX-License-Identifier: BSD-3-Clause */
// Owner tracking (lcore, caller, TSC of the last allocation and free),
// non-EAL threads with debug on, and double frees of objects waiting in
// an alien queue (simulated two-socket topology).
#include <gtest/gtest.h>
#include <thread>
#include <rte_lcore.h>
#include <slubq_debug.h>
#include "debug_test_util.hpp"
#include "eal_env.hpp"
#include "lcore_job.hpp"

using namespace debug_test;

namespace {

// Calls from a known function, to check the recorded caller address.
__attribute__((noinline)) void *alloc_here(slubq_cache *c) { return slubq::alloc_one(c); }
__attribute__((noinline)) void free_here(slubq_cache *c, void *o) { slubq::free_one(c, o); }

bool inside(std::uintptr_t addr, void *(*fn)(slubq_cache *))
{
	auto lo = reinterpret_cast<std::uintptr_t>(fn);
	return addr > lo && addr < lo + 4096;
}
bool inside(std::uintptr_t addr, void (*fn)(slubq_cache *, void *))
{
	auto lo = reinterpret_cast<std::uintptr_t>(fn);
	return addr > lo && addr < lo + 4096;
}

unsigned a_worker()
{
	auto w = slubq_test::worker_lcores();
	return w.empty() ? RTE_MAX_LCORE : w[0];
}

} // namespace

TEST(DebugTracking, RecordsLcoreCallerAndTimeOfAllocAndFree)
{
	unsigned worker = a_worker();
	if (worker == RTE_MAX_LCORE)
		GTEST_SKIP() << "needs a worker lcore";
	auto c = make("d_track", SLUBQ_F_TRACK);
	ASSERT_NE(c, nullptr);
	void *obj = slubq_test::on_lcore(worker, [&] { return alloc_here(c); });
	ASSERT_NE(obj, nullptr);
	free_here(c, obj);
	slubq_obj_info info;
	ASSERT_EQ(slubq_debug_object_info(c, obj, &info), 0);
	EXPECT_EQ(info.state, SLUBQ_OBJ_FREE);
	EXPECT_EQ(info.alloc_lcore, worker);
	EXPECT_EQ(info.free_lcore, rte_lcore_id());
	EXPECT_TRUE(inside(info.alloc_caller, alloc_here)) << std::hex << info.alloc_caller;
	EXPECT_TRUE(inside(info.free_caller, free_here)) << std::hex << info.free_caller;
	EXPECT_GT(info.alloc_tsc, 0u);
	EXPECT_GE(info.free_tsc, info.alloc_tsc);
	{
		log_capture log;
		free_here(c, obj);
		std::string t = log.text();
		char want[128];
		std::snprintf(want, sizeof(want), "by lcore %u (caller %#lx", rte_lcore_id(),
			      static_cast<unsigned long>(info.free_caller));
		EXPECT_NE(t.find(want), std::string::npos) << t << "\nwanted: " << want;
		std::snprintf(want, sizeof(want), "; last alloc: lcore %u, caller %#lx", worker,
			      static_cast<unsigned long>(info.alloc_caller));
		EXPECT_NE(t.find(want), std::string::npos) << t << "\nwanted: " << want;
		std::snprintf(want, sizeof(want), "; last free: lcore %u, caller %#lx", rte_lcore_id(),
			      static_cast<unsigned long>(info.free_caller));
		EXPECT_NE(t.find(want), std::string::npos) << t << "\nwanted: " << want;
		EXPECT_NE(t.find(" us ago)"), std::string::npos) << t;
	}
	// A failed free changes no record.
	slubq_obj_info after;
	ASSERT_EQ(slubq_debug_object_info(c, obj, &after), 0);
	EXPECT_EQ(after.free_tsc, info.free_tsc);
	EXPECT_EQ(errors(c), 1u);
	EXPECT_EQ(verify(c), "");
}

TEST(DebugTracking, NonEalThreadTakesTheCheckedPath)
{
	auto c = make("d_noneal", SLUBQ_F_DEBUG);
	ASSERT_NE(c, nullptr);
	void *objs[16] = {};
	std::string t;
	slubq_obj_info info{};
	int rc_alloc = -1, rc_info = -1;
	{
		log_capture log;
		std::thread th([&] {
			rc_alloc = slubq_cache_alloc_bulk(c, objs, 16);
			if (rc_alloc != 0)
				return;
			static_cast<char *>(objs[3])[-1] = 0; // red zone
			slubq_cache_free_bulk(c, objs, 16);
			slubq_cache_free(c, objs[7]); // double free
			rc_info = slubq_debug_object_info(c, objs[0], &info);
		});
		th.join();
		t = log.text();
	}
	ASSERT_EQ(rc_alloc, 0);
	ASSERT_EQ(rc_info, 0);
	EXPECT_EQ(info.alloc_lcore, unsigned(LCORE_ID_ANY));
	EXPECT_EQ(info.free_lcore, unsigned(LCORE_ID_ANY));
	EXPECT_EQ(info.state, SLUBQ_OBJ_FREE);
	EXPECT_NE(t.find("free of " + ptr(objs[3]) + " by non-EAL thread"), std::string::npos) << t;
	EXPECT_NE(t.find("left red zone overwritten"), std::string::npos) << t;
	EXPECT_NE(t.find("free of " + ptr(objs[7]) + " by non-EAL thread"), std::string::npos) << t;
	EXPECT_NE(t.find("double free"), std::string::npos) << t;
	EXPECT_NE(t.find("last free: non-EAL thread"), std::string::npos) << t;
	EXPECT_EQ(errors(c), 2u);
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c));
	EXPECT_EQ(verify(c), "");
}

namespace {

struct topo_guard {
	~topo_guard() { slubq_topology_reset(); }
};

} // namespace

TEST(DebugTracking, DoubleFreeOfAnObjectWaitingInAnAlienQueue)
{
	unsigned worker = a_worker();
	if (worker == RTE_MAX_LCORE)
		GTEST_SKIP() << "needs a worker lcore";
	int map[RTE_MAX_LCORE] = {};
	map[worker] = 1; // the worker is socket 1, everyone else socket 0
	topo_guard tg;
	ASSERT_EQ(slubq_topology_simulate(2, map), 0);
	auto c = make("d_alien", SLUBQ_F_DEBUG);
	ASSERT_NE(c, nullptr);
	void *obj = slubq_test::on_lcore(worker, [&] { return alloc_here(c); }); // a socket-1 object
	ASSERT_NE(obj, nullptr);
	slubq_cache_free(c, obj); // freed on socket 0: waits in node 0's alien queue for socket 1
	slubq_cache_info ci;
	ASSERT_EQ(slubq_cache_get_info(c, &ci), 0);
	ASSERT_EQ(ci.node[0].alien_count, 1u);
	{
		log_capture log;
		slubq_cache_free(c, obj);
		EXPECT_NE(log.text().find("double free: the object is already free (waiting in a queue)"),
			  std::string::npos);
	}
	ASSERT_EQ(slubq_cache_get_info(c, &ci), 0);
	EXPECT_EQ(ci.node[0].alien_count, 1u);
	EXPECT_EQ(errors(c), 1u);
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c));
	EXPECT_EQ(verify(c), "");
}

namespace {

// The empty asm after each call keeps the compiler from turning it into a
// tail call (which would make the test's own frame the caller).
__attribute__((noinline)) void *c_alloc_here(slubq_cache *c)
{
	void *o = slubq_cache_alloc(c);
	asm volatile("" ::: "memory");
	return o;
}
__attribute__((noinline)) void c_free_here(slubq_cache *c, void *o)
{
	slubq_cache_free(c, o);
	asm volatile("" ::: "memory");
}

bool inside_c(std::uintptr_t addr, const void *fn)
{
	auto lo = reinterpret_cast<std::uintptr_t>(fn);
	return addr > lo && addr < lo + 4096;
}

} // namespace

// This binary links libslubq.so: the one-object C entry points cannot
// tail-call the slow path, so the record must skip their frame.
TEST(DebugTracking, CEntryPointsRecordTheApplicationCaller)
{
	auto c = make("d_track_c", SLUBQ_F_TRACK);
	ASSERT_NE(c, nullptr);
	void *o = c_alloc_here(c);
	ASSERT_NE(o, nullptr);
	c_free_here(c, o);
	slubq_obj_info info;
	ASSERT_EQ(slubq_debug_object_info(c, o, &info), 0);
	EXPECT_TRUE(inside_c(info.alloc_caller, reinterpret_cast<const void *>(&c_alloc_here)))
		<< std::hex << info.alloc_caller;
	EXPECT_TRUE(inside_c(info.free_caller, reinterpret_cast<const void *>(&c_free_here))) << std::hex << info.free_caller;
}
