/* SPDX-License-Identifier: BSD-3-Clause */
// The C API of slubq_config.h over the C++ configuration layer.
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include "common/log.hpp"
#include "config/config.hpp"
#include "config/slubq_config.h"

using namespace slubq;
using namespace slubq::config;

struct slubq_config {
	slubq::config::config cfg;
	slubq::config::applied done;
};

namespace {

// snprintf-like copy: returns the full length.
int copy_out(const std::string &s, char *buf, std::size_t len)
{
	if (buf != nullptr && len > 0)
		std::snprintf(buf, len, "%s", s.c_str());
	return int(s.size());
}

std::string joined(const std::vector<std::string> &lines)
{
	std::string s;
	for (const auto &l : lines)
		s += l + "\n";
	return s;
}

int load_result(int rc, std::unique_ptr<slubq_config> &c, const std::vector<std::string> &errors,
		struct slubq_config **out, char *err, std::size_t errlen)
{
	if (rc < 0) {
		copy_out(joined(errors), err, errlen);
		return fail(-rc);
	}
	copy_out("", err, errlen);
	*out = c.release();
	return 0;
}

const estimate *estimate_at(const std::vector<per_socket_estimate> &v, unsigned idx, unsigned socket)
{
	if (idx >= v.size() || socket >= SLUBQ_MAX_SOCKETS || !v[idx][socket].present)
		return nullptr;
	return &v[idx][socket];
}

void to_c(const estimate &e, slubq_config_estimate *out)
{
	out->rx_objs = e.rx;
	out->tx_objs = e.tx;
	out->queue_objs = e.queues;
	out->burst_objs = e.bursts;
	out->ring_objs = e.rings;
	out->alien_objs = e.alien;
	out->need = e.need;
	out->count = e.count;
	out->slot_size = e.slot_size;
	out->slab_size = e.slab_size;
	out->slab_objs = e.slab_objs;
	out->obj_bytes = e.obj_bytes;
	out->overhead_bytes = e.overhead_bytes;
	out->total_bytes = e.total_bytes;
	out->hugepages = e.hugepages;
}

std::string lcores_of_socket(const topology &t, unsigned s)
{
	std::string out;
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++)
		if (t.lcore_socket[lc] == int(s))
			out += (out.empty() ? "" : ",") + std::to_string(lc);
	return out.empty() ? "none" : out;
}

} // namespace

extern "C" {

int slubq_config_load_file(const char *path, struct slubq_config **cfg, char *err, size_t errlen)
{
	if (path == nullptr || cfg == nullptr)
		return fail(EINVAL);
	*cfg = nullptr;
	std::unique_ptr<slubq_config> c(new (std::nothrow) slubq_config);
	if (!c)
		return fail(ENOMEM);
	std::vector<std::string> errors;
	int rc = load_file(path, c->cfg, errors);
	return load_result(rc, c, errors, cfg, err, errlen);
}

int slubq_config_load_string(const char *yaml, const char *name, struct slubq_config **cfg, char *err, size_t errlen)
{
	if (yaml == nullptr || cfg == nullptr)
		return fail(EINVAL);
	*cfg = nullptr;
	std::unique_ptr<slubq_config> c(new (std::nothrow) slubq_config);
	if (!c)
		return fail(ENOMEM);
	std::vector<std::string> errors;
	int rc = load_string(yaml, name ? name : "<string>", c->cfg, errors);
	return load_result(rc, c, errors, cfg, err, errlen);
}

void slubq_config_free(struct slubq_config *cfg)
{
	if (cfg == nullptr)
		return;
	release(cfg->done);
	delete cfg;
}

int slubq_config_warnings(const struct slubq_config *cfg, char *buf, size_t len)
{
	if (cfg == nullptr)
		return fail(EINVAL);
	copy_out(joined(cfg->cfg.warnings), buf, len);
	return int(cfg->cfg.warnings.size());
}

int slubq_config_dump(const struct slubq_config *cfg, char *buf, size_t len)
{
	if (cfg == nullptr)
		return fail(EINVAL);
	return copy_out(dump(cfg->cfg), buf, len);
}

int slubq_config_topology_get(const struct slubq_config *cfg, struct slubq_config_topology *t)
{
	if (cfg == nullptr || t == nullptr)
		return fail(EINVAL);
	const topology &tp = cfg->cfg.topo;
	t->mode = tp.mode == topo_mode::real ? SLUBQ_CONFIG_TOPO_REAL
		  : tp.mode == topo_mode::synthetic ? SLUBQ_CONFIG_TOPO_SYNTHETIC
						    : SLUBQ_CONFIG_TOPO_MAP;
	t->nr_sockets = tp.nr_sockets;
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++)
		t->lcore_socket[lc] = tp.lcore_socket[lc];
	return 0;
}

