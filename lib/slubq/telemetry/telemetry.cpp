/* SPDX-License-Identifier: BSD-3-Clause */
// DPDK telemetry commands of slubq, registered by a constructor so that any
// process linking libslubq (an application, or stock dpdk-testpmd loading
// the mempool plugin with -d) answers them on its telemetry socket:
//
//   /slubq/list                        names of every cache (aliases too)
//   /slubq/info,<cache>                sizes, tunables, nodes, lcore queues
//   /slubq/stats,<cache>[,<lcore>]     counters: total and per lcore
//   /slubq/set,<cache>,<key>=<value>   change a tunable
//   /slubq/shrink,<cache>              give memory back
//
// A bad request gets {"error": "..."} rather than telemetry's bare null, so
// the user sees why. Reading never creates anything (not even the registry).
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <utility>
#include <vector>
#include <rte_lcore.h>
#include <rte_memzone.h>
#include <rte_telemetry.h>
#include "cache/cache.hpp"
#include "common/log.hpp"
#include "debug/slubq_debug.h"
#include "registry/registry.hpp"
#include "telemetry/telemetry_commands.hpp"
#include "telemetry/telemetry_params.hpp"

namespace slubq::tel {
namespace {

// Telemetry's MAX_OUTPUT_LEN in DPDK 22.11 (also announced as
// "max_output_len" when a client connects). Entries that do not fit are
// dropped silently by DPDK's JSON writer, so per-lcore lists are cut
// before that, and the reply says how many were left out.
constexpr std::size_t reply_limit = 16 * 1024;
constexpr std::size_t lcore_budget = reply_limit - 4 * 1024;

int reply_error(rte_tel_data *d, const std::string &msg)
{
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "error", msg.c_str());
	return 0;
}

// Attach child under name (d takes ownership); freed if d refuses it.
void add_child(rte_tel_data *d, const char *name, rte_tel_data *child)
{
	if (child != nullptr && rte_tel_data_add_dict_container(d, name, child, 0) < 0)
		rte_tel_data_free(child);
}

rte_tel_data *new_dict()
{
	rte_tel_data *d = rte_tel_data_alloc();
	if (d != nullptr)
		rte_tel_data_start_dict(d);
	return d;
}

// True when some process of this application has created a cache.
bool registry_exists() { return rte_memzone_lookup(registry_mz_name) != nullptr; }

// The cache named exactly `name`, held until this goes (the registry
// lock: slubq_cache_destroy waits, rather than freeing the memory being
// read); c is null after an error reply. Holding it, take no registry lock.
class held_cache {
public:
	held_cache(std::string_view name, rte_tel_data *d)
	{
		if (name.empty()) {
			reply_error(d, "missing cache name (see /slubq/list)");
			return;
		}
		if (name.size() < SLUBQ_NAMESIZE && registry_exists())
			c = registry_hold(std::string(name).c_str());
		if (c == nullptr)
			reply_error(d, "unknown cache '" + echo(name) + "' (see /slubq/list)");
	}
	~held_cache()
	{
		if (c != nullptr)
			registry_unhold();
	}
	held_cache(const held_cache &) = delete;
	held_cache &operator=(const held_cache &) = delete;

