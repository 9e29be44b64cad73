/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file slubq_defaults.h
 *
 * The values slubq uses when a parameter is 0 or "auto", and the rules
 * that derive one tunable from another. The one place they are written:
 * slubq_cache_create(), the mempool driver, the YAML configuration and
 * slubq-config use these; test/docs/check_defaults.py fails when
 * config/default.yaml or a doc in docs/ quotes other values.
 */
#ifndef SLUBQ_DEFAULTS_H
#define SLUBQ_DEFAULTS_H

#include <stdint.h>
#include "slubq.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- caches (slubq_cache_params, YAML `defaults`) --------------------- */

/** Lcore queue (objects) when queue_size is 0: above the 768 objects a full
 *  rte_mempool cache of 512 holds before it flushes, so a loop that keeps
 *  512 objects out never leaves the fast path. */
#define SLUBQ_DEFAULT_QUEUE_SIZE 1024
/** Alien queue per remote socket (objects) when alien_size is 0. */
#define SLUBQ_DEFAULT_ALIEN_SIZE 256
/** Object alignment when align is 0; also the smallest one accepted. */
#define SLUBQ_DEFAULT_ALIGN 8
/** The automatic shared queue is twice the lcore queue, and at least twice this. */
#define SLUBQ_AUTO_SHARED_MIN_QUEUE 64
/** Bytes per elastic memzone (chunk) when chunk_size is 0, at least one slab. */
#define SLUBQ_DEFAULT_CHUNK_SIZE (UINT64_C(2) << 20)
/** The same for SLUBQ_F_DMA caches: an IOVA-contiguous 2 MiB memzone plus
 *  the heap's element header would span two hugepages, which need not be
 *  physically adjacent. */
#define SLUBQ_DEFAULT_DMA_CHUNK_SIZE (SLUBQ_DEFAULT_CHUNK_SIZE / 2)

/** Objects per refill/flush when batch is 0 ("auto"): half the queue, at least 1. */
/** Pointer arrays (lcore queues, shared and alien queues, magazines) are
 * allocated with at least this many slots, so that a small queue can
 * still trade arrays with bigger ones. */
#define SLUBQ_MIN_STACK_SLOTS 64
/** Slots of the array slubq allocates for a pointer stack of n. */
static inline uint32_t slubq_stack_slots(uint32_t n)
{
	return n > SLUBQ_MIN_STACK_SLOTS ? n : SLUBQ_MIN_STACK_SLOTS;
}

static inline uint32_t slubq_auto_batch(uint32_t queue_size)
{
	return queue_size / 2 > 1 ? queue_size / 2 : 1;
}

/** Per-socket shared queue when shared_size is 0 ("auto"):
 *  min(2 x max(queue_size, SLUBQ_AUTO_SHARED_MIN_QUEUE), SLUBQ_MAX_QUEUE). */
static inline uint32_t slubq_auto_shared(uint32_t queue_size)
{
	uint32_t q = queue_size > SLUBQ_AUTO_SHARED_MIN_QUEUE ? queue_size : SLUBQ_AUTO_SHARED_MIN_QUEUE;
	return 2 * q < SLUBQ_MAX_QUEUE ? 2 * q : SLUBQ_MAX_QUEUE;
}

/* ---- the mempool driver's pools (docs/driver.md, "Caching") ------------ */

/** Behind an rte_mempool cache of c, the lcore queue holds this many times c:
 *  two of its flushes (1.5 c) or refills (c + n). */
#define SLUBQ_MEMPOOL_QUEUE_PER_CACHE 3
/** All lcore queues together hold at most 1/this of the pool. */
#define SLUBQ_MEMPOOL_QUEUE_SHARE 4
/** A queue below this (one burst) saves nothing: the pool gets none. */
#define SLUBQ_MEMPOOL_MIN_QUEUE 32

/** The lcore queue a pool wants before the small-pool cap: with no rte_mempool
 *  cache (cache_size 0) the queue is the cache, SLUBQ_DEFAULT_QUEUE_SIZE;
 *  behind one, SLUBQ_MEMPOOL_QUEUE_PER_CACHE x cache_size, at most SLUBQ_MAX_QUEUE. */
static inline uint32_t slubq_mempool_queue_want(uint32_t cache_size)
{
	uint64_t q = (uint64_t)SLUBQ_MEMPOOL_QUEUE_PER_CACHE * cache_size;
	if (cache_size == 0)
		return SLUBQ_DEFAULT_QUEUE_SIZE;
	return q < SLUBQ_MAX_QUEUE ? (uint32_t)q : SLUBQ_MAX_QUEUE;
}

/** The driver's lcore queue for a pool of pool_size objects, with an
 *  rte_mempool cache of cache_size, used by lcores lcores: the wanted queue,
 *  at most pool_size / (SLUBQ_MEMPOOL_QUEUE_SHARE x lcores) so that a small
 *  pool is not emptied into idle lcores' queues; SLUBQ_QUEUE_OFF below
 *  SLUBQ_MEMPOOL_MIN_QUEUE. */
static inline uint32_t slubq_mempool_queue_size(uint32_t pool_size, uint32_t cache_size, uint32_t lcores)
{
	uint32_t share = pool_size / (SLUBQ_MEMPOOL_QUEUE_SHARE * (lcores ? lcores : 1));
	uint32_t want = slubq_mempool_queue_want(cache_size);
	uint32_t q = want < share ? want : share;
	return q < SLUBQ_MEMPOOL_MIN_QUEUE ? SLUBQ_QUEUE_OFF : q;
}

#ifdef __cplusplus
}
#endif

#endif /* SLUBQ_DEFAULTS_H */
