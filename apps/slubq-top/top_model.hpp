/* SPDX-License-Identifier: BSD-3-Clause */
// What slubq-top shows, computed from telemetry replies: samples of every
// cache, rates between two samples, sorting. No I/O here (unit-tested).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>

namespace slubq_top {

using json = nlohmann::json;

// Counters kept per lcore (the objects/calls of /slubq/stats).
struct counters {
	std::uint64_t alloc_fast = 0, alloc_slow = 0, free_fast = 0, free_slow = 0;
	std::uint64_t refills = 0, flushes = 0, alien_sent = 0, alien_flushes = 0;
	std::uint64_t remote_allocs = 0, alloc_fail = 0;
};
// Reads the fields present in a /slubq/stats counter dict (missing = 0).
counters counters_from_json(const json &j);

struct node_sample {
	unsigned socket = 0;
	int real_socket = 0;
	std::uint64_t slabs_partial = 0, slabs_full = 0, slabs_empty = 0;
	std::uint64_t objects = 0, free_in_slabs = 0, mem_bytes = 0;
	std::uint64_t shared_count = 0, shared_size = 0, alien_count = 0, alien_size = 0;
};

struct lcore_sample {
	unsigned lcore = 0;
	bool has_queue = false;        // listed by /slubq/info (queue in use)
	unsigned socket = 0;
	std::uint64_t count = 0, size = 0; // queue fill and applied size
	counters c;
};

// One cache as /slubq/info and /slubq/stats described it at time_ns.
struct cache_sample {
	std::string name;
	std::vector<std::string> aliases;
	std::uint64_t time_ns = 0;     // when the application read the counters
	std::string source;
	std::uint64_t obj_size = 0, slab_size = 0, slab_objs = 0;
	std::uint64_t objects = 0, in_use = 0, available = 0, in_queues = 0, mem_bytes = 0;
	std::uint64_t queue_size = 0, batch = 0, shared_size = 0, alien_size = 0, mem_limit = 0;
	// Where the tunables came from (/slubq/info "config", mempool driver
	// caches only): "file:line:col rule 'match': settings", else the
	// sources; empty when the application does not say.
	std::string config;
	counters total;
	std::vector<node_sample> nodes;
	std::vector<lcore_sample> lcores; // ascending lcore id
};

// Builds a sample from the two replies (throws json::exception when a
// field has the wrong type).
cache_sample sample_from_json(const json &info, const json &stats);

struct snapshot {
	std::vector<cache_sample> caches;
	const cache_sample *find(const std::string &name) const;
};

// Per-second rates between two samples of the same thing.
struct rates {
	bool valid = false;            // false: no earlier sample (shown as "-")
	double alloc = 0, free = 0, alien = 0, refill = 0, flush = 0, remote = 0, fail = 0;
	// Objects served by the lcore queue / all objects, allocs and frees
	// together, in the interval. Empty when nothing happened.
	std::optional<double> hit;
};
// A counter that went backwards (cache re-created) counts from zero.
rates rates_between(const counters &prev, const counters &cur, double seconds);

struct cache_row {
	const cache_sample *s = nullptr;
	rates r;
};
std::vector<cache_row> make_rows(const snapshot *prev, const snapshot &cur);

struct lcore_row {
	const lcore_sample *l = nullptr;
	rates r;
};
std::vector<lcore_row> make_lcore_rows(const cache_sample *prev, const cache_sample &cur);

enum class sort_key { name, size, objects, in_use, available, memory, alloc, free, alien, hit };
// The key behind a viewer key press ('o', 'u', ...), or none.
std::optional<sort_key> sort_key_from_char(int ch);
std::optional<sort_key> sort_key_from_name(const std::string &name);
const char *sort_key_name(sort_key k);
// The key press that selects k.
char sort_key_char(sort_key k);
// Largest first (name: A to Z); reverse flips it. Ties: by name.
void sort_rows(std::vector<cache_row> &rows, sort_key k, bool reverse);

} // namespace slubq_top
