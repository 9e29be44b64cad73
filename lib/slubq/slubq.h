/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file slubq.h
 *
 * slubq: the SLUB+Q slab allocator for DPDK, public C API.
 *
 * A *cache* hands out fixed-size objects. Each EAL lcore owns a LIFO queue
 * of object pointers per cache (no lock, no atomic on its fast path); each
 * socket owns a *node* per cache (a lock, slabs with a free bitmap, a shared
 * queue, and one alien queue per remote socket that sends cross-socket
 * frees home in batches). All state lives in hugepage memory, so a DPDK
 * secondary process can look a cache up by name and use it.
 *
 * Errors: functions returning int return 0 or a negative errno and set
 * rte_errno; functions returning a pointer return NULL and set rte_errno.
 * Logs go to the rte_log type "lib.slubq".
 *
 * C++ users get the inline fast path from slubq.hpp; C users call the
 * exported functions below (one call, then the same fast path).
 */
#ifndef SLUBQ_H
#define SLUBQ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_memory.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Longest cache name, including the terminating NUL. */
#define SLUBQ_NAMESIZE 32
/** Most (real or simulated) sockets a cache can span. */
#define SLUBQ_MAX_SOCKETS 8
/** Most caches (and aliases) in the registry at once. */
#define SLUBQ_MAX_CACHES 256
/** Largest lcore queue, shared queue or alien queue (objects). */
#define SLUBQ_MAX_QUEUE 8192

/** Cache flags (slubq_cache_params.flags). */
enum slubq_cache_flags {
	/** Slabs are IOVA-contiguous (RTE_MEMZONE_IOVA_CONTIG): DMA-capable. */
	SLUBQ_F_DMA = 1u << 0,
	/** Never merge this cache with a compatible one. */
	SLUBQ_F_NO_MERGE = 1u << 1,
	/** No alien queues: cross-socket frees go home at once, per call. */
	SLUBQ_F_NO_ALIEN = 1u << 2,
	/** Objects need not be IOVA-contiguous (no page-boundary care). */
	SLUBQ_F_NO_IOVA_CONTIG = 1u << 3,
	/** Debug: red zones around each object, checked on free and verify. */
	SLUBQ_F_RED_ZONE = 1u << 8,
	/** Debug: poison free objects, check the poison on allocation. */
	SLUBQ_F_POISON = 1u << 9,
	/** Debug: record lcore, caller and TSC of the last alloc and free. */
	SLUBQ_F_TRACK = 1u << 10,
	/** Debug: per-object state; catch double and foreign frees at once. */
	SLUBQ_F_SANITY = 1u << 11,
};
/** Every debug flag. */
#define SLUBQ_F_DEBUG (SLUBQ_F_RED_ZONE | SLUBQ_F_POISON | SLUBQ_F_TRACK | SLUBQ_F_SANITY)
/** Every defined flag: slubq_cache_create refuses others (-EINVAL). */
#define SLUBQ_F_ALL (SLUBQ_F_DMA | SLUBQ_F_NO_MERGE | SLUBQ_F_NO_ALIEN | SLUBQ_F_NO_IOVA_CONTIG | SLUBQ_F_DEBUG)
/** Largest object (bytes): larger ones are not a slab allocator's job. */
#define SLUBQ_MAX_OBJ_SIZE (16u << 20)
/** Largest slab (bytes): a layout that needs a bigger one is refused. */
#define SLUBQ_MAX_SLAB_SIZE (1u << 30)

/** Where a cache's slabs come from. */
enum slubq_source_kind {
	/** Memzones reserved per socket on demand, given back on shrink. */
	SLUBQ_SOURCE_ELASTIC = 0,
	/** Only the chunks handed in with slubq_cache_populate(); never grows. */
	SLUBQ_SOURCE_FIXED = 1,
};