int slubq_config_topology_describe(const struct slubq_config *cfg, char *buf, size_t len)
{
	std::string s;
	if (cfg == nullptr) {
		std::string err;
		const machine_topology *m = hwloc_machine_real(err);
		if (m == nullptr) {
			copy_out(err, buf, len);
			return fail(ENODEV);
		}
		return copy_out(machine_describe(*m), buf, len);
	}
	const topology &t = cfg->cfg.topo;
	switch (t.mode) {
	case topo_mode::real:
		s = std::string("mode real: ") + (t.from_eal ? "the EAL's lcores and sockets" : "this machine, lcore i on cpu i") +
		    "\n";
		break;
	case topo_mode::synthetic:
		s = "mode synthetic (simulated on this machine)\n";
		break;
	case topo_mode::map:
		s = "mode map (simulated on this machine)\n";
		break;
	}
	if (!t.machine.pus.empty())
		s += machine_describe(t.machine);
	s += "slubq sockets: " + std::to_string(t.nr_sockets) + "\n";
	for (unsigned k = 0; k < t.nr_sockets; k++)
		s += "  socket " + std::to_string(k) + ": lcores " + lcores_of_socket(t, k) + "\n";
	return copy_out(s, buf, len);
}

unsigned int slubq_config_mempool_rule_count(const struct slubq_config *cfg)
{
	return cfg ? unsigned(cfg->cfg.mempools.size()) : 0;
}

int slubq_config_mempool_rule_find(const struct slubq_config *cfg, const char *pool_name,
				   struct slubq_config_mempool_rule *out)
{
	if (cfg == nullptr || pool_name == nullptr || out == nullptr)
		return fail(EINVAL);
	return mempool_rule_find(cfg->cfg, pool_name, *out);
}

unsigned int slubq_config_cache_count(const struct slubq_config *cfg)
{
	return cfg ? unsigned(cfg->cfg.caches.size()) : 0;
}

int slubq_config_cache_params(const struct slubq_config *cfg, unsigned int idx, struct slubq_cache_params *p)
{
	if (cfg == nullptr || p == nullptr || idx >= cfg->cfg.caches.size())
		return fail(EINVAL);
	*p = cache_params(cfg->cfg.caches[idx]);
	return 0;
}

unsigned int slubq_config_pool_count(const struct slubq_config *cfg)
{
	return cfg ? unsigned(cfg->cfg.pools.size()) : 0;
}

int slubq_config_pool_get(const struct slubq_config *cfg, unsigned int idx, struct slubq_config_pool *out)
{
	if (cfg == nullptr || out == nullptr || idx >= cfg->cfg.pools.size())
		return fail(EINVAL);
	const pool &p = cfg->cfg.pools[idx];
	std::memset(out, 0, sizeof(*out));
	out->name = p.name.c_str();
	out->data_room = std::uint16_t(p.data_room);
	out->priv_size = std::uint16_t(p.priv_size);
	out->mempool_cache = p.mempool_cache;
	out->auto_count = p.auto_count;
	for (unsigned s : p.sockets) {
		out->sockets[out->nr_sockets++] = int(s);
		out->count[s] = std::uint32_t(cfg->cfg.pool_est[idx][s].count);
	}
	out->tunables = pool_tunables(p);
	return 0;
}

int slubq_config_pool_find(const struct slubq_config *cfg, const char *name)
{
	if (cfg == nullptr || name == nullptr)
		return fail(EINVAL);
	for (std::size_t i = 0; i < cfg->cfg.pools.size(); i++)
		if (cfg->cfg.pools[i].name == name)
			return int(i);
	return fail(ENOENT);
}

