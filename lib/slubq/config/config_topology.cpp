/* SPDX-License-Identifier: BSD-3-Clause */
// topology: which lcore sits on which socket. "real": the EAL's view when
// it is up, else hwloc's; "synthetic": an hwloc synthetic machine with
// lcores placed on its PUs in order; "map": sockets listed with their lcores.
#include <algorithm>
#include <rte_lcore.h>
#include "config/config.hpp"

namespace slubq::config {

namespace {

void resolve_real(diagnostics &d, fields &f, topology &t)
{
	std::string err;
	const machine_topology *m = hwloc_machine_real(err);
	if (m != nullptr)
		t.machine = *m;
	if (rte_lcore_count() > 0) {
		// The EAL is up: its lcores and sockets are what caches will use.
		slubq_topology_info eal;
		slubq_topology_eal(&eal);
		t.nr_sockets = eal.nr_sockets;
		for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++)
			t.lcore_socket[lc] = rte_lcore_is_enabled(lc) ? int(eal.lcore_socket[lc]) : -1;
		t.from_eal = true;
		return;
	}
	if (m == nullptr) {
		d.add(f.where(), f.path("mode"), "cannot read this machine's topology: " + err);
		return;
	}
	// Without the EAL, lcore i runs on cpu i (the EAL's default).
	t.nr_sockets = std::min<unsigned>(m->nr_sockets, SLUBQ_MAX_SOCKETS);
	for (const auto &pu : m->pus)
		if (pu.os_index < RTE_MAX_LCORE)
			t.lcore_socket[pu.os_index] = pu.socket < t.nr_sockets ? int(pu.socket) : 0;
}

void resolve_synthetic(diagnostics &d, fields &f, topology &t)
{
	if (!f.require("synthetic") || !f.string("synthetic", t.synthetic))
		return;
	std::string err;
	if (hwloc_machine_synthetic(t.machine, t.synthetic, err) < 0) {
		d.add(f.pos("synthetic"), f.path("synthetic"), err);
		return;
	}
	if (t.machine.nr_sockets > SLUBQ_MAX_SOCKETS) {
		d.add(f.pos("synthetic"), f.path("synthetic"),
		      std::to_string(t.machine.nr_sockets) + " sockets; slubq handles at most " +
			      std::to_string(SLUBQ_MAX_SOCKETS));
		return;
	}
	t.nr_sockets = t.machine.nr_sockets;
	const auto &pus = t.machine.pus;
	if (f.has("lcores")) {
		if (!f.uint_list("lcores", t.pu_lcores, 0, RTE_MAX_LCORE - 1))
			return;
		if (t.pu_lcores.size() > pus.size()) {
			d.add(f.pos("lcores"), f.path("lcores"),
			      std::to_string(t.pu_lcores.size()) + " lcores, but the synthetic machine has " +
				      std::to_string(pus.size()) + " PUs");
			return;
		}
		for (std::size_t i = 0; i < t.pu_lcores.size(); i++)
			t.lcore_socket[t.pu_lcores[i]] = int(pus[i].socket);
	} else {
		for (std::size_t i = 0; i < pus.size() && i < RTE_MAX_LCORE; i++)
			t.lcore_socket[i] = int(pus[i].socket);
	}
}

void resolve_map(diagnostics &d, fields &f, topology &t)
{
	if (!f.require("map"))
		return;
	YAML::Node m = f.get("map");
	std::string path = f.path("map");
	if (!m.IsMap() || m.size() == 0) {
		d.add(f.pos("map"), path, "expected a map of socket: [lcores], e.g. {0: [0, 1], 1: [2, 3]}");
		return;
	}
	std::vector<std::vector<unsigned>> sockets(SLUBQ_MAX_SOCKETS);
	std::vector<bool> seen(SLUBQ_MAX_SOCKETS, false);
	std::vector<position> lcore_at(RTE_MAX_LCORE);
	unsigned highest = 0;
	bool ok = true;
	for (auto it = m.begin(); it != m.end(); ++it) {
		YAML::Node key = it->first, list = it->second; // copies: it-> yields a temporary
		position kp = position_of(key.Mark());
		std::uint64_t s;
		if (!key.IsScalar() || !parse_uint(key.Scalar(), s) || s >= SLUBQ_MAX_SOCKETS) {
			d.add(kp, path, "a socket number 0.." + std::to_string(SLUBQ_MAX_SOCKETS - 1) + " is expected, got '" +
						key.Scalar() + "'");
			ok = false;
			continue;
		}
		std::string spath = path + "." + std::to_string(s);
		if (seen[s]) {
			d.add(kp, spath, "duplicate socket");
			ok = false;
			continue;
		}
		seen[s] = true;
		highest = std::max(highest, unsigned(s));
		position vp = list.IsNull() ? kp : position_of(list.Mark());
		if (!list.IsSequence() || list.size() == 0) {
			d.add(vp, spath, "expected a non-empty list of lcore ids");
			ok = false;
			continue;
		}
		for (std::size_t i = 0; i < list.size(); i++) {
			const YAML::Node &item = list[i];
			position ip = item.IsNull() ? vp : position_of(item.Mark());
			std::uint64_t lc;
			if (!item.IsScalar() || item.Tag() == "!" || !parse_uint(item.Scalar(), lc) || lc >= RTE_MAX_LCORE) {
				d.add(ip, spath, "an lcore id 0.." + std::to_string(RTE_MAX_LCORE - 1) + " is expected, got '" +
							 item.Scalar() + "'");
				ok = false;
				continue;
			}
			if (t.lcore_socket[lc] >= 0) {
				d.add(ip, spath, "lcore " + std::to_string(lc) + " is already on socket " +
							 std::to_string(t.lcore_socket[lc]) + " (line " +
							 std::to_string(lcore_at[lc].line) + ")");
				ok = false;
				continue;
			}
			t.lcore_socket[lc] = int(s);
			lcore_at[lc] = ip;
			sockets[s].push_back(unsigned(lc));
		}
	}
	for (unsigned s = 0; ok && s <= highest; s++) {
		if (!seen[s]) {
			d.add(f.pos("map"), path, "sockets are numbered 0.." + std::to_string(highest) + ": socket " +
							  std::to_string(s) + " is missing");
			ok = false;
		}
	}
	if (!ok)
		return;
	t.nr_sockets = highest + 1;
	sockets.resize(t.nr_sockets);
	t.map = sockets;
}

} // namespace

