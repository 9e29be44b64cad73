/* SPDX-License-Identifier: BSD-3-Clause */
// Node layer on a simulated 2-socket topology: cross-socket frees go into
// alien queues and home in batches; local queues never hand out remote
// objects.
#include <gtest/gtest.h>
#include <vector>
#include <rte_lcore.h>
#include "eal_env.hpp"
#include "lcore_job.hpp"
#include "slubq.hpp"
#include "test_cache.hpp"
#include "cache/cache.hpp"

namespace {

class Numa : public ::testing::Test {
protected:
	void SetUp() override
	{
		workers = slubq_test::worker_lcores();
		if (workers.empty())
			GTEST_SKIP() << "needs a worker lcore";
		// main lcore -> socket 0, first worker -> socket 1
		std::vector<int> map(RTE_MAX_LCORE, 0);
		map[workers[0]] = 1;
		ASSERT_EQ(slubq_topology_simulate(2, map.data()), 0);
		ASSERT_EQ(slubq_topology_sockets(), 2u);
	}
	void TearDown() override { slubq_topology_reset(); }
	// Fill objs with objects allocated on the first worker (socket 1); its
	// logical socket into *socket when asked. slubq::alloc's result.
	int alloc_on_worker(slubq_cache *c, std::vector<void *> &objs, unsigned *socket = nullptr)
	{
		return slubq_test::on_lcore(workers[0], [&] {
			if (socket != nullptr)
				*socket = slubq_topology_lcore_socket(rte_lcore_id());
			return slubq::alloc(c, objs.data(), std::uint32_t(objs.size()));
		});
	}
	std::vector<unsigned> workers;
};

slubq_test::test_cache make(const char *name, std::uint32_t alien, std::uint32_t flags = 0)
{
	slubq_cache_params p = slubq_test::elastic_params(name, 64);
	p.queue_size = 64;
	p.alien_size = alien;
	p.flags = flags;
	return slubq_test::elastic_cache(p);
}

} // namespace

TEST_F(Numa, CrossSocketFreesGoHomeInBatches)
{
	auto c = make("t_numa", 100);
	ASSERT_NE(c, nullptr);
	slubq_cache_info info;
	ASSERT_EQ(slubq_cache_get_info(c, &info), 0);
	ASSERT_EQ(info.nr_sockets, 2u);
	// Socket 1 allocates 1000 objects: they live in socket 1's slabs.
	std::vector<void *> objs(1000);
	unsigned socket = 0;
	ASSERT_EQ(alloc_on_worker(c, objs, &socket), 0);
	EXPECT_EQ(socket, 1u);
	for (void *o : objs)
		ASSERT_EQ(slubq::slab_of(c->geo, o)->socket, 1u);
	ASSERT_EQ(slubq_cache_get_info(c, &info), 0);
	std::uint64_t node1_free_before = info.node[1].free_in_slabs + info.node[1].shared_count;
	// Socket 0 frees them: they go into node 0's alien queue for socket 1.
	for (std::size_t i = 0; i < 1000; i += 50)
		slubq::free(c, objs.data() + i, 50);
	slubq_stats st;
	slubq_cache_stats(c, int(rte_lcore_id()), &st);
	EXPECT_EQ(st.alien_sent, 1000u);
	EXPECT_GE(st.alien_flushes, 9u); // a full queue of 100 goes home per batch
	ASSERT_EQ(slubq_cache_get_info(c, &info), 0);
	EXPECT_LE(info.node[0].alien_count, 100u);
	// Nothing was kept on socket 0: its lcore queue holds no remote object.
	std::uint32_t count = 0;
	slubq_cache_queue_fill(c, rte_lcore_id(), &count, nullptr);
	EXPECT_EQ(count, 0u);
	std::uint64_t node1_free_after = info.node[1].free_in_slabs + info.node[1].shared_count;
	EXPECT_EQ(node1_free_after - node1_free_before + info.node[0].alien_count, 1000u);
	slubq_cache_stats(c, -1, &st);
	EXPECT_EQ(st.alien_received, 1000u - info.node[0].alien_count);
	// Shrink drains the alien queues home.
	slubq_cache_shrink(c);
	ASSERT_EQ(slubq_cache_get_info(c, &info), 0);
	EXPECT_EQ(info.node[0].alien_count, 0u);
	EXPECT_EQ(slubq_test::verify(c), "");
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c));
}