/** How to build a cache. Fill with slubq_cache_params_init() first. */
struct slubq_cache_params {
	const char *name;      /**< unique name; NULL or "" makes an anonymous (mergeable) cache */
	uint32_t obj_size;     /**< bytes the user may use, > 0 */
	uint32_t align;        /**< power of two, >= SLUBQ_DEFAULT_ALIGN (also the default) */
	uint32_t flags;        /**< SLUBQ_F_* */
	enum slubq_source_kind source;
	/** Fixed sources: the slot stride and the offset of the object
	 *  pointer inside its slot (e.g. rte_mempool's header). 0 = obj_size
	 *  rounded to align, and 0. */
	uint32_t slot_size;
	uint32_t obj_offset;
	uint32_t slab_objs;    /**< most objects per slab (0 = choose) */
	uint32_t slab_size;    /**< power-of-two slab size in bytes (0 = choose) */
	uint64_t page_size;    /**< objects must not cross pages of this size (0 = no constraint) */
	/* Defaults (0) and automatic values: slubq_defaults.h. */
	uint32_t queue_size;   /**< per-lcore queue (0 = SLUBQ_DEFAULT_QUEUE_SIZE; SLUBQ_QUEUE_OFF = no queue) */
	uint32_t batch;        /**< objects per refill/flush (0 = slubq_auto_batch: queue_size / 2) */
	uint32_t shared_size;  /**< per-node shared queue (0 = slubq_auto_shared: 2 x queue_size, bounded) */
	uint32_t alien_size;   /**< per-node alien queue per remote socket (0 = SLUBQ_DEFAULT_ALIEN_SIZE) */
	uint64_t mem_limit;    /**< elastic: most bytes of memzones (0 = no limit) */
	uint64_t chunk_size;   /**< elastic: bytes per memzone (0 = max(slab, SLUBQ_DEFAULT_[DMA_]CHUNK_SIZE)) */
	int socket_id;         /**< fixed: real socket of the memory (SOCKET_ID_ANY = spread) */
	/** Fixed sources with slab_size and slab_objs 0: objects the source
	 *  will hold. The slab size (4 KiB up to page_size, or up to 2 MiB)
	 *  is then the one that needs least memory for that many objects
	 *  (slubq_cache_calc_mem_size); 0 = the default shape, at least 64 KiB
	 *  and 8 objects. */
	uint32_t expected_objs;
};

/** queue_size value that disables the lcore queues (every call locks its node). */
#define SLUBQ_QUEUE_OFF UINT32_MAX

/** Run-time tunables (slubq_cache_set / slubq_cache_get). */
enum slubq_tunable {
	SLUBQ_TUNE_QUEUE_SIZE = 0, /**< lcore queue size (0 disables the queue) */
	SLUBQ_TUNE_BATCH,          /**< objects per refill/flush, 1..queue size */
	SLUBQ_TUNE_SHARED_SIZE,    /**< per-node shared queue size (0 = none) */
	SLUBQ_TUNE_ALIEN_SIZE,     /**< per-node alien queue size (0 = send home at once) */
	SLUBQ_TUNE_MEM_LIMIT,      /**< elastic memory limit in bytes (0 = none) */
	SLUBQ_TUNE_MAX
};

/** Opaque cache handle (the same address in every process). */
struct slubq_cache;

/** Called once per object when a fixed source is populated. */
typedef void (slubq_obj_cb_t)(void *opaque, void *obj, rte_iova_t iova);

