/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file slubq_config.h
 *
 * slubq deployment configuration: one YAML file (docs/config.md) describes
 * the topology (real, hwloc synthetic or an lcore -> socket map), the
 * caches to create, the mbuf pools to create on the "slubq" mempool
 * driver, and the sizing inputs (ports, queues, descriptors, lcores,
 * burst, rings) from which pool sizes are computed.
 *
 * Loading, querying and dumping need no EAL. Applying (topology, caches,
 * pools) needs rte_eal_init() first; pools also need the mempool driver
 * (librte_mempool_slubq, e.g. EAL option -d librte_mempool_slubq.so).
 *
 * Typical use (a forwarder):
 * @code
 * struct slubq_config *cfg;
 * char err[4096];
 * if (slubq_config_load_file("fwd.yaml", &cfg, err, sizeof(err)) < 0)
 *         rte_exit(EXIT_FAILURE, "%s", err);
 * slubq_config_apply_topology(cfg, err, sizeof(err)); // before looking up lcore sockets
 * int sockets[] = {0, 1};                             // of its ports and lcores
 * if (slubq_config_apply(cfg, sockets, 2, err, sizeof(err)) < 0)
 *         rte_exit(EXIT_FAILURE, "%s", err);
 * struct rte_mempool *mp = slubq_config_mempool(cfg, "rx", 0);
 * ...
 * slubq_config_free(cfg);                             // frees the pools and caches too
 * @endcode
 *
 * Errors: functions returning int return 0 (or a count) or a negative
 * errno and set rte_errno. Messages go to the caller's buffer, one per
 * line, as "file:line:col: key: message".
 */
#ifndef SLUBQ_CONFIG_H
#define SLUBQ_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <rte_config.h>
#include "slubq.h"

