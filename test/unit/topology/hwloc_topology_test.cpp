/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 1 seen through hwloc (hwloc_topology.cpp): the real machine
// (checked against /sys and the EAL), synthetic machines, their
// description, and the EAL cross-check.
#include <gtest/gtest.h>
#include <dirent.h>
#include <sched.h>
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>
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

TEST(HwlocTopology, SyntheticTooLargeIsRefusedBeforeHwlocBuildsIt)
{
	machine_topology m;
	std::string err;
	// 4 x 16 x 17 = 1088 PUs; attributes in parentheses are not arities.
	EXPECT_EQ(hwloc_machine_synthetic(m, "package:4 l3:1(size=33554432) core:16 pu:17", err), -EINVAL);
	EXPECT_EQ(err, "synthetic topology has more than " + std::to_string(synthetic_max_pus) + " PUs");
	EXPECT_TRUE(m.pus.empty());
	err.clear();
	ASSERT_EQ(hwloc_machine_synthetic(m, "package:4 l3:1(size=33554432) core:16 pu:16", err), 0) << err;
	EXPECT_EQ(m.pus.size(), 1024u);
}

TEST(HwlocTopology, SyntheticThatHwlocRejects)
{
	machine_topology m;
	std::string err;
	EXPECT_EQ(hwloc_machine_synthetic(m, "package:2 nonsense:3", err), -EINVAL);
	EXPECT_NE(err.find("rejects the synthetic description 'package:2 nonsense:3'"), std::string::npos) << err;
}

TEST(HwlocTopology, PusByOsIndex)
{
	machine_topology m;
	std::string err;
	ASSERT_EQ(hwloc_machine_synthetic(m, "package:2 core:3 pu:2", err), 0) << err;
	ASSERT_EQ(m.pus.size(), 12u);
	for (const auto &pu : m.pus) {
		ASSERT_EQ(m.pu_by_os(pu.os_index), &pu);
		EXPECT_EQ(pu.package, pu.core / 3);
		EXPECT_EQ(pu.socket, pu.package);
	}
	EXPECT_EQ(m.pu_by_os(12), nullptr);
}

TEST(HwlocTopology, DescribeASyntheticMachine)
{
	machine_topology m;
	std::string err;
	ASSERT_EQ(hwloc_machine_synthetic(m, "package:2 numa:1 core:2 l1d:1(size=32KB) pu:2", err), 0) << err;
	EXPECT_EQ(machine_describe(m),
		  "synthetic 'package:2 numa:1 core:2 l1d:1(size=32KB) pu:2': 2 socket(s), 2 package(s), 2 NUMA node(s), "
		  "4 core(s), 8 PU(s)\n"
		  "  socket 0 (NUMA node 0): 2 core(s), PUs 0-3, cpus 0-3\n"
		  "  socket 1 (NUMA node 1): 2 core(s), PUs 4-7, cpus 4-7\n"
		  "  caches: L1d 32000 B x4\n");
}
