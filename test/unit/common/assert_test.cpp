/* SPDX-License-Identifier: BSD-3-Clause */
// SLUBQ_ASSERT: the written invariants of the engine are checks in debug
// and sanitizer builds (they abort, naming the condition) and cost nothing
// in release builds (the condition is not evaluated). Each death test
// breaks one real invariant of the engine's code.
#include <gtest/gtest.h>
#include <rte_malloc.h>
#include "common/assert.hpp"
#include "common/plock.hpp"
#include "node/node.hpp"
#include "queue/lcore_queue.hpp"
#include "slab/slab.hpp"
#include "fixed_cache.hpp"
#include "slubq.hpp"
#include "cache/cache.hpp"

namespace {

// Death tests fork: "fast" style, so that the child does not start the EAL again.
struct AssertTest : ::testing::Test {
	void SetUp() override
	{
		if (!SLUBQ_ASSERTS)
			GTEST_SKIP() << "SLUBQ_ASSERTS is 0 in this build (release): the checks are compiled out";
		GTEST_FLAG_SET(death_test_style, "fast");
	}
};

TEST_F(AssertTest, ReleasingALockNotHeldAborts)
{
	slubq::plock l;
	slubq::plock_init(l);
	EXPECT_DEATH(slubq::plock_release(l), "assertion failed: plock_held");
}

TEST_F(AssertTest, PoppingMoreThanTheQueueHoldsAborts)
{
	// Room around the four slots: in a release build the calls below are
	// compiled (never run) without their checks, and GCC's -Warray-bounds
	// would see the overrun they test.
	void *slots[16] = {};
	slubq::lcore_queue q{};
	q.objs = slots + 4;
	q.capacity = 4;
	q.count = 2;
	void *out[4];
	EXPECT_DEATH(slubq::queue_pop(&q, out, 3), "assertion failed: n <= q->count");
	EXPECT_DEATH(slubq::queue_push(&q, out, 3), "assertion failed: q->count \\+ n <= q->capacity");
}

TEST_F(AssertTest, NodeWorkWithoutItsLockAborts)
{
	void *buf;
	slubq_cache_params p = slubq_test::fixed_params("assert_node", 64);
	slubq_cache *c = slubq_test::make_fixed(p, 256, &buf);
	ASSERT_NE(c, nullptr);
	slubq::node *nd = c->nodes[0];
	void *objs[8];
	EXPECT_DEATH(slubq::depot_take(nd, objs, 8), "assertion failed: plock_held");
	slubq_cache_destroy(c);
	rte_free(buf);
}

TEST_F(AssertTest, FreeingASlotPastTheSlabAborts)
{
	alignas(64) static unsigned char mem[4096];
	auto *s = reinterpret_cast<slubq::slab *>(mem);
	s->nr_objs = 8;
	s->layout = slubq::LAYOUT_FULL;
	EXPECT_DEATH(slubq::slab_put(s, 8), "assertion failed: idx < s->nr_objs");
}

// Off: the condition is type-checked only, never evaluated.
TEST(AssertOff, ConditionIsNotEvaluatedWhenCompiledOut)
{
	int evaluated = 0;
	SLUBQ_ASSERT(++evaluated > 0);
	EXPECT_EQ(evaluated, SLUBQ_ASSERTS ? 1 : 0);
}

} // namespace
