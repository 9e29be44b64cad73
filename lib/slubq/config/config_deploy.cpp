/* SPDX-License-Identifier: BSD-3-Clause */
// The deployment file inside a stock DPDK application: the mempool plugin
// dlopens this library when SLUBQ_CONFIG names a file, and asks, for each
// rte_mempool created on the driver, which `mempools:` rule applies. The
// file is loaded once per process (its topology simulated then); errors
// are logged as file:line:col and fail every pool creation; rules that
// configured no pool are logged at exit.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fnmatch.h>
#include <mutex>
#include <set>
#include <string>
#include <vector>
#include <rte_errno.h>
#include <rte_eal.h>
#include "common/log.hpp"
#include "config/config.hpp"
#include "config/slubq_config.h"

namespace slubq::config {

namespace {

struct deploy_state {
	std::mutex mu;
	bool loaded = false;
	int rc = 0;                                // of the load (and topology)
	std::string path;
	config cfg;
	std::vector<std::set<std::string>> pools;  // per rule: the pools it configured

	~deploy_state() { report_unused(); }

	// At exit: rules that matched no pool of this process.
	void report_unused()
	{
		if (!loaded || rc < 0)
			return;
		for (std::size_t i = 0; i < cfg.mempools.size(); i++) {
			const mempool_rule &r = cfg.mempools[i];
			if (pools[i].empty())
				SLUBQ_LOG(INFO, "%s:%u:%u: mempools[%zu]: rule '%s' matched no mempool of this process",
					  path.c_str(), r.pos.line, r.pos.column, i, r.match.c_str());
		}
	}
};

deploy_state &state()
{
	static deploy_state s;
	return s;
}

// What a rule sets, as "key=value ..." (for logs and telemetry).
std::string settings_of(const mempool_rule &r)
{
	std::string s;
	auto add = [&s](const std::string &kv) { s += (s.empty() ? "" : " ") + kv; };
	if (r.queue_size)
		add("queue_size=" + (*r.queue_size ? std::to_string(*r.queue_size) : std::string("off")));
	if (r.batch)
		add("batch=" + (*r.batch ? std::to_string(*r.batch) : std::string("auto")));
	if (r.shared_size)
		add("shared_size=" + std::to_string(*r.shared_size));
	if (r.alien_size)
		add("alien_size=" + std::to_string(*r.alien_size));
	if (r.slab_objs)
		add("slab_objs=" + std::to_string(*r.slab_objs));
	if (r.debug) {
		std::string d;
		for (const auto &name : debug_flag_names(*r.debug))
			d += (d.empty() ? "" : ",") + name;
		add("debug=" + (d.empty() ? std::string("none") : d));
	}
	if (r.no_alien)
		add(std::string("no_alien=") + (*r.no_alien ? "true" : "false"));
	if (r.faults)
		add("fault_injection=every_n:" + std::to_string(r.fault_every_n) + ",probability_ppm:" +
		    std::to_string(r.fault_ppm) + ",seed:" + std::to_string(r.fault_seed));
	return s;
}

// Load the file and set its topology; 0 or a negative errno (logged).
int load(deploy_state &st)
{
	std::vector<std::string> errors;
	int rc = load_file(st.path, st.cfg, errors);
	if (rc < 0) {
		for (const auto &e : errors)
			SLUBQ_LOG(ERR, "%s=%s: %s", SLUBQ_CONFIG_ENV, st.path.c_str(), e.c_str());
		SLUBQ_LOG(ERR, "%s=%s: %zu problem(s); no mempool is created on the slubq driver", SLUBQ_CONFIG_ENV,
			  st.path.c_str(), errors.size());
		return rc;
	}
	st.pools.assign(st.cfg.mempools.size(), {});
	for (const auto &w : st.cfg.warnings)
		SLUBQ_LOG(WARNING, "%s: %s", st.path.c_str(), w.c_str());
	if (st.cfg.defaults_given)
		SLUBQ_LOG(NOTICE, "%s: its defaults apply to its caches and pools; a mempools: rule sets only the keys "
			  "it lists (the driver's defaults for the rest)", st.path.c_str());
	if (!st.cfg.caches.empty() || !st.cfg.pools.empty())
		SLUBQ_LOG(NOTICE, "%s: %zu cache(s) and %zu pool(s) are created by slubq applications only "
			  "(slubq-fwd --config); in this application its mempools: rules apply",
			  st.path.c_str(), st.cfg.caches.size(), st.cfg.pools.size());
	if (st.cfg.topo.mode != topo_mode::real && rte_eal_process_type() == RTE_PROC_PRIMARY) {
		applied a;
		std::string err;
		rc = apply_topology(st.cfg, a, err);
		if (rc < 0) {
			SLUBQ_LOG(ERR, "%s", err.c_str());
			return rc;
		}
		SLUBQ_LOG(NOTICE, "%s: topology %s: %u simulated socket(s)", st.path.c_str(),
			  st.cfg.topo.mode == topo_mode::synthetic ? ("'" + st.cfg.topo.synthetic + "'").c_str() : "map",
			  st.cfg.topo.nr_sockets);
	}
	SLUBQ_LOG(NOTICE, "%s: loaded, %zu mempool rule(s)", st.path.c_str(), st.cfg.mempools.size());
	return 0;
}

void copy(char *dst, std::size_t len, const std::string &s) { std::snprintf(dst, len, "%s", s.c_str()); }


// Index of the first rule that matches pool_name, or -1.
long find_rule(const config &c, const char *pool_name)
{
	for (std::size_t i = 0; i < c.mempools.size(); i++)
		if (fnmatch(c.mempools[i].match.c_str(), pool_name, 0) == 0)
			return long(i);
	return -1;
}

// What rule i sets, as the driver takes it.
void fill_rule(const config &c, std::size_t i, slubq_config_mempool_rule &out)
{
	const mempool_rule &r = c.mempools[i];
	std::memset(&out, 0, sizeof(out));
	slubq_pool_config &t = out.cfg;
	if (r.queue_size)
		t.queue_size = *r.queue_size ? *r.queue_size : SLUBQ_QUEUE_OFF;
	if (r.batch)
		t.batch = *r.batch;
	if (r.shared_size)
		t.shared_size = *r.shared_size;
	if (r.alien_size)
		t.alien_size = *r.alien_size;
	if (r.slab_objs)
		t.slab_objs = *r.slab_objs;
	if (r.debug)
		t.flags |= *r.debug;
	if (r.no_alien && *r.no_alien)
		t.flags |= SLUBQ_F_NO_ALIEN;
	out.faults = r.faults;
	out.fault_every_n = r.fault_every_n;
	out.fault_ppm = r.fault_ppm;
	out.fault_seed = r.fault_seed;
	slubq_pool_origin &o = out.origin;
	copy(o.file, sizeof(o.file), c.file);
	o.line = r.pos.line;
	o.column = r.pos.column;
	copy(o.rule, sizeof(o.rule), "mempools[" + std::to_string(i) + "]");
	copy(o.match, sizeof(o.match), r.match);
	copy(o.settings, sizeof(o.settings), settings_of(r));
}

} // namespace

} // namespace slubq::config

