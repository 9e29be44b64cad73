/* SPDX-License-Identifier: BSD-3-Clause */
// Pools on the "slubq" ops for the driver tests.
#pragma once

#include <cstdint>
#include <string>
#include <rte_mempool.h>
#include "rte_mempool_slubq.h"

namespace driver_test {

// create_empty + set_ops_byname("slubq", cfg) + populate_default. NULL on
// failure, with rte_errno (and *populate_rc, when given) saying why.
inline rte_mempool *make_pool(const char *name, unsigned n, unsigned elt_size, unsigned cache_size,
			      const slubq_pool_config *cfg = nullptr, int *populate_rc = nullptr,
			      unsigned flags = 0)
{
	rte_mempool *mp = rte_mempool_create_empty(name, n, elt_size, cache_size, 0, SOCKET_ID_ANY, flags);
	if (mp == nullptr)
		return nullptr;
	int rc = rte_mempool_set_ops_byname(mp, RTE_MEMPOOL_SLUBQ_OPS_NAME, const_cast<slubq_pool_config *>(cfg));
	if (rc == 0)
		rc = rte_mempool_populate_default(mp);
	if (populate_rc)
		*populate_rc = rc;
	if (rc < 0) {
		rte_mempool_free(mp);
		rte_errno = -rc;
		return nullptr;
	}
	return mp;
}

struct pool_guard {
	rte_mempool *mp;
	explicit pool_guard(rte_mempool *p) : mp(p) {}
	~pool_guard() { rte_mempool_free(mp); }
	pool_guard(const pool_guard &) = delete;
	pool_guard &operator=(const pool_guard &) = delete;
};

inline std::string verify(rte_mempool *mp)
{
	char buf[4096] = "";
	int n = slubq_cache_verify(rte_mempool_slubq_cache(mp), buf, sizeof(buf));
	return n == 0 ? std::string() : std::to_string(n) + " problems:\n" + buf;
}

} // namespace driver_test
