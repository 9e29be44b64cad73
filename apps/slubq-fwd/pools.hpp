/* SPDX-License-Identifier: BSD-3-Clause */
// The mbuf pools: one per socket that a port or a forwarding lcore sits
// on, created on the chosen mempool driver (slubq unless --pool-ops), and
// the leak check that runs when everything has stopped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>
#include <rte_mempool.h>
#include <slubq.h>
#include "options.hpp"

namespace fwd {

// What a pool must hold at most: everything that can sit in descriptors,
// lcore caches, rings and slubq queues at once, plus the bursts in flight.
struct pool_demand {
	unsigned nb_ports = 0;
	unsigned nb_rxq = 0, nb_txq = 0, nb_rxd = 0, nb_txd = 0;
	unsigned nb_lcores = 0;       // every lcore that allocates or frees (main included)
	unsigned burst = 0;
	unsigned ring_slots = 0;      // pipeline rings
};

struct pool_entry {
	rte_mempool *mp = nullptr;
	int socket = 0;               // the key lcores find it by (see pool_set::logical_sockets)
	bool owned = true;            // we free it at exit (the YAML layer frees its own)
	bool primary = true;          // the pool packets come from (a YAML file may describe more)
};

struct pool_set {
	std::vector<pool_entry> pools;
	// Keys are slubq's logical (possibly simulated) sockets, as the YAML
	// layer creates pools; else the EAL's real sockets.
	bool logical_sockets = false;
	// The primary pool of the lcore's socket, else the first primary pool.
	rte_mempool *for_lcore(unsigned lcore) const;
};

// How to build one mbuf pool.
struct pool_spec {
	std::string name;
	unsigned count = 0;
	uint16_t data_room = 0, priv_size = 0;
	unsigned mempool_cache = 0;
	const slubq_pool_config *tunables = nullptr; // slubq only; nullptr: the driver's defaults
};

// rte_mempool per-lcore cache for --pool-ops: --mbcache, else 0 for slubq
// (its lcore queues are that cache) and testpmd's 250 for the others.
unsigned mempool_cache_size(const options &o);

// Create one pool on the real socket `socket` with o.pool_ops, keyed by
// `key`. Prints the reason and returns -1 on failure.
int create_pool(const options &o, const pool_spec &spec, int socket, int key, bool primary, pool_set &out);

// The built-in pools: "mbuf_pool_<socket>" on each real socket listed,
// sized from the demand d (or --total-num-mbufs). -1 after printing why.
int create_builtin_pools(const options &o, const std::vector<int> &sockets, const pool_demand &d, pool_set &out);

// Objects that can be out of a pool at once for the demand d (the
// testpmd-style sum); a built-in pool gets that plus some slack.
unsigned pool_need(const options &o, const pool_demand &d);
unsigned builtin_pool_size(const options &o, const pool_demand &d);

// True when a mempool driver of that name is registered.
bool pool_ops_registered(const char *name);

// The slubq cache behind a pool, or nullptr for other drivers.
slubq_cache *slubq_cache_of_pool(const rte_mempool *mp);

// With every lcore stopped and every port closed: print, per pool, objects,
// available and leaked (slubq pools are also verified). Returns the number
// of objects leaked plus the problems verify found.
uint64_t check_leaks(const pool_set &ps);

void free_pools(pool_set &ps);

} // namespace fwd
