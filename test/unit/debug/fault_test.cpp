/* SPDX-License-Identifier: BSD-3-Clause */
// Fault injection: every Nth allocation call, or with a seeded probability,
// fails with -ENOBUFS and loses nothing; switching it on drains the lcore
// queues and switching it off brings them back.
#include <gtest/gtest.h>
#include <vector>
#include <rte_errno.h>
#include <slubq_debug.h>
#include "debug_test_util.hpp"

using namespace debug_test;

namespace {

std::uint64_t injected(const slubq_cache *c)
{
	slubq_stats st;
	slubq_cache_stats(c, -1, &st);
	return st.injected_faults;
}

// calls allocations of 4 objects (freed at once); the pattern of failures.
std::vector<bool> run_calls(slubq_cache *c, unsigned calls)
{
	std::vector<bool> failed;
	void *o[4];
	for (unsigned i = 0; i < calls; i++) {
		int rc = slubq_cache_alloc_bulk(c, o, 4);
		failed.push_back(rc != 0);
		if (rc == 0)
			slubq_cache_free_bulk(c, o, 4);
		else if (rc != -ENOBUFS || rte_errno != ENOBUFS)
			ADD_FAILURE() << "rc " << rc << " rte_errno " << rte_errno;
	}
	return failed;
}

unsigned count(const std::vector<bool> &v)
{
	unsigned n = 0;
	for (bool b : v)
		n += b;
	return n;
}

} // namespace

TEST(DebugFaults, EveryNthCallFails)
{
	auto c = make("d_fault_n", 0);
	ASSERT_NE(c, nullptr);
	ASSERT_EQ(slubq_cache_inject_faults(c, 7, 0, 0), 0);
	std::vector<bool> f = run_calls(c, 100);
	EXPECT_EQ(count(f), 14u);
	for (unsigned i = 0; i < f.size(); i++)
		EXPECT_EQ(f[i], (i + 1) % 7 == 0) << "call " << i + 1;
	EXPECT_EQ(injected(c), 14u);
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c));
	EXPECT_EQ(verify(c), "");
}

TEST(DebugFaults, ProbabilityIsSeededAndDeterministic)
{
	auto c = make("d_fault_p", SLUBQ_F_SANITY);
	ASSERT_NE(c, nullptr);
	ASSERT_EQ(slubq_cache_inject_faults(c, 0, 100000, 42), 0); // 10 %
	std::vector<bool> a = run_calls(c, 4000);
	ASSERT_EQ(slubq_cache_inject_faults(c, 0, 100000, 42), 0);
	std::vector<bool> b = run_calls(c, 4000);
	ASSERT_EQ(slubq_cache_inject_faults(c, 0, 100000, 43), 0);
	std::vector<bool> other = run_calls(c, 4000);
	EXPECT_EQ(a, b);
	EXPECT_NE(a, other);
	// 4000 draws at p = 0.1: mean 400, sd 19.
	EXPECT_GT(count(a), 300u);
	EXPECT_LT(count(a), 500u);
	EXPECT_EQ(injected(c), count(a) + count(b) + count(other));
	ASSERT_EQ(slubq_cache_inject_faults(c, 0, 1000000, 1), 0); // always
	EXPECT_EQ(count(run_calls(c, 50)), 50u);
	ASSERT_EQ(slubq_cache_inject_faults(c, 0, 0, 0), 0); // off
	EXPECT_EQ(count(run_calls(c, 50)), 0u);
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c));
	EXPECT_EQ(errors(c), 0u);
	EXPECT_EQ(verify(c), "");
}

TEST(DebugFaults, BadArgumentsAreRefused)
{
	auto c = make("d_fault_bad", 0);
	ASSERT_NE(c, nullptr);
	EXPECT_EQ(slubq_cache_inject_faults(c, 0, 1000001, 0), -EINVAL);
	EXPECT_EQ(rte_errno, EINVAL);
	EXPECT_EQ(slubq_cache_inject_faults(nullptr, 1, 0, 0), -EINVAL);
}

TEST(DebugFaults, SwitchingOnDrainsTheQueueAndOffRestoresIt)
{
	auto c = make("d_fault_q", 0, 64, 64);
	ASSERT_NE(c, nullptr);
	const unsigned me = rte_lcore_id();
	void *o[8];
	ASSERT_EQ(slubq::alloc(c, o, 8), 0);
	slubq::free(c, o, 8);
	std::uint32_t cnt = 0, size = 0;
	ASSERT_EQ(slubq_cache_queue_fill(c, me, &cnt, &size), 1);
	ASSERT_EQ(size, 64u);
	ASSERT_GT(cnt, 0u);

	ASSERT_EQ(slubq_cache_inject_faults(c, 2, 0, 0), 0);
	// The next free takes the slow path, which drains and switches the queue off.
	ASSERT_EQ(slubq::alloc(c, o, 1), 0);
	slubq::free(c, o, 1);
	ASSERT_EQ(slubq_cache_queue_fill(c, me, &cnt, &size), 1);
	EXPECT_EQ(size, 0u);
	EXPECT_EQ(cnt, 0u);
	EXPECT_EQ(count(run_calls(c, 10)), 5u);

	ASSERT_EQ(slubq_cache_inject_faults(c, 0, 0, 0), 0);
	slubq_stats before, after;
	slubq_cache_stats(c, int(me), &before);
	EXPECT_EQ(count(run_calls(c, 100)), 0u);
	slubq_cache_stats(c, int(me), &after);
	EXPECT_GT(after.alloc_fast, before.alloc_fast); // the queue serves again
	ASSERT_EQ(slubq_cache_queue_fill(c, me, &cnt, &size), 1);
	EXPECT_EQ(size, 64u);
	EXPECT_EQ(injected(c), 5u);
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c));
	EXPECT_EQ(verify(c), "");
}
