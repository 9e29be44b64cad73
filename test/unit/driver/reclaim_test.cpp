/* SPDX-License-Identifier: BSD-3-Clause */
// Nothing is stranded: through the stock rte_mempool API, objects that sit
// in the lcore queues of lcores that stopped, or that run on other work,
// can be got by any lcore (issue: "No stranded objects"). Run with nine
// lcores on the machine's CPUs (SLUBQ_TEST_LCORES='(0-8)@(0-1)' in meson).
#include <gtest/gtest.h>
#include <pthread.h>
#include <atomic>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_launch.h>
#include <rte_ring.h>
#include "eal_env.hpp"
#include "lcore_job.hpp"
#include "pool_helpers.hpp"

using namespace driver_test;

namespace {

constexpr unsigned pool_size = 8192;

struct tagged {
	std::uint32_t id;    // 0 .. pool_size - 1, stamped once
	std::uint32_t magic; // ~id
};

// Stamp every object of mp with its id (all of them are free now).
void stamp_ids(rte_mempool *mp)
{
	std::vector<void *> all(pool_size);
	ASSERT_EQ(rte_mempool_get_bulk(mp, all.data(), pool_size), 0);
	for (unsigned i = 0; i < pool_size; i++)
		*static_cast<tagged *>(all[i]) = tagged{i, ~i};
	rte_mempool_put_bulk(mp, all.data(), pool_size);
}

bool well_formed(const void *o)
{
	auto *t = static_cast<const tagged *>(o);
	return t->id < pool_size && t->magic == ~t->id;
}

// The main lcore gets every object back at once; each id exactly once.
void expect_all_back(rte_mempool *mp)
{
	EXPECT_EQ(rte_mempool_avail_count(mp), pool_size);
	EXPECT_EQ(rte_mempool_in_use_count(mp), 0u);
	std::vector<void *> all(pool_size);
	ASSERT_EQ(rte_mempool_get_bulk(mp, all.data(), pool_size), 0) << "counted as available, but not got";
	std::set<std::uint32_t> ids;
	for (void *o : all) {
		ASSERT_TRUE(well_formed(o));
		ids.insert(static_cast<tagged *>(o)->id);
	}
	EXPECT_EQ(ids.size(), std::size_t(pool_size)) << "an object was handed out twice";
	rte_mempool_put_bulk(mp, all.data(), pool_size);
	EXPECT_EQ(verify(mp), "");
}

// A ring of lcores (and one plain pthread): each takes random bursts from
// the pool, passes them to the next through a ring, and puts back what it
// receives.
struct relay {
	rte_mempool *mp;
	std::vector<rte_ring *> rings; // rings[i]: into participant i
	std::atomic<bool> stop{false};
	std::atomic<unsigned> bad{0};
	std::atomic<std::uint64_t> moved{0};
};

struct participant {
	relay *r;
	unsigned index;
};

void relay_loop(relay *r, unsigned me)
{
	std::mt19937 rng(me * 7919u + 1);
	void *burst[64];
	rte_ring *in = r->rings[me], *out = r->rings[(me + 1) % r->rings.size()];
	std::uint64_t moved = 0;
	while (!r->stop.load(std::memory_order_relaxed)) {
		unsigned n = 1 + rng() % 32;
		if (rte_mempool_get_bulk(r->mp, burst, n) == 0) {
			unsigned sent = rte_ring_enqueue_burst(out, burst, n, nullptr);
			if (sent < n)
				rte_mempool_put_bulk(r->mp, burst + sent, n - sent);
			moved += n;
		}
		unsigned got = rte_ring_dequeue_burst(in, burst, 64, nullptr);
		for (unsigned i = 0; i < got; i++)
			if (!well_formed(burst[i]))
				r->bad++;
		rte_mempool_put_bulk(r->mp, burst, got);
	}
	r->moved += moved;
}

int relay_lcore(void *arg)
{
	auto *p = static_cast<participant *>(arg);
	relay_loop(p->r, p->index);
	return 0;
}

void *relay_pthread(void *arg)
{
	auto *p = static_cast<participant *>(arg);
	relay_loop(p->r, p->index);
	return nullptr;
}

class Stranded : public ::testing::TestWithParam<unsigned> {};

// Eight lcores (on two CPUs) and a non-EAL pthread pass objects around;
// once they have all stopped, the main lcore gets all of them.
TEST_P(Stranded, RelayThenMainGetsAll)
{
	const unsigned cache = GetParam();
	auto workers = slubq_test::worker_lcores();
	if (workers.size() < 2)
		GTEST_SKIP() << "needs worker lcores (SLUBQ_TEST_LCORES)";
	std::string name = "t_relay_c" + std::to_string(cache);
	rte_mempool *mp = make_pool(name.c_str(), pool_size, sizeof(tagged), cache);
	ASSERT_NE(mp, nullptr) << rte_strerror(rte_errno);
	pool_guard g(mp);
	stamp_ids(mp);

	relay r;
	r.mp = mp;
	const unsigned parts = unsigned(workers.size()) + 1; // + the pthread
	for (unsigned i = 0; i < parts; i++) {
		std::string rn = name + "_r" + std::to_string(i);
		r.rings.push_back(rte_ring_create(rn.c_str(), 1024, SOCKET_ID_ANY, 0));
		ASSERT_NE(r.rings.back(), nullptr);
	}
	std::vector<participant> ps(parts);
	for (unsigned i = 0; i < parts; i++)
		ps[i] = participant{&r, i};
	for (unsigned i = 0; i < workers.size(); i++)
		ASSERT_EQ(rte_eal_remote_launch(relay_lcore, &ps[i], workers[i]), 0);
	pthread_t th;
	ASSERT_EQ(pthread_create(&th, nullptr, relay_pthread, &ps[workers.size()]), 0);
	rte_delay_ms(300);
	r.stop = true;
	rte_eal_mp_wait_lcore();
	pthread_join(th, nullptr);
	EXPECT_EQ(r.bad.load(), 0u);
	EXPECT_GT(r.moved.load(), 0u);

	// What is left in the rings goes back; DPDK's own per-lcore caches are
	// flushed (they are DPDK's, not slubq's: the user's job, as on any driver).
	void *burst[64];
	for (rte_ring *ring : r.rings) {
		unsigned got;
		while ((got = rte_ring_dequeue_burst(ring, burst, 64, nullptr)) > 0)
			rte_mempool_put_bulk(mp, burst, got);
		rte_ring_free(ring);
	}
	if (cache != 0)
		for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++)
			rte_mempool_cache_flush(rte_mempool_default_cache(mp, lc), mp);
	expect_all_back(mp);
}

