/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 9, the top: the configuration layer's C++ interface (the C API in
// slubq_config.h is a thin wrapper). Loading needs no EAL: with the EAL up,
// a "real" topology is the EAL's, else hwloc's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>
#include "config/config_model.hpp"
#include "config/config_yaml.hpp"

struct rte_mempool;
struct slubq_config_mempool_rule;

namespace slubq::config {

// Largest configuration file accepted.
constexpr std::size_t max_file_bytes = 1u << 20;

// Parse and validate. 0, or -EINVAL with one "file:line:col: key: message"
// per problem in `errors` (-ENOENT / -EIO when the file cannot be read).
int load_string(const std::string &text, const std::string &file, config &out, std::vector<std::string> &errors);
int load_file(const std::string &path, config &out, std::vector<std::string> &errors);

// The effective configuration as YAML (defaults filled in; loads back to
// the same configuration).
std::string dump(const config &c);

// --- steps of a load (config_parse.cpp, config_topology.cpp, config_sizing.cpp) ---
void parse_topology(diagnostics &d, const YAML::Node &node, position where, topology &t);
// Objects and bytes per pool and cache and socket; errors that need the
// sizing (auto count 0 on a listed socket, ...) go to d, advisories
// (hugepages short, count below need) to c.warnings.
void compute_sizing(config &c, diagnostics &d);

// The names of the debug flags set in flags (slubq_flag_name), lowest bit first.
std::vector<std::string> debug_flag_names(std::uint32_t flags);

// Parameters of the slubq cache of a configured cache (name points into c).
slubq_cache_params cache_params(const cache &c);
// Per-pool tunables for the mempool driver (every field explicit).
slubq_pool_config pool_tunables(const pool &p);
// Cache parameters the mempool driver derives for this pool's mbufs.
slubq_cache_params pool_slot_params(const pool &p, std::uint64_t page_size);
// Name of the mempool of pool p on a socket: the pool's name when it has
// one socket, else "<name>_s<socket>".
std::string mempool_name(const pool &p, unsigned socket);

// Lcore -> socket map for slubq_topology_simulate (RTE_MAX_LCORE entries;
// lcores outside the topology go round-robin).
std::vector<int> simulate_map(const topology &t);

// Hugepages that are free per real socket (sysfs, plus what the EAL's
// heap holds free when it is up). Index = real socket id.
std::vector<std::uint64_t> free_hugepages(std::uint64_t page_size);
// Warnings for sockets where need[s] > free[s] pages (both per real socket).
std::vector<std::string> hugepage_shortfalls(const std::vector<std::uint64_t> &need,
					     const std::vector<std::uint64_t> &free_pages, std::uint64_t page_size,
					     bool simulated);

// What apply() created in this process.
struct applied {
	bool topology = false;      // apply_topology() ran
	bool simulated = false;     // ... and simulated a topology
	struct mempool_entry {
		std::size_t pool;
		unsigned socket;
		std::string name;
		rte_mempool *mp;
	};
	std::vector<mempool_entry> mempools;
	std::vector<std::pair<std::string, slubq_cache *>> caches;
	bool empty() const { return mempools.empty() && caches.empty(); }
};

// Set slubq's topology from c (EAL up). 0 or a negative errno + err.
int apply_topology(const config &c, applied &a, std::string &err);
// Topology, caches, then pools on `sockets` (nullptr: all). Returns the
// mempools created, or a negative errno + err with nothing left behind.
int apply(const config &c, const std::vector<unsigned> *sockets, applied &a, std::string &err);
// Free what apply() created; back to the EAL's topology if it simulated one.
void release(applied &a);
// The first mempools: rule matching pool_name: its index (out filled), or
// -ENOENT.
int mempool_rule_find(const config &c, const char *pool_name, slubq_config_mempool_rule &out);
// True when the "slubq" mempool ops are registered in this process.
bool slubq_ops_registered();

} // namespace slubq::config