void parse_topology(diagnostics &d, const YAML::Node &node, position where, topology &t)
{
	t = topology{};
	t.lcore_socket.fill(-1);
	fields f(d, node, "topology", where, {"mode", "synthetic", "lcores", "map"});
	if (!f.is_map())
		return;
	std::string mode;
	if (f.string("mode", mode)) {
		if (mode == "real") {
			t.mode = topo_mode::real;
		} else if (mode == "synthetic") {
			t.mode = topo_mode::synthetic;
		} else if (mode == "map") {
			t.mode = topo_mode::map;
		} else {
			d.add(f.pos("mode"), f.path("mode"), "unknown mode '" + mode + "' (real, synthetic or map)");
			return;
		}
	} else if (f.has("mode")) {
		return;
	} else if (f.has("synthetic")) {
		t.mode = topo_mode::synthetic;
	} else if (f.has("map")) {
		t.mode = topo_mode::map;
	}
	bool misplaced = false;
	auto only_for = [&](const char *key, topo_mode m, const char *mode_name) {
		if (f.has(key) && t.mode != m) {
			d.add(f.pos(key), f.path(key), std::string("only for mode ") + mode_name);
			misplaced = true;
		}
	};
	only_for("synthetic", topo_mode::synthetic, "synthetic");
	only_for("lcores", topo_mode::synthetic, "synthetic (sizing lcores go under sizing)");
	only_for("map", topo_mode::map, "map");
	if (misplaced)
		return;
	switch (t.mode) {
	case topo_mode::real: resolve_real(d, f, t); break;
	case topo_mode::synthetic: resolve_synthetic(d, f, t); break;
	case topo_mode::map: resolve_map(d, f, t); break;
	}
}

std::vector<int> simulate_map(const topology &t)
{
	std::vector<int> map(RTE_MAX_LCORE);
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++)
		map[lc] = t.lcore_socket[lc] >= 0 ? t.lcore_socket[lc] : int(lc % t.nr_sockets);
	return map;
}

} // namespace slubq::config