/** Per-lcore (or summed) statistics. Objects, unless said otherwise. */
struct slubq_stats {
	uint64_t alloc_fast;     /**< served by the lcore queue */
	uint64_t alloc_slow;     /**< served through a slow path */
	uint64_t free_fast;      /**< taken by the lcore queue */
	uint64_t free_slow;      /**< taken through a slow path */
	uint64_t refills;        /**< calls: queue refilled from the node */
	uint64_t flushes;        /**< calls: queue flushed to the node */
	uint64_t alien_sent;     /**< remote objects put in an alien queue */
	uint64_t alien_flushes;  /**< calls: alien queue sent home */
	uint64_t alien_received; /**< objects that arrived home from an alien queue */
	uint64_t remote_allocs;  /**< objects allocated from a remote node (local one empty) */
	uint64_t alloc_fail;     /**< calls that returned -ENOBUFS */
	uint64_t slabs_grown;    /**< slabs added by the elastic source */
	uint64_t slabs_freed;    /**< slabs given back by shrink */
	uint64_t locked_ops;     /**< calls without an lcore queue (non-EAL threads, debug) */
	uint64_t debug_errors;   /**< problems found by the debug checks */
	uint64_t injected_faults;/**< allocations failed on purpose */
	uint64_t node_locks;     /**< node lock acquisitions, every node (cache-wide only) */
};

/** Per-node (per-socket) state. */
struct slubq_node_info {
	uint32_t socket;        /**< logical socket */
	int32_t real_socket;    /**< where its memory comes from */
	uint64_t slabs_partial, slabs_full, slabs_empty;
	uint64_t objects;       /**< objects in its slabs */
	uint64_t free_in_slabs; /**< free bits */
	uint32_t shared_count, shared_size;
	uint32_t alien_count;   /**< objects of other sockets waiting here: its alien queues and its lcores' alien buffers */
	uint32_t alien_size;
	uint64_t mem_bytes;     /**< memory of its slabs (elastic: memzones) */
	uint64_t magazine_exchanges; /**< lcore queue arrays handed over whole */
	uint64_t reclaimed;     /**< objects taken back from parked lcore queues */
	uint64_t lock_repairs;  /**< locks taken over from processes that died holding them */
	uint64_t lock_acquisitions; /**< times its lock was taken (any path, any process) */
};

/** Snapshot of a cache. */
struct slubq_cache_info {
	char name[SLUBQ_NAMESIZE];
	uint32_t obj_size, align, flags;
	enum slubq_source_kind source;
	uint32_t slot_size, slab_size, slab_objs;
	uint32_t queue_size, batch, shared_size, alien_size;
	uint64_t mem_limit;
	uint32_t nr_sockets;
	uint32_t refcnt;        /**< names sharing this cache (merging) */
	uint64_t total;         /**< objects in all slabs */
	uint64_t available;     /**< free bits + every queued object */
	uint64_t in_queues;     /**< objects in lcore, shared and alien queues */
	uint64_t mem_bytes;     /**< memory held by slabs */
	struct slubq_node_info node[SLUBQ_MAX_SOCKETS];
};

/* ---- caches ---------------------------------------------------------- */

/** Fill p with defaults (elastic, SLUBQ_DEFAULT_ALIGN, default tunables). */
void slubq_cache_params_init(struct slubq_cache_params *p);

/**
 * Create a cache (primary or secondary process). Fails with -EEXIST when
 * the name is taken, -EINVAL on a bad parameter, -ENOMEM when no memory.
 * Refused with -EINVAL (and a log line naming the parameter and what is
 * accepted) rather than created to fail every allocation: obj_size above
 * SLUBQ_MAX_OBJ_SIZE, flag bits outside SLUBQ_F_ALL, a name starting with
 * "anon-" (reserved for anonymous caches), and, on hugepages, an elastic
 * cache whose slab (at least 8 objects unless slab_objs says fewer, aligned
 * to align) is larger than one hugepage: the EAL cannot align a memzone
 * beyond its page size (with 2 MiB pages: objects up to 262128 bytes at
 * align 8, align up to 128 KiB for small objects).
 * An anonymous cache (name NULL or "") is merged into an existing
 * anonymous one with the same slab layout (stride, alignment, slab size),
 * the same DMA / NO_ALIEN / NO_IOVA_CONTIG flags, chunk size and topology,
 * unless either has SLUBQ_F_NO_MERGE, debug flags or a memory limit: it
 * then gets a name of its own ("anon-<size>-<n>", an alias) and the
 * shared cache's handle, tunables and statistics. Each create counts one
 * reference (slubq_cache_info.refcnt).
 */
