/* SPDX-License-Identifier: BSD-3-Clause */
// The configuration's topology section: synthetic machines and explicit
// maps placing lcores, the EAL's own, and the C API's description. (hwloc
// itself: test/unit/topology.)
#include <gtest/gtest.h>
#include <cstring>
#include <rte_lcore.h>
#include "config_test_util.hpp"

using namespace slubq;

namespace {

config::topology topo_of(const std::string &yaml)
{
	config::config c;
	std::vector<std::string> errors;
	EXPECT_EQ(config::load_string(yaml, "t.yaml", c, errors), 0) << (errors.empty() ? "" : errors[0]);
	return c.topo;
}

} // namespace

TEST(ConfigTopology, SyntheticPlacesLcoresOnPus)
{
	auto t = topo_of("topology:\n  synthetic: \"package:2 core:2 pu:1\"\n  lcores: [10, 11, 20, 21]\n");
	EXPECT_EQ(t.mode, config::topo_mode::synthetic);
	EXPECT_EQ(t.nr_sockets, 2u);
	EXPECT_EQ(t.lcore_socket[10], 0);
	EXPECT_EQ(t.lcore_socket[11], 0);
	EXPECT_EQ(t.lcore_socket[20], 1);
	EXPECT_EQ(t.lcore_socket[21], 1);
	EXPECT_EQ(t.lcore_socket[0], -1);
	// For slubq_topology_simulate every lcore id needs a socket: others go round-robin.
	auto map = config::simulate_map(t);
	EXPECT_EQ(map[20], 1);
	EXPECT_EQ(map[0], 0);
	EXPECT_EQ(map[3], 1);
}

TEST(ConfigTopology, ExplicitMap)
{
	auto t = topo_of("topology:\n  map:\n    0: [0, 2]\n    1: [1, 3]\n    2: [4]\n");
	EXPECT_EQ(t.mode, config::topo_mode::map);
	EXPECT_EQ(t.nr_sockets, 3u);
	EXPECT_EQ(t.lcore_socket[1], 1);
	EXPECT_EQ(t.lcore_socket[2], 0);
	EXPECT_EQ(t.lcore_socket[4], 2);
	EXPECT_EQ(t.lcore_socket[5], -1);
}

TEST(ConfigTopology, RealIsTheEalsWhenItIsUp)
{
	auto t = topo_of("topology: {mode: real}\n");
	EXPECT_TRUE(t.from_eal);
	EXPECT_EQ(t.nr_sockets, std::max(rte_socket_count(), 1u));
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
		// Logical socket = index of the lcore's socket among the EAL's sockets.
		int logical = 0;
		for (unsigned i = 0; i < rte_socket_count(); i++)
			if (rte_socket_id_by_idx(i) == int(rte_lcore_to_socket_id(lc)))
				logical = int(i);
		if (rte_lcore_is_enabled(lc))
			EXPECT_EQ(t.lcore_socket[lc], logical) << lc;
		else
			EXPECT_EQ(t.lcore_socket[lc], -1) << lc;
	}
}

TEST(ConfigTopology, DescribeThroughTheCApi)
{
	char buf[4096];
	ASSERT_GT(slubq_config_topology_describe(nullptr, buf, sizeof(buf)), 0);
	EXPECT_EQ(std::strncmp(buf, "this machine (hwloc)", 20), 0) << buf;
	slubq_config *cfg;
	ASSERT_EQ(slubq_config_load_file(config_test::example("dma-heavy.yaml").c_str(), &cfg, nullptr, 0), 0);
	int n = slubq_config_topology_describe(cfg, buf, sizeof(buf));
	EXPECT_EQ(std::string(buf, std::size_t(n)),
		  "mode map (simulated on this machine)\nslubq sockets: 2\n  socket 0: lcores 0,1,2\n  socket 1: lcores 3,4,5\n");
	slubq_config_topology t;
	ASSERT_EQ(slubq_config_topology_get(cfg, &t), 0);
	EXPECT_EQ(t.mode, SLUBQ_CONFIG_TOPO_MAP);
	EXPECT_EQ(t.lcore_socket[4], 1);
	slubq_config_free(cfg);
}