using namespace slubq::config;

extern "C" int slubq_config_mempool_rule_get(const char *path, const char *pool_name, uint32_t queue_size,
					     struct slubq_config_mempool_rule *out)
{
	if (path == nullptr || path[0] == '\0' || pool_name == nullptr || out == nullptr)
		return slubq::fail(EINVAL);
	deploy_state &st = state();
	std::lock_guard<std::mutex> lock(st.mu);
	if (!st.loaded) {
		st.loaded = true;
		st.path = path;
		st.rc = load(st);
	} else if (st.path != path) {
		SLUBQ_LOG(ERR, "%s changed from %s to %s in this process; the first one applies", SLUBQ_CONFIG_ENV,
			  st.path.c_str(), path);
	}
	if (st.rc < 0) {
		SLUBQ_LOG(ERR, "mempool %s: %s=%s has errors (logged when it was loaded): not created", pool_name,
			  SLUBQ_CONFIG_ENV, st.path.c_str());
		return slubq::fail(-st.rc);
	}
	long i = find_rule(st.cfg, pool_name);
	if (i < 0)
		return 0;
	const mempool_rule &r = st.cfg.mempools[std::size_t(i)];
	fill_rule(st.cfg, std::size_t(i), *out);
	// A batch without a queue size of the rule meets the pool's own queue.
	std::uint32_t b = out->cfg.batch, q = r.queue_size ? out->cfg.queue_size : queue_size;
	if (b != 0 && (q == SLUBQ_QUEUE_OFF || q == 0 || b > q)) {
		std::string what = q == SLUBQ_QUEUE_OFF || q == 0 ? std::string("the pool has no lcore queue")
								  : "larger than the pool's queue " + std::to_string(q);
		SLUBQ_LOG(ERR, "%s",
			  format_diagnostic(st.path, {r.batch_pos, "mempools[" + std::to_string(i) + "].batch",
						      "batch " + std::to_string(b) + " for mempool " + pool_name + ": " +
							      what + " (set queue_size in the rule too)"})
				  .c_str());
		return slubq::fail(EINVAL);
	}
	if (st.pools[std::size_t(i)].insert(pool_name).second)
		SLUBQ_LOG(INFO, "mempool %s: %s:%u:%u: mempools[%ld] '%s': %s", pool_name, st.path.c_str(), r.pos.line,
			  r.pos.column, i, r.match.c_str(), out->origin.settings);
	return 1;
}

int slubq::config::mempool_rule_find(const config &c, const char *pool_name, slubq_config_mempool_rule &out)
{
	long i = find_rule(c, pool_name);
	if (i < 0)
		return slubq::fail(ENOENT);
	fill_rule(c, std::size_t(i), out);
	return int(i);
}