struct slubq_cache *slubq_cache_create(const struct slubq_cache_params *p);

/** Find a cache (or alias) by name, in any process. NULL + ENOENT if none. */
struct slubq_cache *slubq_cache_lookup(const char *name);

/**
 * Drop a reference (one name: an alias first); the last one frees the
 * cache and its memory. Logs (and returns -EBUSY after freeing) if objects
 * were still in use. -EPERM for a pinned cache (slubq_cache_pin: the
 * size-class caches of slubq_malloc).
 */
int slubq_cache_destroy(struct slubq_cache *c);

/**
 * Pin a cache under its own name: it is never destroyed from then on
 * (slubq_cache_destroy returns -EPERM), in any process, so that a handle
 * kept by a layer above (slubq_malloc's size classes) stays valid.
 * -ENOENT when c is not registered under a name of its own.
 */
int slubq_cache_pin(struct slubq_cache *c);

/** The cache's name. */
const char *slubq_cache_name(const struct slubq_cache *c);

/**
 * Allocate n objects: all of them, or none and -ENOBUFS.
 * From an EAL lcore the lcore queue serves it without lock or atomic.
 */
int slubq_cache_alloc_bulk(struct slubq_cache *c, void **objs, unsigned int n);

/** Free n objects of this cache. Never fails. */
void slubq_cache_free_bulk(struct slubq_cache *c, void *const *objs, unsigned int n);

/** One object, or NULL + rte_errno = ENOBUFS. */
void *slubq_cache_alloc(struct slubq_cache *c);

/** Free one object. */
void slubq_cache_free(struct slubq_cache *c, void *obj);

/**
 * Fixed source: cut [vaddr, vaddr + len) into slabs aligned to the slab
 * size and add their objects. iova is the IOVA of vaddr (the range is
 * IOVA-contiguous) or RTE_BAD_IOVA. socket is the logical socket to give
 * the slabs to, or -1 to spread them over the logical sockets that map
 * onto the cache's real socket. At most max_objs objects are added
 * (0 = no limit). cb (may be NULL) sees every object.
 * Returns the number of objects added (0 when the range holds no
 * aligned slab) or a negative errno.
 */
int slubq_cache_populate(struct slubq_cache *c, void *vaddr, rte_iova_t iova,
			 size_t len, int socket, unsigned int max_objs,
			 slubq_obj_cb_t *cb, void *opaque);

/**
 * Memory a fixed source needs for n objects of p's geometry, assuming
 * the chunks arrive aligned to *align. pg_shift != 0: objects must not
 * cross 2^pg_shift pages. *min_chunk is the smallest useful chunk.
 */
ssize_t slubq_cache_calc_mem_size(const struct slubq_cache_params *p, uint32_t n,
				  uint32_t pg_shift, size_t *min_chunk, size_t *align);

/** Objects free (free bits + queued objects): exact when quiescent. */
uint64_t slubq_cache_available(const struct slubq_cache *c);
/** Objects in all slabs. */
uint64_t slubq_cache_total(const struct slubq_cache *c);

/**
 * Check every invariant (bitmaps vs counts vs lists vs queues, no object
 * held twice, alien queues hold only remote objects). Call while the
 * cache is quiescent. Writes a report into buf (may be NULL). Returns the
 * number of problems found (0 = consistent).
 */
int slubq_cache_verify(struct slubq_cache *c, char *buf, size_t len);

/**
 * Set a tunable while other lcores keep allocating and freeing. Node-level
 * tunables apply at once (under the node lock). Lcore queue size and batch
 * are published with a generation number; each owning lcore applies them
 * at its next slow path, and its next free is forced onto that path.
 */
int slubq_cache_set(struct slubq_cache *c, enum slubq_tunable key, uint64_t value);
/** Read a tunable (the published value). */
int slubq_cache_get(const struct slubq_cache *c, enum slubq_tunable key, uint64_t *value);
/** Tunable by name ("queue", "batch", "shared", "alien", "limit"); -EINVAL if unknown. */
int slubq_tunable_from_name(const char *name, enum slubq_tunable *key);

