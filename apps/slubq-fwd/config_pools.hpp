/* SPDX-License-Identifier: BSD-3-Clause */
// Pools and topology from a YAML deployment file (lib/slubq/config).
#pragma once

#include <vector>
#include "lcore_plan.hpp"
#include "options.hpp"
#include "pools.hpp"

namespace fwd {

// The file to use: --config, else config/default.yaml when it exists,
// else none (""): the built-in pools.
std::string config_path(const options &o);

// Load the YAML (if any) and apply it: its topology, caches and mbuf
// pools on the logical sockets of the plan's lcores (sizes from the file's
// calculator when `count: auto`). With another --pool-ops, --sockets, or
// options that change the pool, only its first pool is built, by us, on
// real_sockets. Warns when this run's demand d exceeds a pool. Returns 1
// when the YAML made the pools, 0 when there is no YAML (the caller builds
// the built-in pools), -1 after printing why.
int load_config_pools(const options &o, const lcore_plan &plan, const std::vector<int> &real_sockets,
		      const pool_demand &d, pool_set &out);

// Destroy what load_config_pools created (after the pools are empty).
void free_config_pools();

} // namespace fwd
