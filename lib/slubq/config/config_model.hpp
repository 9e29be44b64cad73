/* SPDX-License-Identifier: BSD-3-Clause */
// The deployment configuration as slubq uses it: every value resolved
// (defaults filled in), validated, with the sizing results. Loaded from
// YAML by config_parse.cpp; process-private (nothing here is shared).
#pragma once

// Messages are built with std::string operator+, on which GCC 12 at -O3
// reports overlaps that cannot happen (GCC PR 105329): -Wrestrict off for
// the configuration layer's sources.
#pragma GCC diagnostic ignored "-Wrestrict"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include <rte_config.h>
#include "slubq.h"
#include "slubq_defaults.h"
#include "topology/hwloc_topology.hpp"

namespace slubq::config {

// Where a value sits in its file: 1-based line and column (0 = unknown).
struct position {
	unsigned line = 0;
	unsigned column = 0;
};

// Built-in defaults of the sizing inputs. The tunables' defaults are
// slubq_cache_create()'s (slubq_defaults.h).
constexpr std::uint32_t default_headroom_pct = 20;
constexpr std::uint32_t default_burst = 32;
constexpr std::uint32_t default_desc = 1024;
constexpr std::uint64_t default_hugepage_size = 2u << 20;
constexpr unsigned max_ports = 32;          // RTE_MAX_ETHPORTS of Debian's DPDK
constexpr unsigned max_rings = 64;
constexpr unsigned max_entries = 64;        // caches, pools (SLUBQ_MAX_POOL_CONFIGS)
constexpr unsigned max_pool_name = 20;      // + "_s7" + the mempool's memzone suffixes
constexpr std::uint32_t max_count = 1u << 30;
constexpr std::uint32_t max_obj_size = 16u << 20;   // larger objects are not a slab allocator's job
constexpr std::uint64_t max_slab_size = SLUBQ_MAX_SLAB_SIZE;

enum class topo_mode { real, synthetic, map };

struct topology {
	topo_mode mode = topo_mode::real;
	std::string synthetic;                    // mode synthetic: hwloc description
	std::vector<unsigned> pu_lcores;          // mode synthetic: lcore ids placed on PUs in order
	std::vector<std::vector<unsigned>> map;   // mode map: lcores of each socket
	// Resolved:
	unsigned nr_sockets = 1;
	std::array<int, RTE_MAX_LCORE> lcore_socket{};  // -1: no such lcore
	machine_topology machine;                 // real or synthetic (empty for a map)
	bool from_eal = false;                    // mode real with the EAL up
};

// The tunables that defaults, caches and pools share.
struct tunables {
	std::uint32_t queue_size = SLUBQ_DEFAULT_QUEUE_SIZE; // 0: no lcore queue
	std::uint32_t batch = 0;                       // 0: auto (resolved in caches and pools)
	std::uint32_t shared_size = UINT32_MAX;        // UINT32_MAX: auto
	std::uint32_t alien_size = SLUBQ_DEFAULT_ALIEN_SIZE;
	std::uint64_t mem_limit = 0;
	std::uint32_t align = SLUBQ_DEFAULT_ALIGN;
	std::uint32_t slab_objs = 0;
	std::uint32_t debug = 0;                       // SLUBQ_F_DEBUG bits
	bool dma = false;
	bool no_alien = false;
};

struct port {
	unsigned socket = 0;
	std::uint32_t rx_queues = 1, tx_queues = 1, rx_desc = default_desc, tx_desc = default_desc;
};

struct ring {
	std::string name;
	std::uint32_t size = 0;
	unsigned socket = 0;
};

// Inputs of the pool sizing calculator.
struct sizing {
	std::vector<port> ports;
	std::uint32_t rx_queues = 1, tx_queues = 1, rx_desc = default_desc, tx_desc = default_desc;
	std::vector<unsigned> lcores;             // resolved: all lcores of the topology when not given
	bool lcores_given = false;
	std::uint32_t burst = default_burst;
	std::vector<ring> rings;
	std::uint32_t headroom_pct = default_headroom_pct;
	std::uint64_t hugepage_size = default_hugepage_size;
};

struct cache {
	std::string name;
	std::uint32_t obj_size = 0;
	tunables tune;
	std::uint64_t objects = 0;                // expected per socket (sizing only), 0 = none given
	std::vector<unsigned> sockets;            // where objects are expected
	position pos;
};

struct pool {
	std::string name;
	std::uint32_t data_room = 0;
	std::uint32_t priv_size = 0;
	std::uint32_t mempool_cache = 0;          // rte_mempool per-lcore cache
	bool auto_count = true;
	std::uint64_t count = 0;                  // when not auto: per socket
	std::vector<unsigned> sockets;            // where a mempool is created
	tunables tune;
	sizing sz;
	bool own_sizing = false;                  // a `sizing:` block in the pool
	position pos, count_pos, sockets_pos;
};

// Sizing result for one pool or cache on one socket.
struct estimate {
	bool present = false;
	std::uint64_t rx = 0, tx = 0, queues = 0, bursts = 0, rings = 0, alien = 0;
	std::uint64_t need = 0;                   // sum of the above
	std::uint64_t count = 0;                  // objects it gets
	std::uint32_t slot_size = 0, slab_size = 0, slab_objs = 0;
	std::uint64_t obj_bytes = 0;              // slabs
	std::uint64_t overhead_bytes = 0;         // descriptors, queue arrays, mempool header
	std::uint64_t total_bytes = 0;
	std::uint64_t hugepages = 0;              // total rounded up to hugepages
};
using per_socket_estimate = std::array<estimate, SLUBQ_MAX_SOCKETS>;

// A rule for the rte_mempools that an application (stock testpmd, l2fwd,
// ...) creates on the slubq mempool driver: the plugin applies the first
// rule whose `match` (a name, or a glob) fits the pool's name, when the
// application runs with SLUBQ_CONFIG=<file>. Only the keys given are set;
// the rest are the driver's defaults for that pool (docs/driver.md).
struct mempool_rule {
	std::string match;
	std::optional<std::uint32_t> queue_size;  // 0: no lcore queue
	std::optional<std::uint32_t> batch;       // 0: auto (half the queue)
	std::optional<std::uint32_t> shared_size, alien_size, slab_objs;
	std::optional<std::uint32_t> debug;       // SLUBQ_F_TRACK | SLUBQ_F_SANITY
	std::optional<bool> no_alien;
	bool faults = false;                      // a fault_injection block
	std::uint32_t fault_every_n = 0, fault_ppm = 0;
	std::uint64_t fault_seed = 0;
	position pos, batch_pos;
};

struct config {
	std::string file;                         // name used in messages
	unsigned version = 1;
	topology topo;
	tunables defaults;
	bool defaults_given = false;              // a `defaults:` section is in the file
	sizing sz;
	std::vector<cache> caches;
	std::vector<pool> pools;
	std::vector<mempool_rule> mempools;
	std::vector<per_socket_estimate> pool_est;   // per pool
	std::vector<per_socket_estimate> cache_est;  // per cache (present when objects > 0)
	std::vector<std::string> warnings;
};

} // namespace slubq::config
