/* SPDX-License-Identifier: BSD-3-Clause */
// Pools in debug mode (a SLUBQ_CONFIG rule's debug:, SLUBQ_MEMPOOL_CONFIG's
// debug=, slubq_pool_config flags): mbuf checks, every get/put through the
// driver, and leak reports when the pool is freed or the process exits.
#pragma once

#include <rte_mempool.h>
#include "pool_params.hpp"

namespace slubq_driver {

// Put mp (whose cache c was just created with debug flags) in debug mode.
// 0, or a negative errno (logged).
int debug_pool_start(rte_mempool *mp, slubq_cache *c, const pool_params &pp);
// c is being destroyed: no leak report for it at exit.
void debug_pool_end(const slubq_cache *c);

} // namespace slubq_driver