/**
 * Give memory back: drain the caller's lcore queue, ask other lcores to
 * drain theirs at their next slow path, send alien queues home, empty the
 * shared queues into the slabs, and free every elastic memzone whose slabs
 * are all empty. Returns the bytes given back.
 */
int64_t slubq_cache_shrink(struct slubq_cache *c);

/** Statistics of one lcore (lcore < RTE_MAX_LCORE) or all (-1). */
int slubq_cache_stats(const struct slubq_cache *c, int lcore, struct slubq_stats *s);
/** Objects in one lcore's queue and its applied size (for viewers). */
int slubq_cache_queue_fill(const struct slubq_cache *c, unsigned int lcore,
			   uint32_t *count, uint32_t *size);
/** Snapshot of sizes, tunables and per-node counts. */
int slubq_cache_get_info(const struct slubq_cache *c, struct slubq_cache_info *info);

/**
 * Call fn for every registered name, aliases included; stops on non-zero.
 * For an alias, name differs from slubq_cache_name(c), the name of the
 * cache it shares.
 */
int slubq_cache_walk(int (*fn)(struct slubq_cache *c, const char *name, void *arg), void *arg);

/** The cache that owns the slab obj lives in, or NULL (cheap header check). */
struct slubq_cache *slubq_cache_of(const void *obj, uint32_t slab_size);

/** IOVA of an object of c in O(1) (RTE_BAD_IOVA if unknown). */
rte_iova_t slubq_cache_virt2iova(const struct slubq_cache *c, const void *obj);

/**
 * Allocate n objects (all or none) from the node whose memory is on real
 * socket `socket` (SOCKET_ID_ANY: the caller's own): the caller's own
 * logical socket when its memory is there (through its lcore queue), else
 * the first logical socket whose memory is (under that node's lock).
 * -EINVAL when no node of c is on that socket, -ENOBUFS when no memory.
 */
int slubq_cache_alloc_bulk_socket(struct slubq_cache *c, void **objs, unsigned int n, int socket);

/** What a cache's objects are: set at creation, read without a lock. */
struct slubq_cache_shape {
	uint32_t obj_size;   /**< bytes the user may use of each object */
	uint32_t align;
	uint32_t flags;      /**< SLUBQ_F_* */
	uint32_t slab_size;
	enum slubq_source_kind source;
};

/** Fill s with c's shape: 0, or -EINVAL when c is not a cache. */
int slubq_cache_get_shape(const struct slubq_cache *c, struct slubq_cache_shape *s);

/** How a cache of given parameters would be laid out (slubq_cache_calc_layout). */
struct slubq_cache_layout {
	uint32_t slot_size;   /**< bytes per object slot (red zones included) */
	uint64_t slab_size;   /**< bytes per slab */
	uint32_t slab_objs;   /**< objects per slab */
	uint64_t mem_bytes;   /**< a fixed source's memory for the n objects asked (full slabs, then a short one) */
	uint64_t chunk_bytes; /**< an elastic source's memzone size */
	uint64_t cache_bytes; /**< the cache descriptor */
	uint64_t node_bytes;  /**< one node's descriptor (its shared and alien queues not included) */
};

/**
 * The layout slubq_cache_create(p) would give, for sizing calculators
 * (libslubq_config); needs no EAL. n: objects to size mem_bytes for.
 * spread: logical sockets a fixed source deals its slabs to (1 unless a
 * simulated topology shares a real socket): a pool of p->expected_objs is
 * cut into at least that many slabs. 0, or -EINVAL when p has no layout.
 */
int slubq_cache_calc_layout(const struct slubq_cache_params *p, uint64_t n, unsigned int spread,
			    struct slubq_cache_layout *l);

/* ---- per-pool settings for the mempool driver ------------------------- */

