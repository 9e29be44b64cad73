/* SPDX-License-Identifier: BSD-3-Clause */
// config -> YAML: the effective configuration, every default written out.
// Loading the output gives the same configuration (a unit test checks).
#include <yaml-cpp/yaml.h>
#include "config/config.hpp"

namespace slubq::config {

namespace {

YAML::Emitter &flow_list(YAML::Emitter &out, const std::vector<unsigned> &v)
{
	out << YAML::Flow << YAML::BeginSeq;
	for (unsigned x : v)
		out << x;
	return out << YAML::EndSeq;
}

void emit_debug(YAML::Emitter &out, std::uint32_t flags)
{
	out << YAML::Key << "debug" << YAML::Value << YAML::Flow << YAML::BeginSeq;
	for (const auto &name : debug_flag_names(flags))
		out << name;
	out << YAML::EndSeq;
}

// The tunables; `resolved` writes batch and shared_size as numbers,
// otherwise "auto" where they follow the queue size.
void emit_tunables(YAML::Emitter &out, const tunables &t, bool for_pool, bool resolved)
{
	out << YAML::Key << "queue_size" << YAML::Value << t.queue_size;
	// Without a queue there is no batch ("auto" keeps a reload valid).
	if ((!resolved && t.batch == 0) || (resolved && t.queue_size == 0))
		out << YAML::Key << "batch" << YAML::Value << "auto";
	else
		out << YAML::Key << "batch" << YAML::Value << t.batch;
	if (!resolved && t.shared_size == UINT32_MAX)
		out << YAML::Key << "shared_size" << YAML::Value << "auto";
	else
		out << YAML::Key << "shared_size" << YAML::Value << t.shared_size;
	out << YAML::Key << "alien_size" << YAML::Value << t.alien_size;
	out << YAML::Key << "slab_objs" << YAML::Value << t.slab_objs;
	emit_debug(out, t.debug);
	out << YAML::Key << "no_alien" << YAML::Value << t.no_alien;
	if (for_pool)
		return;
	out << YAML::Key << "mem_limit" << YAML::Value << t.mem_limit;
	out << YAML::Key << "align" << YAML::Value << t.align;
	out << YAML::Key << "dma" << YAML::Value << t.dma;
}

void emit_sizing(YAML::Emitter &out, const sizing &s)
{
	out << YAML::BeginMap;
	out << YAML::Key << "rx_queues" << YAML::Value << s.rx_queues;
	out << YAML::Key << "tx_queues" << YAML::Value << s.tx_queues;
	out << YAML::Key << "rx_desc" << YAML::Value << s.rx_desc;
	out << YAML::Key << "tx_desc" << YAML::Value << s.tx_desc;
	out << YAML::Key << "ports" << YAML::Value;
	if (s.ports.empty())
		out << YAML::Flow;
	out << YAML::BeginSeq;
	for (const auto &p : s.ports) {
		out << YAML::Flow << YAML::BeginMap;
		out << YAML::Key << "socket" << YAML::Value << p.socket;
		out << YAML::Key << "rx_queues" << YAML::Value << p.rx_queues;
		out << YAML::Key << "tx_queues" << YAML::Value << p.tx_queues;
		out << YAML::Key << "rx_desc" << YAML::Value << p.rx_desc;
		out << YAML::Key << "tx_desc" << YAML::Value << p.tx_desc;
		out << YAML::EndMap;
	}
	out << YAML::EndSeq;
	out << YAML::Key << "lcores" << YAML::Value;
	flow_list(out, s.lcores);
	out << YAML::Key << "burst" << YAML::Value << s.burst;
	out << YAML::Key << "rings" << YAML::Value;
	if (s.rings.empty())
		out << YAML::Flow;
	out << YAML::BeginSeq;
	for (const auto &r : s.rings) {
		out << YAML::Flow << YAML::BeginMap;
		out << YAML::Key << "name" << YAML::Value << r.name;
		out << YAML::Key << "size" << YAML::Value << r.size;
		out << YAML::Key << "socket" << YAML::Value << r.socket;
		out << YAML::EndMap;
	}
	out << YAML::EndSeq;
	out << YAML::Key << "headroom" << YAML::Value << s.headroom_pct;
	out << YAML::Key << "hugepage_size" << YAML::Value << s.hugepage_size;
	out << YAML::EndMap;
}

void emit_topology(YAML::Emitter &out, const topology &t)
{
	const std::string sockets = std::to_string(t.nr_sockets) + " socket(s)";
	out << YAML::BeginMap;
	switch (t.mode) {
	case topo_mode::real:
		out << YAML::Key << "mode" << YAML::Value << "real" << YAML::Comment(sockets);
		break;
	case topo_mode::synthetic:
		out << YAML::Key << "mode" << YAML::Value << "synthetic" << YAML::Comment(sockets);
		out << YAML::Key << "synthetic" << YAML::Value << YAML::DoubleQuoted << t.synthetic;
		if (!t.pu_lcores.empty()) {
			out << YAML::Key << "lcores" << YAML::Value;
			flow_list(out, t.pu_lcores);
		}
		break;
	case topo_mode::map:
		out << YAML::Key << "mode" << YAML::Value << "map" << YAML::Comment(sockets);
		out << YAML::Key << "map" << YAML::Value << YAML::BeginMap;
		for (std::size_t s = 0; s < t.map.size(); s++) {
			out << YAML::Key << s << YAML::Value;
			flow_list(out, t.map[s]);
		}
		out << YAML::EndMap;
		break;
	}
	out << YAML::EndMap;
}

std::string counts_comment(const config &c, std::size_t i)
{
	std::string s;
	for (unsigned k : c.pools[i].sockets) {
		const estimate &e = c.pool_est[i][k];
		if (!e.present)
			continue;
		s += (s.empty() ? "" : ", ") + std::to_string(e.count) + " on socket " + std::to_string(k);
	}
	return s;
}

} // namespace

std::string dump(const config &c)
{
	YAML::Emitter out;
	out.SetIndent(2);
	out << YAML::BeginMap;
	out << YAML::Key << "version" << YAML::Value << c.version;
	out << YAML::Key << "topology" << YAML::Value;
	emit_topology(out, c.topo);
	out << YAML::Key << "defaults" << YAML::Value << YAML::BeginMap;
	emit_tunables(out, c.defaults, false, false);
	out << YAML::EndMap;
	out << YAML::Key << "sizing" << YAML::Value;
	emit_sizing(out, c.sz);

	out << YAML::Key << "caches" << YAML::Value;
	if (c.caches.empty())
		out << YAML::Flow;
	out << YAML::BeginSeq;
	for (const auto &k : c.caches) {
		out << YAML::BeginMap;
		out << YAML::Key << "name" << YAML::Value << k.name;
		out << YAML::Key << "obj_size" << YAML::Value << k.obj_size;
		out << YAML::Key << "objects" << YAML::Value << k.objects;
		out << YAML::Key << "sockets" << YAML::Value;
		flow_list(out, k.sockets);
		emit_tunables(out, k.tune, false, true);
		out << YAML::EndMap;
	}
	out << YAML::EndSeq;

	out << YAML::Key << "pools" << YAML::Value;
	if (c.pools.empty())
		out << YAML::Flow;
	out << YAML::BeginSeq;
	for (std::size_t i = 0; i < c.pools.size(); i++) {
		const pool &p = c.pools[i];
		out << YAML::BeginMap;
		out << YAML::Key << "name" << YAML::Value << p.name;
		out << YAML::Key << "data_room" << YAML::Value << p.data_room;
		out << YAML::Key << "priv_size" << YAML::Value << p.priv_size;
		out << YAML::Key << "count" << YAML::Value;
		if (p.auto_count)
			out << "auto" << YAML::Comment(counts_comment(c, i));
		else
			out << p.count;
		out << YAML::Key << "sockets" << YAML::Value;
		flow_list(out, p.sockets);
		out << YAML::Key << "mempool_cache" << YAML::Value << p.mempool_cache;
		emit_tunables(out, p.tune, true, true);
		if (p.own_sizing) {
			out << YAML::Key << "sizing" << YAML::Value;
			emit_sizing(out, p.sz);
		}
		out << YAML::EndMap;
	}
	out << YAML::EndSeq;

	// Rules write only the keys they set: the rest is the driver's.
	out << YAML::Key << "mempools" << YAML::Value;
	if (c.mempools.empty())
		out << YAML::Flow;
	out << YAML::BeginSeq;
	for (const auto &r : c.mempools) {
		out << YAML::BeginMap;
		out << YAML::Key << "match" << YAML::Value << YAML::DoubleQuoted << r.match;
		if (r.queue_size)
			out << YAML::Key << "queue_size" << YAML::Value << *r.queue_size;
		if (r.batch) {
			out << YAML::Key << "batch" << YAML::Value;
			if (*r.batch == 0)
				out << "auto";
			else
				out << *r.batch;
		}
		if (r.shared_size)
			out << YAML::Key << "shared_size" << YAML::Value << *r.shared_size;
		if (r.alien_size)
			out << YAML::Key << "alien_size" << YAML::Value << *r.alien_size;
		if (r.slab_objs)
			out << YAML::Key << "slab_objs" << YAML::Value << *r.slab_objs;
		if (r.debug)
			emit_debug(out, *r.debug);
		if (r.no_alien)
			out << YAML::Key << "no_alien" << YAML::Value << *r.no_alien;
		if (r.faults) {
			out << YAML::Key << "fault_injection" << YAML::Value << YAML::Flow << YAML::BeginMap;
			out << YAML::Key << "every_n" << YAML::Value << r.fault_every_n;
			out << YAML::Key << "probability_ppm" << YAML::Value << r.fault_ppm;
			out << YAML::Key << "seed" << YAML::Value << r.fault_seed;
			out << YAML::EndMap;
		}
		out << YAML::EndMap;
	}
	out << YAML::EndSeq;
	out << YAML::EndMap;
	return std::string(out.c_str()) + "\n";
}

} // namespace slubq::config
