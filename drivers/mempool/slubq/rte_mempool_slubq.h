/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file rte_mempool_slubq.h
 *
 * The rte_mempool_ops "slubq" (librte_mempool_slubq.so): a mempool whose
 * objects live in a slubq cache on a fixed memory source. Load it into any
 * DPDK 22.11 application with `-d librte_mempool_slubq.so` and select it
 * with `--mbuf-pool-ops-name slubq`, or rte_mempool_set_ops_byname(mp,
 * "slubq", cfg) where cfg is NULL or a struct slubq_pool_config (slubq.h).
 *
 * This header is only needed to reach the slubq cache behind a pool (for
 * statistics, run-time tuning with slubq_cache_set(), telemetry).
 */
#ifndef RTE_MEMPOOL_SLUBQ_H
#define RTE_MEMPOOL_SLUBQ_H

#include <rte_mempool.h>
#include <slubq.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The one mempool ops name this driver registers. */
#define RTE_MEMPOOL_SLUBQ_OPS_NAME "slubq"

/**
 * The slubq cache holding mp's objects (the same address in every process
 * of the application). NULL and rte_errno = EINVAL when mp does not use the
 * "slubq" ops, ENOENT when its cache does not exist yet (the ops allocate it
 * when the pool is first populated).
 */
struct slubq_cache *rte_mempool_slubq_cache(const struct rte_mempool *mp);

#ifdef __cplusplus
}
#endif

#endif /* RTE_MEMPOOL_SLUBQ_H */