int slubq_config_mempool_name(const struct slubq_config *cfg, unsigned int idx, unsigned int socket, char *buf,
			      size_t len)
{
	if (cfg == nullptr || buf == nullptr || idx >= cfg->cfg.pools.size())
		return fail(EINVAL);
	if (estimate_at(cfg->cfg.pool_est, idx, socket) == nullptr)
		return fail(ENOENT);
	std::string n = mempool_name(cfg->cfg.pools[idx], socket);
	if (n.size() >= len)
		return fail(ENOSPC);
	return copy_out(n, buf, len);
}

int slubq_config_sizing_get(const struct slubq_config *cfg, int pool, struct slubq_config_sizing *out)
{
	if (cfg == nullptr || out == nullptr || pool < -1 || (pool >= 0 && std::size_t(pool) >= cfg->cfg.pools.size()))
		return fail(EINVAL);
	const sizing &s = pool < 0 ? cfg->cfg.sz : cfg->cfg.pools[pool].sz;
	std::memset(out, 0, sizeof(*out));
	for (const auto &p : s.ports)
		out->port[out->nr_ports++] = {p.socket, p.rx_queues, p.tx_queues, p.rx_desc, p.tx_desc};
	for (unsigned lc : s.lcores)
		out->lcores[out->nr_lcores++] = lc;
	out->burst = s.burst;
	for (const auto &r : s.rings)
		out->ring[out->nr_rings++] = {r.name.c_str(), r.size, r.socket};
	out->headroom_pct = s.headroom_pct;
	out->hugepage_size = s.hugepage_size;
	return 0;
}

int slubq_config_pool_estimate(const struct slubq_config *cfg, unsigned int idx, unsigned int socket,
			       struct slubq_config_estimate *e)
{
	if (cfg == nullptr || e == nullptr)
		return fail(EINVAL);
	const estimate *x = estimate_at(cfg->cfg.pool_est, idx, socket);
	if (x == nullptr)
		return fail(ENOENT);
	to_c(*x, e);
	return 0;
}

int slubq_config_cache_estimate(const struct slubq_config *cfg, unsigned int idx, unsigned int socket,
				struct slubq_config_estimate *e)
{
	if (cfg == nullptr || e == nullptr)
		return fail(EINVAL);
	const estimate *x = estimate_at(cfg->cfg.cache_est, idx, socket);
	if (x == nullptr)
		return fail(ENOENT);
	to_c(*x, e);
	return 0;
}

int slubq_config_apply_topology(struct slubq_config *cfg, char *err, size_t errlen)
{
	if (cfg == nullptr)
		return fail(EINVAL);
	std::string msg;
	int rc = apply_topology(cfg->cfg, cfg->done, msg);
	copy_out(msg, err, errlen);
	return rc < 0 ? fail(-rc) : 0;
}

int slubq_config_apply(struct slubq_config *cfg, const int *sockets, unsigned int nr_sockets, char *err,
		       size_t errlen)
{
	if (cfg == nullptr || (sockets == nullptr && nr_sockets != 0))
		return fail(EINVAL);
	std::vector<unsigned> list;
	for (unsigned i = 0; i < nr_sockets; i++) {
		if (sockets[i] < 0) {
			copy_out("socket " + std::to_string(sockets[i]) + " is not a socket", err, errlen);
			return fail(EINVAL);
		}
		list.push_back(unsigned(sockets[i]));
	}
	std::string msg;
	int rc = apply(cfg->cfg, nr_sockets ? &list : nullptr, cfg->done, msg);
	copy_out(msg, err, errlen);
	return rc < 0 ? fail(-rc) : rc;
}

struct rte_mempool *slubq_config_mempool(const struct slubq_config *cfg, const char *pool, unsigned int socket)
{
	if (cfg != nullptr && pool != nullptr)
		for (const auto &m : cfg->done.mempools)
			if (m.socket == socket && cfg->cfg.pools[m.pool].name == pool)
				return m.mp;
	return fail_null<rte_mempool>(ENOENT);
}

struct slubq_cache *slubq_config_cache(const struct slubq_config *cfg, const char *name)
{
	if (cfg != nullptr && name != nullptr)
		for (const auto &k : cfg->done.caches)
			if (k.first == name)
				return k.second;
	return fail_null<slubq_cache>(ENOENT);
}

int slubq_config_release(struct slubq_config *cfg)
{
	if (cfg == nullptr)
		return fail(EINVAL);
	release(cfg->done);
	return 0;
}

} // extern "C"
