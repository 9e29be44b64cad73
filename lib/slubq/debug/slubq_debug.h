/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file slubq_debug.h
 *
 * slubq debugging: per-cache debug checks (chosen at creation with the
 * SLUBQ_F_RED_ZONE, SLUBQ_F_POISON, SLUBQ_F_TRACK and SLUBQ_F_SANITY bits
 * of slubq_cache_params.flags), fault injection, and a look at an object's
 * debug record. See docs/debugging.md.
 *
 * A cache with debug checks or fault injection switched on runs without
 * lcore queues: every call takes its node's lock (the fast path of other
 * caches is untouched). Problems are logged through rte_log ("lib.slubq",
 * level ERR) and counted in slubq_stats.debug_errors.
 */
#ifndef SLUBQ_DEBUG_H
#define SLUBQ_DEBUG_H

#include <stdint.h>
#include "slubq.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Debug state of one object. */
enum slubq_obj_state {
	SLUBQ_OBJ_NEW = 0,       /**< never allocated since its slab was made */
	SLUBQ_OBJ_ALLOCATED = 1, /**< held by the application */
	SLUBQ_OBJ_FREE = 2,      /**< freed: in a queue or in its slab */
};

/** An object's debug record (slubq_debug_object_info()). */
struct slubq_obj_info {
	enum slubq_obj_state state;
	uint32_t index;          /**< slot index in its slab */
	const void *slab;        /**< the slab holding it */
	int free_in_slab;        /**< its bitmap bit says free */
	/* Owner tracking (SLUBQ_F_TRACK; all 0 without it or before the event). */
	uint32_t alloc_lcore;    /**< lcore of the last allocation (LCORE_ID_ANY: not an EAL thread) */
	uint32_t free_lcore;     /**< lcore of the last free */
	uintptr_t alloc_caller;  /**< return address into the caller of the last allocation */
	uintptr_t free_caller;   /**< return address into the caller of the last free */
	uint64_t alloc_tsc;      /**< rte_rdtsc() at the last allocation (0: never) */
	uint64_t free_tsc;       /**< rte_rdtsc() at the last free (0: never) */
};

/**
 * Make allocations of c fail on purpose (all or nothing: -ENOBUFS, counted
 * in slubq_stats.injected_faults), so that an application can test its
 * -ENOBUFS paths. every_n: fail every Nth allocation call (0 = off).
 * probability_ppm: otherwise fail a call with this probability, in parts
 * per million (0 = off, at most 1000000), drawn from a generator seeded
 * with seed (the same seed gives the same sequence of failures from one
 * thread; 0 = a fixed default seed). Both 0: injection off. The call
 * counter restarts at each call of this function. While injection is on,
 * the cache runs without lcore queues (each lcore drains its queue at its
 * next slow path), as in debug mode. Aliases of a merged cache share it.
 * Returns 0, or -EINVAL (bad cache, probability over 1000000).
 */
int slubq_cache_inject_faults(struct slubq_cache *c, uint32_t every_n, uint32_t probability_ppm, uint64_t seed);

/**
 * The debug record of obj, an object of c (allocated or free). Returns 0,
 * -EINVAL when obj is not the start of an object of c, or -ENOTSUP when c
 * has no debug flag (no records).
 */
int slubq_debug_object_info(const struct slubq_cache *c, const void *obj, struct slubq_obj_info *info);

/**
 * Declare the objects of c to be rte_mbufs whose data buffer is the bytes
 * [data_off, data_off + data_len) of each object (the mempool driver does
 * this for pktmbuf pools). SLUBQ_F_POISON then poisons that buffer only,
 * since the mbuf header (buf_addr, pool, buf_len, refcnt...) must survive
 * a free, and every free checks what DPDK requires of a freed mbuf
 * (refcnt 1, next NULL, nb_segs 1, direct), reporting what it finds. Call
 * it before the first allocation. Returns 0, -EINVAL (bad cache, the
 * buffer is not inside the object) or -ENOTSUP (c has no debug flag).
 */
int slubq_debug_mbuf_layout(struct slubq_cache *c, uint32_t data_off, uint32_t data_len);

/** An object the application holds (slubq_cache_leaks()). */
struct slubq_leak {
	const void *obj;
	uint32_t alloc_lcore;   /**< lcore of its allocation (LCORE_ID_ANY: not an EAL thread) */
	uintptr_t alloc_caller; /**< the code that allocated it (see slubq_obj_info) */
	uint64_t alloc_tsc;     /**< rte_rdtsc() at its allocation (0: SLUBQ_F_TRACK off) */
};

/**
 * The objects of c that are allocated (held by the application, or
 * leaked): how many, and the max oldest of them by allocation time, oldest
 * first. Takes every node lock of c for the walk; meant for a quiet cache
 * (a pool being freed, a process exiting, a debugging session). Needs
 * debug records (any SLUBQ_F_DEBUG flag; owner and time need
 * SLUBQ_F_TRACK). Returns the number of entries written to oldest (at most
 * max), with *nr_out (may be NULL) set to the number of objects out; or
 * -EINVAL (bad arguments), -ENOTSUP (c has no debug flag).
 */
int slubq_cache_leaks(struct slubq_cache *c, struct slubq_leak *oldest, unsigned int max, uint64_t *nr_out);

/**
 * Log the leak report of c through rte_log ("lib.slubq", WARNING): the
 * number of objects still allocated and, for the max oldest, the lcore,
 * caller (symbol+offset and library, when the dynamic symbol table knows
 * it) and how long ago they were allocated. Nothing is logged when no
 * object is out. Returns the number of objects out, or a negative errno as
 * slubq_cache_leaks().
 */
int64_t slubq_cache_log_leaks(struct slubq_cache *c, unsigned int max);

/**
 * The SLUBQ_F_* debug bit of a name: "red_zone", "poison", "track",
 * "sanity", or "all" (SLUBQ_F_DEBUG). For configuration files and command
 * lines. Returns 0, or -EINVAL when the name is unknown.
 */
int slubq_debug_flag_from_name(const char *name, uint32_t *flag);

/**
 * The name of one SLUBQ_F_* flag bit (e.g. "dma", "poison"), as
 * configuration files, telemetry and logs spell it; the debug ones are
 * those slubq_debug_flag_from_name() reads. NULL when flag is not exactly
 * one defined flag.
 */
const char *slubq_flag_name(uint32_t flag);

#ifdef __cplusplus
}
#endif

#endif /* SLUBQ_DEBUG_H */
