/* SPDX-License-Identifier: BSD-3-Clause */
// Start the EAL for a test binary: on hugepages (--in-memory) when the
// machine has free ones, else --no-huge -m <MiB> with a unique file prefix
// (DPDK 22.11 refuses --no-huge together with --in-memory).
#pragma once

#include <string>
#include <vector>

namespace slubq_test {

// True when hugetlbfs is mounted and has at least `pages` free 2 MiB pages.
bool hugepages_available(unsigned pages = 64);

// EAL arguments for this machine. extra is appended (e.g. "--lcores=...").
std::vector<std::string> eal_args(const std::string &prog, const std::string &lcores, unsigned mem_mb,
				  const std::vector<std::string> &extra = {});

// rte_eal_init with eal_args(); exits the process on failure.
void eal_start(const std::string &prog, const std::string &lcores = "0-1", unsigned mem_mb = 512,
	       const std::vector<std::string> &extra = {});

// rte_eal_cleanup, then remove the runtime directory when it was this
// process's own (--no-huge runs use a unique file prefix).
void eal_stop();

// Worker lcore ids available (excluding the main lcore).
std::vector<unsigned> worker_lcores();

} // namespace slubq_test
