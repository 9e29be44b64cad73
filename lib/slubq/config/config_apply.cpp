/* SPDX-License-Identifier: BSD-3-Clause */
// Make a configuration real: slubq's topology, the caches, and the mbuf
// pools on the "slubq" mempool driver. All or nothing.
#include <algorithm>
#include <cstring>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include "common/log.hpp"
#include "config/config.hpp"

namespace slubq::config {

namespace {

constexpr const char *ops_name = "slubq";

std::string errno_text(int e) { return rte_strerror(e < 0 ? -e : e); }

int create_caches(const config &c, applied &a, std::string &err)
{
	for (const auto &k : c.caches) {
		slubq_cache_params p = cache_params(k);
		slubq_cache *sc = slubq_cache_create(&p);
		if (sc == nullptr) {
			int e = rte_errno;
			err = c.file + ": cache " + k.name + ": cannot create: " + errno_text(e);
			return -e;
		}
		a.caches.emplace_back(k.name, sc);
		// 0 at creation means "default": no shared / alien queue is set after.
		int rc = 0;
		if (k.tune.shared_size == 0)
			rc = slubq_cache_set(sc, SLUBQ_TUNE_SHARED_SIZE, 0);
		if (rc == 0 && k.tune.alien_size == 0)
			rc = slubq_cache_set(sc, SLUBQ_TUNE_ALIEN_SIZE, 0);
		if (rc < 0) {
			err = c.file + ": cache " + k.name + ": cannot set its queue sizes: " + errno_text(rc);
			return rc;
		}
	}
	return 0;
}

int create_pools(const config &c, const std::vector<unsigned> *sockets, applied &a, std::string &err)
{
	const unsigned nr_sockets = slubq_topology_sockets();
	bool any = false;
	for (std::size_t i = 0; i < c.pools.size(); i++) {
		const pool &p = c.pools[i];
		for (unsigned s : p.sockets) {
			if (sockets && std::find(sockets->begin(), sockets->end(), s) == sockets->end())
				continue;
			if (!any && !slubq_ops_registered()) {
				err = "mempool driver '" + std::string(ops_name) + "' is not registered in this process: load "
				      "it with the EAL option -d librte_mempool_slubq.so (or link librte_mempool_slubq)";
				return -ENOTSUP;
			}
			any = true;
			std::string name = mempool_name(p, s);
			slubq_pool_config t = pool_tunables(p);
			int rc = slubq_pool_config_set(name.c_str(), &t);
			if (rc < 0) {
				err = c.file + ": pool " + name + ": cannot record its tunables: " + errno_text(rc);
				return rc;
			}
			// The memory of a (simulated) socket is on the real socket behind it.
			int real = slubq_topology_real_socket(s < nr_sockets ? s : 0);
			if (real < 0) {
				err = "slubq topology unavailable: " + errno_text(real);
				return real;
			}
			const estimate &e = c.pool_est[i][s];
			rte_mempool *mp = rte_pktmbuf_pool_create_by_ops(name.c_str(), unsigned(e.count), p.mempool_cache,
									 std::uint16_t(p.priv_size),
									 std::uint16_t(p.data_room), real, ops_name);
			if (mp == nullptr) {
				int err_no = rte_errno;
				slubq_pool_config_set(name.c_str(), nullptr);
				err = c.file + ": pool " + name + " (" + std::to_string(e.count) + " mbufs on socket " +
				      std::to_string(real) + "): cannot create: " + errno_text(err_no);
				return -(err_no ? err_no : ENOMEM);
			}
			a.mempools.push_back({i, s, name, mp});
			SLUBQ_LOG(INFO, "config %s: mempool %s: %llu mbufs of %u B on socket %d", c.file.c_str(),
				  name.c_str(), (unsigned long long)e.count, p.data_room, real);
		}
	}
	return 0;
}

} // namespace

bool slubq_ops_registered()
{
	for (unsigned i = 0; i < rte_mempool_ops_table.num_ops; i++)
		if (std::strcmp(rte_mempool_ops_table.ops[i].name, ops_name) == 0)
			return true;
	return false;
}

int apply_topology(const config &c, applied &a, std::string &err)
{
	if (rte_lcore_count() == 0) {
		err = "the EAL is not initialised (call rte_eal_init() first)";
		return -ENODEV;
	}
	int rc;
	if (c.topo.mode == topo_mode::real) {
		rc = slubq_topology_reset();
		if (rc == 0)
			hwloc_crosscheck_eal();
	} else {
		std::vector<int> map = simulate_map(c.topo);
		rc = slubq_topology_simulate(c.topo.nr_sockets, map.data());
	}
	if (rc < 0) {
		err = c.file + ": cannot set the topology: " + errno_text(rc);
		return rc;
	}
	a.topology = true;
	a.simulated = c.topo.mode != topo_mode::real;
	return 0;
}

int apply(const config &c, const std::vector<unsigned> *sockets, applied &a, std::string &err)
{
	if (!a.empty()) {
		err = c.file + ": already applied (release it first)";
		return -EEXIST;
	}
	if (sockets)
		for (unsigned s : *sockets)
			if (s >= c.topo.nr_sockets) {
				err = c.file + ": socket " + std::to_string(s) + " is not in the topology (" +
				      std::to_string(c.topo.nr_sockets) + " sockets)";
				return -EINVAL;
			}
	int rc = apply_topology(c, a, err);
	if (rc == 0)
		rc = create_caches(c, a, err);
	if (rc == 0)
		rc = create_pools(c, sockets, a, err);
	if (rc < 0) {
		release(a);
		return rc;
	}
	for (const auto &w : c.warnings)
		SLUBQ_LOG(WARNING, "config %s: %s", c.file.c_str(), w.c_str());
	return int(a.mempools.size());
}

void release(applied &a)
{
	for (auto it = a.mempools.rbegin(); it != a.mempools.rend(); ++it) {
		rte_mempool_free(it->mp);
		slubq_pool_config_set(it->name.c_str(), nullptr);
	}
	a.mempools.clear();
	for (auto it = a.caches.rbegin(); it != a.caches.rend(); ++it)
		slubq_cache_destroy(it->second);
	a.caches.clear();
	if (a.simulated)
		slubq_topology_reset();
	a.topology = a.simulated = false;
}

} // namespace slubq::config