	slubq_cache *c = nullptr;
};

const char *tunable_name(slubq_tunable key)
{
	switch (key) {
	case SLUBQ_TUNE_QUEUE_SIZE: return "queue";
	case SLUBQ_TUNE_BATCH: return "batch";
	case SLUBQ_TUNE_SHARED_SIZE: return "shared";
	case SLUBQ_TUNE_ALIEN_SIZE: return "alien";
	case SLUBQ_TUNE_MEM_LIMIT: return "limit";
	default: return "?";
	}
}

std::string flag_names(std::uint32_t flags)
{
	std::string s;
	for (std::uint32_t bit = 1; bit != 0; bit <<= 1)
		if (const char *name = (flags & bit) ? slubq_flag_name(bit) : nullptr) {
			if (!s.empty())
				s += ',';
			s += name;
		}
	return s;
}

std::uint64_t now_ns()
{
	timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return std::uint64_t(ts.tv_sec) * 1000000000u + std::uint64_t(ts.tv_nsec);
}

// ---- /slubq/list --------------------------------------------------------

int add_name(slubq_cache *, const char *name, void *arg)
{
	rte_tel_data_add_array_string(static_cast<rte_tel_data *>(arg), name);
	return 0;
}

int cmd_list(const char *, const char *params, rte_tel_data *d)
{
	if (params != nullptr && params[0] != '\0')
		return reply_error(d, "/slubq/list takes no parameters");
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	if (registry_exists() && slubq_cache_walk(add_name, d) < 0)
		return reply_error(d, std::string("cannot read the registry: ") + rte_strerror(rte_errno));
	return 0;
}

// ---- /slubq/info,<cache> ------------------------------------------------

rte_tel_data *node_dict(const slubq_node_info &n)
{
	rte_tel_data *d = new_dict();
	if (d == nullptr)
		return nullptr;
	rte_tel_data_add_dict_int(d, "real_socket", n.real_socket);
	rte_tel_data_add_dict_u64(d, "slabs_partial", n.slabs_partial);
	rte_tel_data_add_dict_u64(d, "slabs_full", n.slabs_full);
	rte_tel_data_add_dict_u64(d, "slabs_empty", n.slabs_empty);
	rte_tel_data_add_dict_u64(d, "objects", n.objects);
	rte_tel_data_add_dict_u64(d, "free_in_slabs", n.free_in_slabs);
	rte_tel_data_add_dict_u64(d, "shared_count", n.shared_count);
	rte_tel_data_add_dict_u64(d, "shared_size", n.shared_size);
	rte_tel_data_add_dict_u64(d, "alien_count", n.alien_count);
	rte_tel_data_add_dict_u64(d, "alien_size", n.alien_size);
	rte_tel_data_add_dict_u64(d, "mem_bytes", n.mem_bytes);
	rte_tel_data_add_dict_u64(d, "magazine_exchanges", n.magazine_exchanges);
	rte_tel_data_add_dict_u64(d, "reclaimed", n.reclaimed);
	rte_tel_data_add_dict_u64(d, "lock_repairs", n.lock_repairs);
	rte_tel_data_add_dict_u64(d, "lock_acquisitions", n.lock_acquisitions);
	return d;
}

// Every lcore whose queue is in use: its socket, fill and applied size
// (which lags the published queue_size until the lcore's next slow path).
struct lcore_fill {
	unsigned lcore;
	std::uint32_t socket, count, size;
};

std::vector<lcore_fill> lcore_fills(const slubq_cache *c)
{
	std::vector<lcore_fill> v;
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
		std::uint32_t count, size;
		if (slubq_cache_queue_fill(c, lc, &count, &size) == 1)
			v.push_back({lc, c->topo.lcore_socket[lc], count, size});
	}
	return v;
}

rte_tel_data *lcore_queues_dict(const std::vector<lcore_fill> &fills)
{
	rte_tel_data *d = new_dict();
	if (d == nullptr)
		return nullptr;
	for (const lcore_fill &f : fills) {
		rte_tel_data *q = new_dict();
		if (q == nullptr)
			break;
		rte_tel_data_add_dict_u64(q, "socket", f.socket);
		rte_tel_data_add_dict_u64(q, "count", f.count);
		rte_tel_data_add_dict_u64(q, "size", f.size);
		add_child(d, std::to_string(f.lcore).c_str(), q);
	}
	return d;
}

// Where a driver-created cache's tunables came from (the mempool driver
// records it): the SLUBQ_CONFIG file and rule, the environment entries.
rte_tel_data *origin_dict(const char *cache)
{
	slubq_pool_origin o;
	if (slubq_pool_origin_get(cache, &o) < 0)
		return nullptr;
	rte_tel_data *d = new_dict();
	if (d == nullptr)
		return nullptr;
	rte_tel_data_add_dict_string(d, "sources", o.sources);
	if (o.file[0] != '\0') {
		rte_tel_data_add_dict_string(d, "file", o.file);
		rte_tel_data_add_dict_u64(d, "line", o.line);
		rte_tel_data_add_dict_u64(d, "column", o.column);
		rte_tel_data_add_dict_string(d, "rule", o.rule);
		rte_tel_data_add_dict_string(d, "match", o.match);
		rte_tel_data_add_dict_string(d, "settings", o.settings);
	}
	if (o.env[0] != '\0')
		rte_tel_data_add_dict_string(d, "env", o.env);
	return d;
}

