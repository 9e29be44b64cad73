/* SPDX-License-Identifier: BSD-3-Clause */
#include "config_pools.hpp"

#include <algorithm>
#include <cstdio>
#include <sys/stat.h>
#include <slubq_config.h>

namespace fwd {

namespace {

constexpr const char *default_config = "config/default.yaml";

slubq_config *loaded; // the YAML of this run (owns the pools it applied)

bool file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

std::vector<unsigned> logical_sockets_of(const lcore_plan &plan)
{
	std::vector<unsigned> s{slubq_topology_lcore_socket(rte_get_main_lcore())};
	for (unsigned lc : plan.lcores)
		s.push_back(slubq_topology_lcore_socket(lc));
	std::sort(s.begin(), s.end());
	s.erase(std::unique(s.begin(), s.end()), s.end());
	return s;
}

// slubq, real or no simulation asked: the YAML layer creates topology,
// caches and pools itself, on the logical sockets of our lcores.
int apply_whole_config(const std::string &path, const lcore_plan &plan, pool_set &out)
{
	char err[4096] = "";
	if (slubq_config_apply_topology(loaded, err, sizeof(err)) < 0) {
		std::fprintf(stderr, "slubq-fwd: %s\n", err);
		return -1;
	}
	std::vector<unsigned> sockets = logical_sockets_of(plan);
	std::vector<int> list(sockets.begin(), sockets.end());
	int rc = slubq_config_apply(loaded, list.data(), unsigned(list.size()), err, sizeof(err));
	if (rc < 0) {
		std::fprintf(stderr, "slubq-fwd: %s: %s\n", path.c_str(), err[0] ? err : rte_strerror(-rc));
		return -1;
	}
	out.logical_sockets = true;
	for (unsigned i = 0; i < slubq_config_pool_count(loaded); i++) {
		slubq_config_pool p;
		slubq_config_pool_get(loaded, i, &p);
		for (unsigned s : sockets) {
			rte_mempool *mp = slubq_config_mempool(loaded, p.name, s);
			if (mp == nullptr)
				continue;
			out.pools.push_back({mp, int(s), false, i == 0});
			std::printf("Pool %s (%s): %u mbufs of %u bytes on socket %u (real %d), driver slubq, mempool cache "
				    "%u%s\n",
				    mp->name, path.c_str(), mp->size, unsigned(p.data_room), s, mp->socket_id, p.mempool_cache,
				    i == 0 ? "" : " (not used by the forwarder)");
		}
	}
	return 0;
}

// Options that change the YAML's first pool.
bool overrides_pool(const options &o)
{
	return o.slubq_queue || o.slubq_batch || o.slubq_alien || o.nb_mbufs || o.mbuf_size || o.mbcache >= 0;
}

// Another mempool driver, --sockets on a YAML with the real topology, or
// options that override the pool: the YAML's first pool (name, size, data
// room, tunables, each overridable from the command line) built by us on
// each real socket, so a comparison runs the same pools.
int build_first_pool(const options &o, const std::string &path, const lcore_plan &plan,
		     const std::vector<int> &real_sockets, pool_set &out)
{
	char err[4096] = "";
	int rc = o.sockets ? simulate_sockets(o, plan) : slubq_config_apply_topology(loaded, err, sizeof(err));
	if (rc < 0) {
		if (err[0])
			std::fprintf(stderr, "slubq-fwd: %s\n", err);
		return -1;
	}
	slubq_config_pool p;
	slubq_config_pool_get(loaded, 0, &p);
	slubq_pool_config tunables = p.tunables;
	if (o.slubq_queue) {
		tunables.queue_size = o.slubq_queue;
		tunables.batch = 0; // half the queue unless --slubq-batch
	}
	if (o.slubq_batch)
		tunables.batch = o.slubq_batch;
	if (o.slubq_alien)
		tunables.alien_size = o.slubq_alien;
	if (slubq_config_pool_count(loaded) > 1 || slubq_config_cache_count(loaded) > 0)
		std::printf("Note: %s: only its first pool (%s) is created (--pool-ops, --sockets or a pool option given)\n",
			    path.c_str(), p.name);
	uint32_t largest = *std::max_element(p.count, p.count + SLUBQ_MAX_SOCKETS);
	std::vector<int> uniq(real_sockets);
	std::sort(uniq.begin(), uniq.end());
	uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
	out.logical_sockets = false;
	for (int s : uniq) {
		char name[RTE_MEMPOOL_NAMESIZE];
		if (slubq_config_mempool_name(loaded, 0, unsigned(s), name, sizeof(name)) < 0)
			std::snprintf(name, sizeof(name), "%s_s%d", p.name, s);
		pool_spec spec;
		spec.name = name;
		spec.count = o.nb_mbufs ? o.nb_mbufs : s < SLUBQ_MAX_SOCKETS && p.count[s] ? p.count[s] : largest;
		spec.data_room = o.mbuf_size ? o.mbuf_size : p.data_room;
		spec.priv_size = p.priv_size;
		spec.mempool_cache = o.mbcache >= 0 || o.pool_ops != "slubq" ? mempool_cache_size(o) : p.mempool_cache;
		spec.tunables = &tunables;
		if (create_pool(o, spec, s, s, true, out) != 0) {
			free_pools(out);
			return -1;
		}
	}
	return 0;
}

} // namespace

std::string config_path(const options &o)
{
	if (o.config_given)
		return o.config;
	return file_exists(default_config) ? default_config : "";
}

int load_config_pools(const options &o, const lcore_plan &plan, const std::vector<int> &real_sockets,
		      const pool_demand &d, pool_set &out)
{
	std::string path = config_path(o);
	if (path.empty())
		return 0;
	char err[8192] = "";
	if (slubq_config_load_file(path.c_str(), &loaded, err, sizeof(err)) < 0) {
		std::fprintf(stderr, "slubq-fwd: cannot load %s:\n%s\n", path.c_str(), err);
		return -1;
	}
	char warnings[4096];
	if (slubq_config_warnings(loaded, warnings, sizeof(warnings)) > 0)
		std::printf("%s: warnings:\n%s\n", path.c_str(), warnings);
	slubq_config_topology topo;
	slubq_config_topology_get(loaded, &topo);
	int rc = 0;
	if (slubq_config_pool_count(loaded) == 0) {
		std::fprintf(stderr, "slubq-fwd: %s describes no mbuf pool (pools:)\n", path.c_str());
		rc = -1;
	} else if (o.sockets && topo.mode != SLUBQ_CONFIG_TOPO_REAL) {
		std::fprintf(stderr, "slubq-fwd: --sockets %u and the topology of %s disagree: use one of them\n",
			     o.sockets, path.c_str());
		rc = -1;
	} else if (o.pool_ops == "slubq" && o.sockets == 0 && !overrides_pool(o)) {
		rc = apply_whole_config(path, plan, out);
	} else {
		rc = build_first_pool(o, path, plan, real_sockets, out);
	}
	if (rc < 0) {
		free_config_pools();
		return -1;
	}
	// The file's sizing inputs describe a deployment; say so when this run
	// (more ports, queues or lcores) can hold more mbufs than its pools have.
	unsigned need = pool_need(o, d), have = 0;
	for (const auto &p : out.pools)
		if (p.primary)
			have += p.mp->size;
	if (have < need)
		std::printf("Warning: %s: %u mbufs in pool %s; this run can hold up to %u at once (descriptors, lcore "
			    "queues, rings): raise `count` or the sizing inputs\n",
			    path.c_str(), have, out.pools.front().mp->name, need);
	return 1;
}

void free_config_pools()
{
	slubq_config_free(loaded); // frees the pools and caches it applied
	loaded = nullptr;
}

} // namespace fwd
