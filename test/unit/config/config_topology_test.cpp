/* SPDX-License-Identifier: BSD-3-Clause */
// Topology through hwloc: the real machine (checked against /sys and the
// EAL), synthetic machines, explicit maps, and the EAL cross-check.
#include <gtest/gtest.h>
#include <dirent.h>
#include <sched.h>
#include <cstring>
#include <rte_lcore.h>
#include "config_test_util.hpp"
#include "topology/hwloc_topology.hpp"

using namespace slubq;

namespace {

// NUMA nodes the kernel lists (0 when /sys has no node directory).
unsigned sys_numa_nodes()
{
	DIR *d = opendir("/sys/devices/system/node");
	if (d == nullptr)
		return 0;
	unsigned n = 0;
	while (dirent *e = readdir(d)) {
		unsigned id;
		char tail;
		if (std::sscanf(e->d_name, "node%u%c", &id, &tail) == 1)
			n++;
	}
	closedir(d);
	return n;
}

config::topology topo_of(const std::string &yaml)
{
	config::config c;
	std::vector<std::string> errors;
	EXPECT_EQ(config::load_string(yaml, "t.yaml", c, errors), 0) << (errors.empty() ? "" : errors[0]);
	return c.topo;
}

} // namespace

TEST(HwlocTopology, RealMachineMatchesTheKernel)
{
	std::string err;
	const machine_topology *m = hwloc_machine_real(err);
	ASSERT_NE(m, nullptr) << err;
	EXPECT_EQ(hwloc_machine_real(err), m); // discovered once
	unsigned numa = sys_numa_nodes();
	EXPECT_EQ(m->nr_sockets, std::max(numa, 1u));
	ASSERT_FALSE(m->pus.empty());
	cpu_set_t mine;
	ASSERT_EQ(sched_getaffinity(0, sizeof(mine), &mine), 0);
	for (unsigned cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (CPU_ISSET(cpu, &mine)) {
			EXPECT_NE(m->pu_by_os(cpu), nullptr) << "cpu " << cpu << " missing";
		}
	}
	for (const auto &pu : m->pus)
		EXPECT_LT(pu.socket, m->nr_sockets);
	for (const auto &c : m->caches) {
		EXPECT_GT(c.size, 0u) << c.name;
		EXPECT_GE(c.count, 1u) << c.name;
	}
	std::string text = machine_describe(*m);
	EXPECT_EQ(text.rfind("this machine (hwloc): ", 0), 0u) << text;
}

TEST(HwlocTopology, EalAgreesWithHwlocHere)
{
	// The EAL reads the same /sys: no mismatch on a sane machine.
	EXPECT_EQ(hwloc_crosscheck_eal(), 0);
}

TEST(HwlocTopology, CrossCheckFindsMismatches)
{
	machine_topology m;
	m.nr_sockets = 2;
	m.pus = {{0, 0, 0, 0, 0}, {1, 1, 1, 1, 1}};
	std::vector<lcore_placement> eal = {{0, 0, 0}, {1, 1, 0}, {2, 7, 0}};
	auto bad = topology_mismatches(m, eal);
	ASSERT_EQ(bad.size(), 2u);
	EXPECT_EQ(bad[0].lcore, 1u);
	EXPECT_EQ(bad[0].eal_socket, 0);
	EXPECT_EQ(bad[0].hwloc_socket, 1);
	EXPECT_EQ(bad[1].lcore, 2u);
	EXPECT_EQ(bad[1].hwloc_socket, -1); // cpu 7 unknown to hwloc
}

TEST(HwlocTopology, Synthetic)
{
	machine_topology m;
	std::string err;
	ASSERT_EQ(hwloc_machine_synthetic(m, "package:2 numa:1 core:2 pu:1", err), 0) << err;
	EXPECT_EQ(m.nr_sockets, 2u);
	EXPECT_EQ(m.numa_nodes, 2u);
	ASSERT_EQ(m.pus.size(), 4u);
	for (unsigned i = 0; i < 4; i++)
		EXPECT_EQ(m.pus[i].socket, i / 2);
	// Without NUMA levels, packages are the sockets.
	ASSERT_EQ(hwloc_machine_synthetic(m, "package:2 core:2 pu:2", err), 0) << err;
	EXPECT_EQ(m.nr_sockets, 2u);
	EXPECT_EQ(m.pus.size(), 8u);
	EXPECT_EQ(m.pus[5].socket, 1u);
	EXPECT_EQ(m.pus[5].core, 2u);
	// Cache sizes come from the description.
	ASSERT_EQ(hwloc_machine_synthetic(m, "package:1 l3:1(size=8MB) core:2 l2:1(size=1MB) l1d:1(size=32KB) pu:1", err), 0)
		<< err;
	ASSERT_EQ(m.caches.size(), 3u);
	EXPECT_EQ(m.caches[0].name, "L1d");
	EXPECT_EQ(m.caches[0].count, 2u);
	EXPECT_EQ(m.caches[2].name, "L3");
	EXPECT_EQ(m.caches[2].size, 8000000u);
	EXPECT_LT(hwloc_machine_synthetic(m, "package:0 pu:1", err), 0);
}

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