int cmd_info(const char *, const char *params, rte_tel_data *d)
{
	std::string_view name = params ? params : "";
	slubq_cache_info info;
	std::vector<lcore_fill> fills;
	{
		// Read while held; the reply is built after.
		held_cache held(name, d);
		if (held.c == nullptr)
			return 0;
		if (slubq_cache_get_info(held.c, &info) < 0)
			return reply_error(d, std::string("cannot read the cache: ") + rte_strerror(rte_errno));
		fills = lcore_fills(held.c);
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", std::string(name).c_str());
	rte_tel_data_add_dict_string(d, "cache", info.name);
	rte_tel_data_add_dict_u64(d, "refcnt", info.refcnt);
	rte_tel_data_add_dict_string(d, "source", info.source == SLUBQ_SOURCE_FIXED ? "fixed" : "elastic");
	rte_tel_data_add_dict_u64(d, "flags", info.flags);
	rte_tel_data_add_dict_string(d, "flag_names", flag_names(info.flags).c_str());
	rte_tel_data_add_dict_u64(d, "obj_size", info.obj_size);
	rte_tel_data_add_dict_u64(d, "align", info.align);
	rte_tel_data_add_dict_u64(d, "slot_size", info.slot_size);
	rte_tel_data_add_dict_u64(d, "slab_size", info.slab_size);
	rte_tel_data_add_dict_u64(d, "slab_objs", info.slab_objs);
	rte_tel_data_add_dict_u64(d, "queue_size", info.queue_size);
	rte_tel_data_add_dict_u64(d, "batch", info.batch);
	rte_tel_data_add_dict_u64(d, "shared_size", info.shared_size);
	rte_tel_data_add_dict_u64(d, "alien_size", info.alien_size);
	rte_tel_data_add_dict_u64(d, "mem_limit", info.mem_limit);
	rte_tel_data_add_dict_u64(d, "sockets", info.nr_sockets);
	rte_tel_data_add_dict_u64(d, "objects", info.total);
	rte_tel_data_add_dict_u64(d, "available", info.available);
	// A snapshot taken while lcores run may see an object twice in flight.
	rte_tel_data_add_dict_u64(d, "in_use", info.total > info.available ? info.total - info.available : 0);
	rte_tel_data_add_dict_u64(d, "in_queues", info.in_queues);
	rte_tel_data_add_dict_u64(d, "mem_bytes", info.mem_bytes);
	rte_tel_data *nodes = new_dict();
	for (unsigned s = 0; nodes != nullptr && s < info.nr_sockets; s++)
		add_child(nodes, std::to_string(s).c_str(), node_dict(info.node[s]));
	add_child(d, "nodes", nodes);
	add_child(d, "lcores", lcore_queues_dict(fills));
	add_child(d, "config", origin_dict(info.name));
	return 0;
}

// ---- /slubq/stats,<cache>[,<lcore>] -------------------------------------

struct counter {
	const char *name;
	std::uint64_t slubq_stats::*field;
	bool per_lcore; // false: kept by the nodes or the cache, total only
};
constexpr counter counters[] = {
	{"alloc_fast", &slubq_stats::alloc_fast, true},
	{"alloc_slow", &slubq_stats::alloc_slow, true},
	{"free_fast", &slubq_stats::free_fast, true},
	{"free_slow", &slubq_stats::free_slow, true},
	{"refills", &slubq_stats::refills, true},
	{"flushes", &slubq_stats::flushes, true},
	{"alien_sent", &slubq_stats::alien_sent, true},
	{"alien_flushes", &slubq_stats::alien_flushes, true},
	{"remote_allocs", &slubq_stats::remote_allocs, true},
	{"alloc_fail", &slubq_stats::alloc_fail, true},
	{"alien_received", &slubq_stats::alien_received, false},
	{"slabs_grown", &slubq_stats::slabs_grown, false},
	{"slabs_freed", &slubq_stats::slabs_freed, false},
	{"locked_ops", &slubq_stats::locked_ops, false},
	{"debug_errors", &slubq_stats::debug_errors, false},
	{"injected_faults", &slubq_stats::injected_faults, false},
	{"node_locks", &slubq_stats::node_locks, false},
};

// Bytes of `"name":value,` in DPDK's JSON output.
std::size_t json_entry_len(const char *name, std::uint64_t v)
{
	return std::strlen(name) + std::to_string(v).size() + 4;
}

// Fills a dict with the counters; returns its JSON size.
std::size_t counters_dict(rte_tel_data *d, const slubq_stats &s, bool lcore)
{
	std::size_t len = 2;
	for (const auto &k : counters) {
		if (lcore && !k.per_lcore)
			continue;
		rte_tel_data_add_dict_u64(d, k.name, s.*k.field);
		len += json_entry_len(k.name, s.*k.field);
	}
	return len;
}

bool any_activity(const slubq_stats &s)
{
	for (const auto &k : counters)
		if (k.per_lcore && s.*k.field != 0)
			return true;
	return false;
}

int cmd_stats(const char *, const char *params, rte_tel_data *d)
{
	std::string_view all = params ? params : "", name = all, tail;
	int only = -1;
	// "<cache>,<lcore>" unless the whole string names a cache.
	if (split_last(all, name, tail) && (all.size() >= SLUBQ_NAMESIZE || !registry_exists() ||
					     slubq_cache_lookup(std::string(all).c_str()) == nullptr)) {
		std::uint64_t lc;
		if (!parse_u64(tail, lc) || lc >= RTE_MAX_LCORE)
			return reply_error(d, "bad lcore '" + echo(tail) + "' (0.." + std::to_string(RTE_MAX_LCORE - 1) +
						      "); usage: /slubq/stats,<cache>[,<lcore>]");
		only = int(lc);
	} else {
		name = all;
	}
	slubq_stats total;
	std::string cache;
	std::vector<std::pair<unsigned, slubq_stats>> per_lcore;
	{
		// Read while held; the reply is built after.
		held_cache held(name, d);
		slubq_cache *c = held.c;
		if (c == nullptr)
			return 0;
		if (slubq_cache_stats(c, -1, &total) < 0)
			return reply_error(d, std::string("cannot read the statistics: ") + rte_strerror(rte_errno));
		cache = slubq_cache_name(c);
		for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
			if (only >= 0 && lc != unsigned(only))
				continue;
			slubq_stats s;
			if (slubq_cache_stats(c, int(lc), &s) < 0 ||
			    (only < 0 && !any_activity(s) && slubq_cache_queue_fill(c, lc, nullptr, nullptr) != 1))
				continue;
			per_lcore.emplace_back(lc, s);
		}
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", std::string(name).c_str());
	rte_tel_data_add_dict_string(d, "cache", cache.c_str());
	rte_tel_data_add_dict_u64(d, "time_ns", now_ns());
	rte_tel_data_add_dict_u64(d, "stats_enabled", SLUBQ_STATS);
	rte_tel_data *t = new_dict();
	if (t != nullptr)
		counters_dict(t, total, false);
	add_child(d, "total", t);
	rte_tel_data *lcores = new_dict();
	std::size_t used = 0;
	unsigned omitted = 0;
	for (const auto &[lc, s] : per_lcore) {
		if (lcores == nullptr)
			break;
		rte_tel_data *one = new_dict();
		if (one == nullptr)
			break;
		std::string key = std::to_string(lc);
		std::size_t len = counters_dict(one, s, true) + key.size() + 4;
		if (used + len > lcore_budget) {
			rte_tel_data_free(one);
			omitted++;
			continue;
		}
		used += len;
		add_child(lcores, key.c_str(), one);
	}
	add_child(d, "lcores", lcores);
	if (omitted)
		rte_tel_data_add_dict_u64(d, "lcores_omitted", omitted);
	return 0;
}

// ---- /slubq/set,<cache>,<key>=<value> -----------------------------------

int cmd_set(const char *, const char *params, rte_tel_data *d)
{
	set_request req;
	std::string err;
	if (!parse_set(params, req, err))
		return reply_error(d, err);
	held_cache held(req.cache, d);
	slubq_cache *c = held.c;
	if (c == nullptr)
		return 0;
	slubq_tunable key;
	if (slubq_tunable_from_name(req.key.c_str(), &key) < 0)
		return reply_error(d, "unknown key '" + echo(req.key) + "' (queue, batch, shared, alien, limit)");
	std::uint64_t value, previous = 0;
	if (!parse_u64(req.value, value))
		return reply_error(d, "bad value '" + echo(req.value) + "' for " + tunable_name(key) +
					      " (an unsigned number, k/m/g suffix allowed)");
	slubq_cache_get(c, key, &previous);
	if (slubq_cache_set(c, key, value) < 0) {
		int e = rte_errno;
		std::string why = rte_strerror(e);
		if (key == SLUBQ_TUNE_BATCH && e == EINVAL) {
			std::uint64_t q = 0;
			slubq_cache_get(c, SLUBQ_TUNE_QUEUE_SIZE, &q);
			why = "batch must be 1.." + std::to_string(q ? q : 1) + " (the queue size)";
		} else if (key != SLUBQ_TUNE_MEM_LIMIT && e == EINVAL) {
			why = std::string(tunable_name(key)) + " must be 0.." + std::to_string(SLUBQ_MAX_QUEUE);
		} else if (key == SLUBQ_TUNE_MEM_LIMIT && e == ENOTSUP) {
			why = "limit applies to elastic caches only";
		}
		return reply_error(d, "cannot set " + std::string(tunable_name(key)) + "=" + echo(req.value) + ": " + why);
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", req.cache.c_str());
	rte_tel_data_add_dict_string(d, "key", tunable_name(key));
	rte_tel_data_add_dict_u64(d, "previous", previous);
	std::uint64_t now = 0;
	slubq_cache_get(c, key, &now);
	rte_tel_data_add_dict_u64(d, "value", now);
	// Every tunable after the change: setting the queue size may lower batch.
	for (int k = 0; k < SLUBQ_TUNE_MAX; k++) {
		std::uint64_t v = 0;
		if (slubq_cache_get(c, slubq_tunable(k), &v) == 0)
			rte_tel_data_add_dict_u64(d, (std::string("tunable_") + tunable_name(slubq_tunable(k))).c_str(), v);
	}
	SLUBQ_LOG(INFO, "telemetry: cache %s: %s %" PRIu64 " -> %" PRIu64, slubq_cache_name(c), tunable_name(key),
		  previous, now);
	return 0;
}

// ---- /slubq/shrink,<cache> ----------------------------------------------

int cmd_shrink(const char *, const char *params, rte_tel_data *d)
{
	std::string_view name = params ? params : "";
	held_cache held(name, d);
	slubq_cache *c = held.c;
	if (c == nullptr)
		return 0;
	std::int64_t freed = slubq_cache_shrink(c);
	if (freed < 0)
		return reply_error(d, std::string("shrink failed: ") + rte_strerror(rte_errno));
	slubq_cache_info info;
	slubq_cache_get_info(c, &info);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", std::string(name).c_str());
	rte_tel_data_add_dict_u64(d, "freed_bytes", std::uint64_t(freed));
	rte_tel_data_add_dict_u64(d, "mem_bytes", info.mem_bytes);
	rte_tel_data_add_dict_u64(d, "objects", info.total);
	rte_tel_data_add_dict_u64(d, "available", info.available);
	return 0;
}

// Help texts are limited to RTE_TEL_MAX_STRING_LEN.
struct command {
	const char *name;
	telemetry_cb fn;
	const char *help;
};
constexpr command commands[] = {
	{"/slubq/list", cmd_list, "Names of all slubq caches (aliases too). No parameters"},
	{"/slubq/info", cmd_info, "Sizes, tunables, per-socket slabs and queues, lcore queue fill. Parameter: cache"},
	{"/slubq/stats", cmd_stats, "Counters, total and per lcore. Parameters: cache[,lcore]"},
	{"/slubq/set", cmd_set, "Change a tunable. Parameters: cache,key=value (key: queue, batch, shared, alien, limit)"},
	{"/slubq/shrink", cmd_shrink, "Give free memory back. Parameter: cache"},
};

} // namespace

int run_command(const char *cmd, const char *params, rte_tel_data *d)
{
	for (const auto &c : commands)
		if (std::strcmp(c.name, cmd) == 0)
			return c.fn(cmd, params, d);
	return fail(EINVAL);
}

} // namespace slubq::tel

RTE_INIT(slubq_telemetry_register)
{
	for (const auto &c : slubq::tel::commands)
		rte_telemetry_register_cmd(c.name, c.fn, c.help);
}