#ifdef __cplusplus
extern "C" {
#endif

struct rte_mempool;

/** A loaded configuration (opaque). */
struct slubq_config;

/** Most ports and rings in the sizing inputs. */
#define SLUBQ_CONFIG_MAX_PORTS 32
#define SLUBQ_CONFIG_MAX_RINGS 64

/** Where the configuration's topology comes from. */
enum slubq_config_topology_mode {
	SLUBQ_CONFIG_TOPO_REAL = 0,   /**< the machine (the EAL's view, cross-checked with hwloc) */
	SLUBQ_CONFIG_TOPO_SYNTHETIC,  /**< an hwloc synthetic description, simulated */
	SLUBQ_CONFIG_TOPO_MAP,        /**< an explicit lcore -> socket map, simulated */
};

/**
 * Load and validate a YAML file. On success *cfg is the configuration
 * (free it with slubq_config_free()). On failure *cfg is NULL, err holds
 * every problem found (one "file:line:col: key: message" per line,
 * truncated to errlen) and the result is -EINVAL (invalid), -ENOENT or
 * -EIO (unreadable file). err may be NULL.
 */
int slubq_config_load_file(const char *path, struct slubq_config **cfg, char *err, size_t errlen);

/** Like slubq_config_load_file(), from a string; name is used in messages. */
int slubq_config_load_string(const char *yaml, const char *name, struct slubq_config **cfg, char *err,
			     size_t errlen);

/** Release the pools and caches it created (slubq_config_release()) and free cfg. NULL is fine. */
void slubq_config_free(struct slubq_config *cfg);

/**
 * Advisories found while loading (hugepages short, a pool count below its
 * computed need, a cache past its memory limit), one per line. Returns
 * how many there are.
 */
int slubq_config_warnings(const struct slubq_config *cfg, char *buf, size_t len);

/**
 * The effective configuration as YAML, defaults filled in. Writes at most
 * len bytes (NUL-terminated) and returns the full length (as snprintf).
 */
int slubq_config_dump(const struct slubq_config *cfg, char *buf, size_t len);

/* ---- topology -------------------------------------------------------- */

/** The configuration's topology. */
struct slubq_config_topology {
	enum slubq_config_topology_mode mode;
	unsigned int nr_sockets;
	int lcore_socket[RTE_MAX_LCORE]; /**< socket of each lcore id, -1 when not in the topology */
};

/** Fill t from cfg. */
int slubq_config_topology_get(const struct slubq_config *cfg, struct slubq_config_topology *t);

/**
 * Describe the topology slubq will see (sockets, cores, PUs, lcores per
 * socket, cache sizes) as text; cfg NULL describes this machine as hwloc
 * sees it. Returns the full length (as snprintf) or a negative errno.
 */
int slubq_config_topology_describe(const struct slubq_config *cfg, char *buf, size_t len);

/* ---- caches and pools ------------------------------------------------- */

/** Number of caches the configuration creates. */
unsigned int slubq_config_cache_count(const struct slubq_config *cfg);

/** Parameters of cache idx (p->name points into cfg). */
int slubq_config_cache_params(const struct slubq_config *cfg, unsigned int idx, struct slubq_cache_params *p);

/** An mbuf pool of the configuration. */
struct slubq_config_pool {
	const char *name;              /**< points into cfg */
	uint16_t data_room;            /**< rte_pktmbuf data room, headroom included */
	uint16_t priv_size;            /**< application private area per mbuf */
	uint32_t mempool_cache;        /**< rte_mempool per-lcore cache size (0: slubq's queues do it) */
	int auto_count;                /**< count computed from the sizing inputs */
	unsigned int nr_sockets;       /**< sockets it is created on */
	int sockets[SLUBQ_MAX_SOCKETS];
	uint32_t count[SLUBQ_MAX_SOCKETS]; /**< objects, by socket (0 where it is not created) */
	struct slubq_pool_config tunables; /**< what the slubq driver is told (slubq_pool_config_set) */
};

/** Number of mbuf pools. */
unsigned int slubq_config_pool_count(const struct slubq_config *cfg);

/** Pool idx. */
int slubq_config_pool_get(const struct slubq_config *cfg, unsigned int idx, struct slubq_config_pool *out);

/** Index of the pool with that name, or -ENOENT. */
int slubq_config_pool_find(const struct slubq_config *cfg, const char *name);

/**
 * Name of pool idx's mempool on a socket: the pool's name when it lives on
 * one socket, else "<name>_s<socket>". Returns the length, -ENOENT when
 * the pool is not on that socket, -ENOSPC when len is too small.
 */
int slubq_config_mempool_name(const struct slubq_config *cfg, unsigned int idx, unsigned int socket, char *buf,
			      size_t len);

/* ---- sizing ------------------------------------------------------------ */

/** One port of the sizing inputs. */
struct slubq_config_port {
	unsigned int socket;
	uint32_t rx_queues, tx_queues, rx_desc, tx_desc;
};

/** One pipeline ring of the sizing inputs. */
struct slubq_config_ring {
	const char *name;              /**< points into cfg */
	uint32_t size;
	unsigned int socket;
};

/** Sizing inputs (top level, or a pool's own). */
struct slubq_config_sizing {
	unsigned int nr_ports;
	struct slubq_config_port port[SLUBQ_CONFIG_MAX_PORTS];
	unsigned int nr_lcores;
	unsigned int lcores[RTE_MAX_LCORE];
	uint32_t burst;
	unsigned int nr_rings;
	struct slubq_config_ring ring[SLUBQ_CONFIG_MAX_RINGS];
	uint32_t headroom_pct;
	uint64_t hugepage_size;
};

/** Sizing inputs of pool idx, or the top-level ones when pool is -1. */
int slubq_config_sizing_get(const struct slubq_config *cfg, int pool, struct slubq_config_sizing *out);

/** What a pool or cache needs on one socket. */
struct slubq_config_estimate {
	uint64_t rx_objs;        /**< pools: rx rings full; caches: the objects expected in use */
	uint64_t tx_objs;        /**< tx rings full */
	uint64_t queue_objs;     /**< lcore queues (and rte_mempool caches) full */
	uint64_t burst_objs;     /**< one burst in flight per lcore */
	uint64_t ring_objs;      /**< pipeline rings full */
	uint64_t alien_objs;     /**< waiting in other sockets' alien queues */
	uint64_t need;           /**< the sum of the above */
	uint64_t count;          /**< objects it gets: need + headroom (auto), or the configured count */
	uint32_t slot_size;      /**< bytes per object slot */
	uint32_t slab_size;
	uint32_t slab_objs;      /**< objects per slab */
	uint64_t obj_bytes;      /**< memory of the slabs (slab rounding) */
	uint64_t overhead_bytes; /**< descriptors, queue arrays, mempool header */
	uint64_t total_bytes;
	uint64_t hugepages;      /**< total_bytes rounded up to hugepages */
};

/** Estimate for pool idx on a socket; -ENOENT when the pool is not there. */
int slubq_config_pool_estimate(const struct slubq_config *cfg, unsigned int idx, unsigned int socket,
			       struct slubq_config_estimate *e);

/** Estimate for cache idx on a socket; -ENOENT when it gives no `objects` there. */
int slubq_config_cache_estimate(const struct slubq_config *cfg, unsigned int idx, unsigned int socket,
				struct slubq_config_estimate *e);

/* ---- apply (EAL up) ------------------------------------------------------ */

/**
 * Set slubq's topology for caches created from now on: simulate a
 * synthetic or mapped topology (slubq_topology_simulate()), or go back to
 * the EAL's and log a warning for every lcore whose EAL socket differs
 * from hwloc's. Idempotent. -ENODEV before rte_eal_init().
 */
int slubq_config_apply_topology(struct slubq_config *cfg, char *err, size_t errlen);

/**
 * Apply cfg: the topology, every cache, and every mbuf pool on the sockets
 * listed (nr_sockets 0 or sockets NULL: all of its sockets). Each pool's
 * tunables go to slubq_pool_config_set() under its mempool name, then
 * rte_pktmbuf_pool_create_by_ops(..., "slubq") creates it on the real
 * socket behind the (possibly simulated) socket. All or nothing: on
 * failure what was created is released. Returns the number of mempools
 * created; -ENOTSUP when the "slubq" mempool driver is not loaded,
 * -EEXIST when already applied, -EINVAL for a socket outside the topology.
 */
int slubq_config_apply(struct slubq_config *cfg, const int *sockets, unsigned int nr_sockets, char *err,
		       size_t errlen);

/** The mempool apply() created for a pool on a socket, or NULL (rte_errno = ENOENT). */
struct rte_mempool *slubq_config_mempool(const struct slubq_config *cfg, const char *pool, unsigned int socket);

/** The cache apply() created with that name, or NULL (rte_errno = ENOENT). */
struct slubq_cache *slubq_config_cache(const struct slubq_config *cfg, const char *name);

/**
 * Free the mempools and caches apply() created, forget the pool tunables
 * and go back to the EAL's topology if apply simulated one. cfg can be
 * applied again afterwards.
 */
int slubq_config_release(struct slubq_config *cfg);

/* ---- mempool rules, for stock applications (SLUBQ_CONFIG) ---------------- */

/** The environment variable that names the deployment file of a process. */
#define SLUBQ_CONFIG_ENV "SLUBQ_CONFIG"

/**
 * What the first `mempools:` rule whose `match` fits a pool's name sets.
 * Fields of cfg that the rule leaves out are 0 (the driver's default);
 * a queue turned off is SLUBQ_QUEUE_OFF.
 */
struct slubq_config_mempool_rule {
	struct slubq_pool_config cfg;
	int faults;                /**< fault injection given (slubq_cache_inject_faults) */
	uint32_t fault_every_n;
	uint32_t fault_ppm;
	uint64_t fault_seed;
	struct slubq_pool_origin origin; /**< file, rule, position, settings (for telemetry) */
};

/**
 * For the mempool driver: the rule of the deployment file `path` for the
 * rte_mempool `pool_name`. The file is loaded once per process, at the
 * first call (its topology, when synthetic or mapped, is simulated then,
 * before any pool of the driver exists); rules that configured no pool are
 * logged (level info) at exit. queue_size is the pool's queue before the
 * rule (to check a rule's batch against it). Returns 1 (out filled), 0 (no
 * rule matches), or -EINVAL / -ENOENT / -EIO when the file is unusable,
 * with every problem logged as "file:line:col: key: message" (lib.slubq).
 */
int slubq_config_mempool_rule_get(const char *path, const char *pool_name, uint32_t queue_size,
				  struct slubq_config_mempool_rule *out);

/** Signature of slubq_config_mempool_rule_get (the plugin dlopens this library). */
typedef int (*slubq_config_mempool_rule_get_t)(const char *path, const char *pool_name, uint32_t queue_size,
						struct slubq_config_mempool_rule *out);

/** Number of `mempools:` rules of cfg. */
unsigned int slubq_config_mempool_rule_count(const struct slubq_config *cfg);

/**
 * The first rule of cfg whose match fits pool_name (no file state, no
 * logging: for tools such as slubq-config). Returns its index (out
 * filled), or -ENOENT when none matches.
 */
int slubq_config_mempool_rule_find(const struct slubq_config *cfg, const char *pool_name,
				   struct slubq_config_mempool_rule *out);

#ifdef __cplusplus
}
#endif

#endif /* SLUBQ_CONFIG_H */
