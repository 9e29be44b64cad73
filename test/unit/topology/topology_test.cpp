/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 1, topology.cpp: the EAL's sockets as dense logical ones, simulated
// topologies (an explicit map, or equal blocks of the enabled lcores), the
// calling thread's socket, and the public API whose topology caches take at
// create. Five lcores on the machine's CPUs (SLUBQ_TEST_LCORES in
// test/meson.build), so that the blocks can be computed by hand.
#include <gtest/gtest.h>
#include <algorithm>
#include <cstring>
#include <thread>
#include <vector>
#include <rte_errno.h>
#include <rte_lcore.h>
#include "eal_env.hpp"
#include "lcore_job.hpp"
#include "slubq.h"
#include "test_cache.hpp"
#include "topology/topology.hpp"

using namespace slubq;
using slubq_test::info_of;

namespace {

// The index of lcore lc's EAL socket among the EAL's sockets.
unsigned eal_index_of(unsigned lc)
{
	for (unsigned i = 0; i < rte_socket_count(); i++)
		if (rte_socket_id_by_idx(i) == int(rte_lcore_to_socket_id(lc)))
			return i;
	return 0;
}

bool same(const topology &a, const topology &b) { return std::memcmp(&a, &b, sizeof(topology)) == 0; }

} // namespace

TEST(Topology, FromEalIsDenseAndPlacesEveryLcore)
{
	topology t;
	topology_from_eal(t);
	EXPECT_EQ(t.simulated, 0u);
	ASSERT_EQ(t.nr_sockets, std::max(rte_socket_count(), 1u));
	for (unsigned i = 0; i < rte_socket_count(); i++)
		EXPECT_EQ(t.real_socket[i], rte_socket_id_by_idx(i)) << "logical socket " << i;
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
		EXPECT_LT(unsigned(t.lcore_socket[lc]), t.nr_sockets) << "lcore " << lc;
		if (rte_lcore_is_enabled(lc)) {
			EXPECT_EQ(unsigned(t.lcore_socket[lc]), eal_index_of(lc)) << "lcore " << lc;
		}
	}
}

TEST(Topology, LogicalOfRealSocket)
{
	topology t;
	topology_from_eal(t);
	for (unsigned i = 0; i < t.nr_sockets; i++)
		EXPECT_EQ(topology_logical_of_real(t, t.real_socket[i]), i);
	// Real sockets 3 and 1 become logical 0 and 1; an unknown one is 0.
	topology two{};
	two.nr_sockets = 2;
	two.real_socket[0] = 3;
	two.real_socket[1] = 1;
	EXPECT_EQ(topology_logical_of_real(two, 1), 1u);
	EXPECT_EQ(topology_logical_of_real(two, 3), 0u);
	EXPECT_EQ(topology_logical_of_real(two, 2), 0u);
	EXPECT_EQ(topology_logical_of_real(two, SOCKET_ID_ANY), 0u);
	// A simulated topology does not place by real socket.
	two.simulated = 1;
	EXPECT_EQ(topology_logical_of_real(two, 1), 0u);
}

TEST(Topology, SimulateWithAMap)
{
	std::vector<int> map(RTE_MAX_LCORE);
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++)
		map[lc] = int(lc % 3);
	topology t;
	ASSERT_EQ(topology_simulate(t, 3, map.data()), 0);
	EXPECT_EQ(t.nr_sockets, 3u);
	EXPECT_EQ(t.simulated, 1u);
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++)
		ASSERT_EQ(int(t.lcore_socket[lc]), map[lc]) << "lcore " << lc;
	// A logical socket's memory is on the real socket of its first enabled
	// lcore; one without an enabled lcore takes the EAL's first socket.
	std::fill(map.begin(), map.end(), 0);
	map[RTE_MAX_LCORE - 1] = 1; // never enabled here
	ASSERT_FALSE(rte_lcore_is_enabled(RTE_MAX_LCORE - 1));
	ASSERT_EQ(topology_simulate(t, 2, map.data()), 0);
	const unsigned first = rte_get_next_lcore(unsigned(-1), 0, 0); // the first enabled lcore id
	EXPECT_EQ(t.real_socket[0], int(rte_lcore_to_socket_id(first)));
	EXPECT_EQ(t.real_socket[1], rte_socket_id_by_idx(0));
	EXPECT_EQ(unsigned(t.lcore_socket[RTE_MAX_LCORE - 1]), 1u);
}

TEST(Topology, SimulateRefusesWhatItCannotMap)
{
	topology t;
	topology_from_eal(t);
	const topology before = t;
	std::vector<int> map(RTE_MAX_LCORE, 0);
	EXPECT_EQ(topology_simulate(t, 0, nullptr), -EINVAL);
	EXPECT_EQ(rte_errno, EINVAL);
	EXPECT_EQ(topology_simulate(t, SLUBQ_MAX_SOCKETS + 1, map.data()), -EINVAL);
	map[7] = 2; // beyond two sockets
	EXPECT_EQ(topology_simulate(t, 2, map.data()), -EINVAL);
	map[7] = -1;
	EXPECT_EQ(topology_simulate(t, 2, map.data()), -EINVAL);
	EXPECT_TRUE(same(t, before)) << "a refused simulation changed the topology";
	EXPECT_EQ(topology_simulate(t, SLUBQ_MAX_SOCKETS, nullptr), 0);
	EXPECT_EQ(t.nr_sockets, unsigned(SLUBQ_MAX_SOCKETS));
}