// A full alien queue goes home whole (a magazine of the home node) when the
// home node has an empty array and room; socket 1 gets its objects back
// from it, and every count stays exact.
TEST_F(Numa, FullAlienQueuesGoHomeAsMagazines)
{
	auto c = make("t_numa_mag", 64);
	ASSERT_NE(c, nullptr);
	std::vector<void *> objs(640);
	ASSERT_EQ(alloc_on_worker(c, objs), 0);
	for (std::size_t i = 0; i < objs.size(); i += 32)
		slubq::free(c, objs.data() + i, 32);
	slubq_cache_info info;
	ASSERT_EQ(slubq_cache_get_info(c, &info), 0);
	EXPECT_GT(info.node[1].magazine_exchanges, 0u);
	EXPECT_LE(info.node[1].shared_count, info.node[1].shared_size);
	EXPECT_EQ(slubq_test::verify(c), "");
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c));
	// Socket 1 allocates them again: magazines, shared queue and slabs serve it.
	ASSERT_EQ(alloc_on_worker(c, objs), 0);
	for (void *o : objs)
		ASSERT_EQ(slubq::slab_of(c->geo, o)->socket, 1u);
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c) - objs.size());
	slubq::free(c, objs.data(), std::uint32_t(objs.size()));
	slubq_cache_shrink(c);
	EXPECT_EQ(slubq_test::verify(c), "");
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c));
}

TEST_F(Numa, LocalQueueNeverHandsOutRemoteObjects)
{
	auto c = make("t_numa_local", 16);
	ASSERT_NE(c, nullptr);
	std::vector<void *> objs(300);
	ASSERT_EQ(alloc_on_worker(c, objs), 0);
	slubq::free(c, objs.data(), 300); // remote frees on socket 0
	std::vector<void *> mine(500);
	ASSERT_EQ(slubq::alloc(c, mine.data(), 500), 0);
	for (void *o : mine)
		EXPECT_EQ(slubq::slab_of(c->geo, o)->socket, 0u);
	slubq::free(c, mine.data(), 500);
	EXPECT_EQ(slubq_test::verify(c), "");
}

TEST_F(Numa, NoAlienSendsHomeAtOnce)
{
	auto c = make("t_numa_noalien", 100, SLUBQ_F_NO_ALIEN);
	ASSERT_NE(c, nullptr);
	std::vector<void *> objs(200);
	ASSERT_EQ(alloc_on_worker(c, objs), 0);
	slubq::free(c, objs.data(), 200);
	slubq_cache_info info;
	ASSERT_EQ(slubq_cache_get_info(c, &info), 0);
	EXPECT_EQ(info.node[0].alien_count, 0u);
	slubq_stats st;
	slubq_cache_stats(c, int(rte_lcore_id()), &st);
	EXPECT_EQ(st.alien_sent, 0u);
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c));
}

TEST_F(Numa, FixedPoolOnOneSocketServesTheOther)
{
	// A fixed pool whose memory all sits on socket 0 still serves socket 1,
	// with remote objects straight to the caller.
	slubq_cache_params p = slubq_test::fixed_params("t_numa_fixed", 64);
	p.queue_size = 32;
	auto c = slubq_test::fixed_cache(p, 500, 0);
	ASSERT_NE(c, nullptr);
	std::vector<void *> objs(500);
	ASSERT_EQ(alloc_on_worker(c, objs), 0);
	ASSERT_EQ(slubq_cache_available(c), 0u);
	slubq_test::on_lcore(workers[0], [&] { slubq::free(c, objs.data(), 500); });
	slubq_cache_shrink(c);
	EXPECT_EQ(slubq_cache_available(c), 500u);
	EXPECT_EQ(slubq_test::verify(c), "");
}
