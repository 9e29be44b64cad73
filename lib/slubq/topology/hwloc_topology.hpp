/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 1, seen through hwloc: the machine (packages, NUMA nodes, cores,
// PUs, cache sizes), either the real one or one described by an hwloc
// synthetic string ("package:2 numa:1 core:2 pu:1"), so that multi-socket
// deployments are planned and simulated on a one-socket machine.
//
// A slubq socket is what DPDK calls a socket: a NUMA node. A synthetic
// machine without NUMA levels ("package:2 core:2 pu:1") has one socket per
// package. Everything here runs without the EAL.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace slubq {

// One hardware thread, in hwloc's logical order.
struct machine_pu {
	unsigned os_index;   // the OS cpu number (an EAL lcore runs on it by default)
	unsigned core;       // logical index of its core
	unsigned package;    // logical index of its package (0 when none)
	int numa_os;         // OS index of its NUMA node (DPDK's socket id), -1 when none
	unsigned socket;     // slubq's (dense) socket index
};

// One level of CPU cache: size of one instance and how many there are.
struct machine_cache {
	std::string name;    // "L1d", "L2", "L3", ...
	std::uint64_t size;
	unsigned count;
};

struct machine_topology {
	std::string description;               // "this machine (hwloc)" or "synthetic '...'"
	bool synthetic = false;
	unsigned packages = 0, numa_nodes = 0, cores = 0;
	unsigned nr_sockets = 0;
	std::vector<int> socket_os;            // NUMA OS index of each socket (-1: a package)
	std::vector<machine_pu> pus;
	std::vector<machine_cache> caches;

	// The PU with this OS index, or nullptr.
	const machine_pu *pu_by_os(unsigned os_index) const;
};

// PUs allowed in a synthetic description (discovery time grows with them).
constexpr unsigned synthetic_max_pus = 1024;

// The machine we run on. Discovered once per process, then shared (hwloc
// discovery reads /sys and takes milliseconds). nullptr + err on failure.
const machine_topology *hwloc_machine_real(std::string &err);

// The machine an hwloc synthetic description builds. 0, or -EINVAL + err.
int hwloc_machine_synthetic(machine_topology &out, const std::string &desc, std::string &err);

// Human-readable summary: sockets, cores, PUs per socket, caches.
std::string machine_describe(const machine_topology &m);

// Where the EAL put an lcore: the CPU it runs on and the socket it reports.
struct lcore_placement {
	unsigned lcore;
	unsigned cpu;
	int eal_socket;
};

// An lcore whose EAL socket differs from the NUMA node hwloc gives its CPU.
struct socket_mismatch {
	unsigned lcore;
	unsigned cpu;
	int eal_socket;
	int hwloc_socket;    // -1: hwloc does not know the CPU
};

// Compare the EAL's placements with the (real) machine.
std::vector<socket_mismatch> topology_mismatches(const machine_topology &m,
						 const std::vector<lcore_placement> &eal);

// With the EAL up: compare every enabled lcore with the real machine and
// log one warning per mismatch. Returns the number of mismatches, or a
// negative errno when hwloc cannot describe the machine.
int hwloc_crosscheck_eal();

} // namespace slubq
