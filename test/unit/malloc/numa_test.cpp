/* SPDX-License-Identifier: BSD-3-Clause */
// slubq_malloc on two (simulated) sockets: an object freed on the other
// socket goes home through the alien queue, never into the freeing lcore's
// queue. Its own binary: the size classes must be created after the
// topology is simulated.
#include <gtest/gtest.h>
#include <string>
#include <vector>
#include "eal_env.hpp"
#include "lcore_job.hpp"
#include "slubq_malloc.hpp"
#include "test_cache.hpp"

TEST(MallocNuma, CrossSocketFreesGoHome)
{
	auto workers = slubq_test::worker_lcores();
	if (workers.empty())
		GTEST_SKIP() << "needs a worker lcore";
	ASSERT_EQ(slubq_cache_lookup("kmalloc-256"), nullptr) << "size classes made before the topology";
	const unsigned w = workers[0];
	std::vector<int> map(RTE_MAX_LCORE, 0);
	map[w] = 1;
	ASSERT_EQ(slubq_topology_simulate(2, map.data()), 0);
	slubq_cache *c = slubq_malloc_cache(256, 0);
	ASSERT_NE(c, nullptr);
	slubq_cache_info info;
	ASSERT_EQ(slubq_cache_get_info(c, &info), 0);
	ASSERT_EQ(info.nr_sockets, 2u);

	std::vector<void *> objs;
	for (unsigned i = 0; i < 1000; i++) {
		void *p = slubq_malloc(200, SOCKET_ID_ANY);
		ASSERT_NE(p, nullptr);
		objs.push_back(p);
	}
	slubq_test::on_lcore(w, [&] {
		for (void *p : objs)
			slubq_free(p);
	});
	slubq_stats st;
	ASSERT_EQ(slubq_cache_stats(c, int(w), &st), 0);
	EXPECT_EQ(st.alien_sent, 1000u);
	std::uint32_t count = 0, size = 0;
	slubq_cache_queue_fill(c, w, &count, &size);
	EXPECT_EQ(count, 0u) << "remote objects in the worker's queue";
	EXPECT_EQ(slubq_test::verify(c), "");
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c));
	ASSERT_EQ(slubq_topology_reset(), 0);
}