INSTANTIATE_TEST_SUITE_P(MempoolCache, Stranded, ::testing::Values(0u, 256u),
			 [](const auto &info) { return "cache" + std::to_string(info.param); });

// An lcore that filled its queue from pool A, then keeps running on pool B
// only: the main lcore empties pool A while it runs.
struct busy_elsewhere {
	rte_mempool *a, *b;
	std::atomic<bool> filled{false}, stop{false};
};

void use_a_then_b(busy_elsewhere *w)
{
	// Bursts that fit the lcore queue (a quarter of the pool over 9 lcores).
	void *objs[64];
	for (int round = 0; round < 4; round++) {
		if (rte_mempool_get_bulk(w->a, objs, 64) == 0)
			rte_mempool_put_bulk(w->a, objs, 64); // parks them in this lcore's queue
	}
	w->filled = true;
	while (!w->stop.load(std::memory_order_relaxed))
		if (rte_mempool_get_bulk(w->b, objs, 32) == 0)
			rte_mempool_put_bulk(w->b, objs, 32);
}

TEST(Stranded, LcoreBusyOnAnotherPool)
{
	auto workers = slubq_test::worker_lcores();
	if (workers.empty())
		GTEST_SKIP() << "needs a worker lcore";
	rte_mempool *a = make_pool("t_busy_a", pool_size, sizeof(tagged), 0);
	ASSERT_NE(a, nullptr);
	pool_guard ga(a);
	rte_mempool *b = make_pool("t_busy_b", 1024, 64, 0);
	ASSERT_NE(b, nullptr);
	pool_guard gb(b);
	stamp_ids(a);
	busy_elsewhere w{a, b};
	slubq_test::lcore_job job(workers[0], [&w] {
		use_a_then_b(&w);
		return 0;
	});
	while (!w.filled.load())
		rte_pause();
	std::uint32_t parked = 0, size = 0;
	slubq_cache_queue_fill(rte_mempool_slubq_cache(a), workers[0], &parked, &size);
	EXPECT_GT(parked, 0u) << "the worker's queue holds objects of pool A";
	expect_all_back(a); // while the worker keeps running on pool B
	w.stop = true;
	job.wait();
}

// The native API too: shrink takes parked queues back into the slabs.
TEST(Stranded, ShrinkTakesParkedQueues)
{
	auto workers = slubq_test::worker_lcores();
	if (workers.empty())
		GTEST_SKIP() << "needs a worker lcore";
	rte_mempool *mp = make_pool("t_shrink_parked", pool_size, 64, 0);
	ASSERT_NE(mp, nullptr);
	pool_guard g(mp);
	ASSERT_EQ(slubq_test::on_lcore(workers[0], [mp] {
		void *objs[64];
		if (rte_mempool_get_bulk(mp, objs, 64) != 0)
			return -1;
		rte_mempool_put_bulk(mp, objs, 64);
		return 0;
	}), 0);
	slubq_cache *c = rte_mempool_slubq_cache(mp);
	std::uint32_t parked = 0, size = 0;
	slubq_cache_queue_fill(c, workers[0], &parked, &size);
	EXPECT_GE(parked, 64u);
	slubq_cache_shrink(c);
	slubq_cache_queue_fill(c, workers[0], &parked, &size);
	EXPECT_EQ(parked, 0u) << "shrink reclaims the stopped lcore's queue";
	slubq_cache_info info;
	ASSERT_EQ(slubq_cache_get_info(c, &info), 0);
	EXPECT_EQ(info.node[0].free_in_slabs, std::uint64_t(pool_size));
	EXPECT_EQ(verify(mp), "");
}

} // namespace