// Without a map: equal blocks of the enabled lcores in id order (the last
// block may be short); lcore ids that are not enabled go round-robin.
TEST(Topology, SimulateInEqualBlocksOfTheEnabledLcores)
{
	if (rte_lcore_count() != 5 || rte_lcore_is_enabled(5))
		GTEST_SKIP() << "needs lcores 0-4 (SLUBQ_TEST_LCORES)";
	topology t;
	ASSERT_EQ(topology_simulate(t, 2, nullptr), 0); // blocks of 3
	const unsigned two[] = {0, 0, 0, 1, 1};
	for (unsigned lc = 0; lc < 5; lc++)
		EXPECT_EQ(unsigned(t.lcore_socket[lc]), two[lc]) << "lcore " << lc;
	EXPECT_EQ(unsigned(t.lcore_socket[5]), 1u);
	EXPECT_EQ(unsigned(t.lcore_socket[6]), 0u);
	ASSERT_EQ(topology_simulate(t, 3, nullptr), 0); // blocks of 2
	const unsigned three[] = {0, 0, 1, 1, 2};
	for (unsigned lc = 0; lc < 5; lc++)
		EXPECT_EQ(unsigned(t.lcore_socket[lc]), three[lc]) << "lcore " << lc;
	EXPECT_EQ(unsigned(t.lcore_socket[5]), 2u);
	EXPECT_EQ(unsigned(t.lcore_socket[6]), 0u);
	ASSERT_EQ(topology_simulate(t, 8, nullptr), 0); // one lcore each, three sockets without one
	for (unsigned lc = 0; lc < 5; lc++)
		EXPECT_EQ(unsigned(t.lcore_socket[lc]), lc) << "lcore " << lc;
	for (unsigned s = 5; s < 8; s++)
		EXPECT_EQ(t.real_socket[s], rte_socket_id_by_idx(0)) << "socket " << s;
}

TEST(Topology, ThreadSocketIsItsLcoresOrZero)
{
	auto workers = slubq_test::worker_lcores();
	if (workers.empty())
		GTEST_SKIP() << "needs a worker lcore";
	std::vector<int> map(RTE_MAX_LCORE, 0);
	map[rte_get_main_lcore()] = 1;
	map[workers[0]] = 2;
	topology t;
	ASSERT_EQ(topology_simulate(t, 3, map.data()), 0);
	EXPECT_EQ(topology_thread_socket(t), 1u);
	EXPECT_EQ(slubq_test::on_lcore(workers[0], [&] { return topology_thread_socket(t); }), 2u);
	// A thread that is not an lcore: socket 0 of a simulated topology, and
	// some socket of the EAL's.
	topology eal;
	topology_from_eal(eal);
	unsigned simulated = 99, real = 99;
	std::thread([&] {
		simulated = topology_thread_socket(t);
		real = topology_thread_socket(eal);
	}).join();
	EXPECT_EQ(simulated, 0u);
	EXPECT_LT(real, eal.nr_sockets);
}

// The public API: a simulated topology applies to caches created from
// then on; a cache keeps the topology it was created with.
TEST(TopologyApi, CachesTakeTheTopologyAtCreate)
{
	auto workers = slubq_test::worker_lcores();
	if (workers.empty())
		GTEST_SKIP() << "needs a worker lcore";
	const unsigned eal_sockets = std::max(rte_socket_count(), 1u);
	ASSERT_EQ(slubq_topology_is_simulated(), 0);
	ASSERT_EQ(slubq_topology_sockets(), eal_sockets);
	auto before = slubq_test::elastic_cache(slubq_test::elastic_params("t_topo_before", 64));
	ASSERT_NE(before, nullptr);

	std::vector<int> map(RTE_MAX_LCORE, 0);
	map[workers[0]] = 1;
	ASSERT_EQ(slubq_topology_simulate(2, map.data()), 0);
	struct reset_at_exit {
		~reset_at_exit() { slubq_topology_reset(); }
	} reset;
	EXPECT_EQ(slubq_topology_is_simulated(), 1);
	EXPECT_EQ(slubq_topology_sockets(), 2u);
	EXPECT_EQ(slubq_topology_lcore_socket(workers[0]), 1u);
	EXPECT_EQ(slubq_topology_lcore_socket(rte_lcore_id()), 0u);
	EXPECT_EQ(slubq_test::on_lcore(workers[0], [] { return slubq_topology_lcore_socket(LCORE_ID_ANY); }), 1u);
	// A refused simulation leaves the topology as it was.
	EXPECT_EQ(slubq_topology_simulate(0, nullptr), -EINVAL);
	EXPECT_EQ(slubq_topology_sockets(), 2u);

	auto after = slubq_test::elastic_cache(slubq_test::elastic_params("t_topo_after", 64));
	ASSERT_NE(after, nullptr);
	EXPECT_EQ(info_of(before).nr_sockets, eal_sockets);
	EXPECT_EQ(info_of(after).nr_sockets, 2u);
	// The worker (socket 1) grows its own node.
	void *objs[16];
	ASSERT_EQ(slubq_test::on_lcore(workers[0], [&] { return slubq_cache_alloc_bulk(after, objs, 16); }), 0);
	slubq_cache_info info;
	ASSERT_EQ(slubq_cache_get_info(after, &info), 0);
	EXPECT_GT(info.node[1].objects, 0u);
	EXPECT_EQ(info.node[0].objects, 0u);
	slubq_test::on_lcore(workers[0], [&] { slubq_cache_free_bulk(after, objs, 16); });

	ASSERT_EQ(slubq_topology_reset(), 0);
	EXPECT_EQ(slubq_topology_is_simulated(), 0);
	EXPECT_EQ(slubq_topology_sockets(), eal_sockets);
	EXPECT_EQ(info_of(after).nr_sockets, 2u) << "a cache keeps the topology it was created with";
	EXPECT_EQ(slubq_cache_available(after), slubq_cache_total(after));
}