/**
 * Tunables for a cache that the mempool driver (or another adapter) will
 * create for a pool of this name. 0 = the driver's default for the field.
 * Set before the pool is created (the YAML loader does this for the mbuf
 * pools it creates); kept in shared memory, so any process sees them.
 */
struct slubq_pool_config {
	uint32_t queue_size;   /**< lcore queue size (SLUBQ_QUEUE_OFF = none) */
	uint32_t batch;
	uint32_t shared_size;
	uint32_t alien_size;
	uint32_t flags;        /**< SLUBQ_F_* (debug flags, NO_ALIEN, ...) */
	uint32_t slab_objs;    /**< most objects per slab (0 = choose) */
};

/** Most pool configurations remembered at once. */
#define SLUBQ_MAX_POOL_CONFIGS 64

/** Remember cfg for pools named pool_name (replaces; NULL forgets it). */
int slubq_pool_config_set(const char *pool_name, const struct slubq_pool_config *cfg);
/** The configuration for pool_name: 0, or -ENOENT when none was set. */
int slubq_pool_config_get(const char *pool_name, struct slubq_pool_config *cfg);

/**
 * Where the tunables of a driver-created cache came from, so that
 * telemetry (/slubq/info) can say why a pool has the queue it has. The
 * mempool driver records one per pool; kept in shared memory.
 */
struct slubq_pool_origin {
	char sources[64];     /**< what applied, in order: "defaults,pool_config,named,file,env" */
	char file[256];       /**< the SLUBQ_CONFIG file ("" when none applied) */
	uint32_t line;        /**< position of the rule in it (1-based) */
	uint32_t column;
	char rule[32];        /**< "mempools[0]" */
	char match[64];       /**< the rule's pattern */
	char settings[192];   /**< what the rule set: "queue_size=256 batch=64" */
	char env[128];        /**< SLUBQ_MEMPOOL_CONFIG entries that applied */
};

/** Record (replace) the origin of cache cache_name; NULL forgets it. */
int slubq_pool_origin_set(const char *cache_name, const struct slubq_pool_origin *origin);
/** The origin of cache_name: 0, or -ENOENT when none was recorded. Never creates anything. */
int slubq_pool_origin_get(const char *cache_name, struct slubq_pool_origin *origin);

/* ---- topology -------------------------------------------------------- */

/**
 * Simulate nr_sockets sockets on this machine for caches created from now
 * on. map[lcore] gives each lcore id's logical socket (RTE_MAX_LCORE
 * entries), or NULL to split the enabled lcores into equal blocks. The
 * memory of a simulated socket comes from the real socket of its first
 * lcore.
 */
int slubq_topology_simulate(unsigned int nr_sockets, const int *map);
/** Back to the EAL's own topology for caches created from now on. */
int slubq_topology_reset(void);
/** Logical sockets of the current topology. */
unsigned int slubq_topology_sockets(void);
/** Logical socket of an lcore id (LCORE_ID_ANY: the calling thread's). */
unsigned int slubq_topology_lcore_socket(unsigned int lcore);
/** True when the topology is simulated. */
int slubq_topology_is_simulated(void);
/**
 * Real socket id whose memory logical socket `logical` of the current
 * topology uses; -EINVAL (and rte_errno) when there is no such logical
 * socket, or -rte_errno when the EAL is not up.
 */
int slubq_topology_real_socket(unsigned int logical);

/** The EAL's own topology: one logical socket per real socket. */
struct slubq_topology_info {
	uint32_t nr_sockets;
	int32_t real_socket[SLUBQ_MAX_SOCKETS]; /**< real socket id of each logical socket */
	uint8_t lcore_socket[RTE_MAX_LCORE];    /**< logical socket of each lcore id */
};

/** Fill t with the EAL's topology, simulated or not (after rte_eal_init()). */
void slubq_topology_eal(struct slubq_topology_info *t);

/** The rte_log type of slubq ("lib.slubq"). */
int slubq_logtype(void);

#ifdef __cplusplus
}
#endif

#endif /* SLUBQ_H */
