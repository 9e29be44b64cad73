/* SPDX-License-Identifier: BSD-3-Clause */
#include "topology/hwloc_topology.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <hwloc.h>
#include <memory>
#include <mutex>
#include <sched.h>
#include <rte_lcore.h>
#include "common/log.hpp"

namespace slubq {

namespace {

struct hwloc_closer {
	void operator()(hwloc_topology *t) const { hwloc_topology_destroy(t); }
};
using hwloc_handle = std::unique_ptr<hwloc_topology, hwloc_closer>;

// Upper bound of the PUs a synthetic description builds: the product of
// its level arities (attributes in parentheses skipped). Descriptions
// hwloc would reject pass through (hwloc says no); huge ones stop here,
// before hwloc spends minutes building them.
std::uint64_t synthetic_pu_bound(const std::string &desc)
{
	std::string flat;
	int depth = 0;
	for (char ch : desc) {
		if (ch == '(')
			depth++;
		else if (ch == ')')
			depth = depth > 0 ? depth - 1 : 0;
		else if (depth == 0)
			flat += ch;
	}
	std::uint64_t product = 1;
	std::size_t i = 0;
	while (i < flat.size()) {
		while (i < flat.size() && std::isspace(static_cast<unsigned char>(flat[i])))
			i++;
		std::size_t start = i;
		while (i < flat.size() && !std::isspace(static_cast<unsigned char>(flat[i])))
			i++;
		std::string tok = flat.substr(start, i - start);
		std::size_t colon = tok.rfind(':');
		std::string arity = colon == std::string::npos ? tok : tok.substr(colon + 1);
		std::uint64_t n = 0;
		bool digits = !arity.empty();
		for (char ch : arity) {
			if (!std::isdigit(static_cast<unsigned char>(ch))) {
				digits = false;
				break;
			}
			n = n * 10 + unsigned(ch - '0');
			if (n > synthetic_max_pus)
				n = synthetic_max_pus + 1;
		}
		if (digits) {
			product *= n;
			if (product > synthetic_max_pus)
				return synthetic_max_pus + 1;
		}
	}
	return product;
}

constexpr std::size_t synthetic_remembered = 16;

// hwloc loads its plugins when the first topology of the process is
// created and unloads them with the last one (dlopen of every plugin each
// time). One topology kept for the life of the process keeps them loaded.
// (A global the compiler must keep, so leak checkers see it held.)
__attribute__((used)) hwloc_topology_t plugin_anchor;

void keep_hwloc_plugins_loaded()
{
	static std::once_flag once;
	std::call_once(once, [] {
		if (hwloc_topology_init(&plugin_anchor) < 0)
			plugin_anchor = nullptr;
	});
}

const char *cache_name(hwloc_obj_type_t t)
{
	switch (t) {
	case HWLOC_OBJ_L1CACHE: return "L1d";
	case HWLOC_OBJ_L1ICACHE: return "L1i";
	case HWLOC_OBJ_L2CACHE: return "L2";
	case HWLOC_OBJ_L3CACHE: return "L3";
	case HWLOC_OBJ_L4CACHE: return "L4";
	default: return "L?";
	}
}

// Fill m from a loaded hwloc topology.
void describe_loaded(hwloc_topology_t t, machine_topology &m)
{
	m.packages = unsigned(std::max(hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE), 0));
	m.numa_nodes = unsigned(std::max(hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE), 0));
	m.cores = unsigned(std::max(hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE), 0));
	// Real machines: sockets are NUMA nodes (what DPDK calls a socket).
	// Synthetic ones without NUMA levels: one socket per package.
	bool by_numa = !m.synthetic || m.numa_nodes > 1;
	if (by_numa) {
		m.nr_sockets = std::max(m.numa_nodes, 1u);
		for (unsigned i = 0; i < m.nr_sockets; i++) {
			hwloc_obj_t n = hwloc_get_obj_by_type(t, HWLOC_OBJ_NUMANODE, i);
			m.socket_os.push_back(n ? int(n->os_index) : 0);
		}
	} else {
		m.nr_sockets = std::max(m.packages, 1u);
		m.socket_os.assign(m.nr_sockets, -1);
	}
	int npu = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
	for (int i = 0; i < npu; i++) {
		hwloc_obj_t pu = hwloc_get_obj_by_type(t, HWLOC_OBJ_PU, unsigned(i));
		machine_pu p{};
		p.os_index = pu->os_index;
		hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_CORE, pu);
		hwloc_obj_t pkg = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_PACKAGE, pu);
		p.core = core ? core->logical_index : unsigned(i);
		p.package = pkg ? pkg->logical_index : 0;
		p.numa_os = -1;
		unsigned numa_logical = 0;
		for (unsigned k = 0; k < m.numa_nodes; k++) {
			hwloc_obj_t n = hwloc_get_obj_by_type(t, HWLOC_OBJ_NUMANODE, k);
			if (n && hwloc_bitmap_intersects(n->cpuset, pu->cpuset)) {
				p.numa_os = int(n->os_index);
				numa_logical = k;
				break;
			}
		}
		p.socket = by_numa ? numa_logical : p.package;
		m.pus.push_back(p);
	}
	const hwloc_obj_type_t levels[] = {HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L1ICACHE, HWLOC_OBJ_L2CACHE,
					   HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L4CACHE};
	for (hwloc_obj_type_t lv : levels) {
		int n = hwloc_get_nbobjs_by_type(t, lv);
		if (n <= 0)
			continue;
		hwloc_obj_t o = hwloc_get_obj_by_type(t, lv, 0);
		m.caches.push_back({cache_name(lv), o->attr ? o->attr->cache.size : 0, unsigned(n)});
	}
}

std::string human_bytes(std::uint64_t b)
{
	char buf[32];
	if (b >= (1ull << 30) && b % (1ull << 30) == 0)
		std::snprintf(buf, sizeof(buf), "%llu GiB", (unsigned long long)(b >> 30));
	else if (b >= (1ull << 20) && b % (1ull << 20) == 0)
		std::snprintf(buf, sizeof(buf), "%llu MiB", (unsigned long long)(b >> 20));
	else if (b >= 1024 && b % 1024 == 0)
		std::snprintf(buf, sizeof(buf), "%llu KiB", (unsigned long long)(b >> 10));
	else
		std::snprintf(buf, sizeof(buf), "%llu B", (unsigned long long)b);
	return buf;
}

// "0-3,8,10-11" from a sorted list.
std::string ranges(const std::vector<unsigned> &v)
{
	std::string s;
	for (std::size_t i = 0; i < v.size();) {
		std::size_t j = i;
		while (j + 1 < v.size() && v[j + 1] == v[j] + 1)
			j++;
		if (!s.empty())
			s += ',';
		s += std::to_string(v[i]);
		if (j > i)
			s += '-' + std::to_string(v[j]);
		i = j + 1;
	}
	return s.empty() ? "none" : s;
}

} // namespace

const machine_pu *machine_topology::pu_by_os(unsigned os_index) const
{
	for (const auto &p : pus)
		if (p.os_index == os_index)
			return &p;
	return nullptr;
}

const machine_topology *hwloc_machine_real(std::string &err)
{
	static std::once_flag once;
	static machine_topology machine;
	static std::string failure;
	std::call_once(once, [] {
		keep_hwloc_plugins_loaded();
		hwloc_topology_t raw;
		if (hwloc_topology_init(&raw) < 0) {
			failure = "hwloc_topology_init failed";
			return;
		}
		hwloc_handle t(raw);
		if (hwloc_topology_load(raw) < 0) {
			failure = "hwloc cannot discover this machine";
			return;
		}
		machine.description = "this machine (hwloc)";
		describe_loaded(raw, machine);
	});
	if (!failure.empty()) {
		err = failure;
		return nullptr;
	}
	return &machine;
}

int hwloc_machine_synthetic(machine_topology &out, const std::string &desc, std::string &err)
{
	out = machine_topology{};
	std::uint64_t bound = synthetic_pu_bound(desc);
	if (bound > synthetic_max_pus) {
		err = "synthetic topology has more than " + std::to_string(synthetic_max_pus) + " PUs";
		return fail(EINVAL);
	}
	// The same few descriptions are built again and again (a file loaded,
	// its dump checked): remember recent answers.
	static std::mutex lock;
	static std::vector<std::pair<std::string, machine_topology>> recent;
	std::lock_guard<std::mutex> guard(lock);
	for (const auto &r : recent) {
		if (r.first == desc) {
			out = r.second;
			return 0;
		}
	}
	keep_hwloc_plugins_loaded();
	hwloc_topology_t raw;
	if (hwloc_topology_init(&raw) < 0) {
		err = "hwloc_topology_init failed";
		return fail(ENOMEM);
	}
	hwloc_handle t(raw);
	if (hwloc_topology_set_synthetic(raw, desc.c_str()) < 0) {
		err = "hwloc rejects the synthetic description '" + desc + "'";
		return fail(EINVAL);
	}
	if (hwloc_topology_load(raw) < 0) {
		err = "hwloc cannot build the synthetic topology '" + desc + "'";
		return fail(EINVAL);
	}
	out.synthetic = true;
	out.description = "synthetic '" + desc + "'";
	describe_loaded(raw, out);
	if (out.pus.empty()) {
		err = "synthetic topology '" + desc + "' has no PU";
		return fail(EINVAL);
	}
	if (recent.size() >= synthetic_remembered)
		recent.erase(recent.begin());
	recent.emplace_back(desc, out);
	return 0;
}

std::string machine_describe(const machine_topology &m)
{
	std::string s = m.description + ": " + std::to_string(m.nr_sockets) + " socket(s), " +
			std::to_string(m.packages) + " package(s), " + std::to_string(m.numa_nodes) +
			" NUMA node(s), " + std::to_string(m.cores) + " core(s), " + std::to_string(m.pus.size()) +
			" PU(s)\n";
	for (unsigned sk = 0; sk < m.nr_sockets; sk++) {
		std::vector<unsigned> pus, cpus, cores;
		for (std::size_t i = 0; i < m.pus.size(); i++) {
			if (m.pus[i].socket != sk)
				continue;
			pus.push_back(unsigned(i));
			cpus.push_back(m.pus[i].os_index);
			if (cores.empty() || cores.back() != m.pus[i].core)
				cores.push_back(m.pus[i].core);
		}
		s += "  socket " + std::to_string(sk);
		if (m.socket_os[sk] >= 0)
			s += " (NUMA node " + std::to_string(m.socket_os[sk]) + ")";
		else
			s += " (package " + std::to_string(sk) + ")";
		s += ": " + std::to_string(cores.size()) + " core(s), PUs " + ranges(pus) + ", cpus " + ranges(cpus) +
		     "\n";
	}
	if (!m.caches.empty()) {
		s += "  caches:";
		for (const auto &c : m.caches)
			s += " " + c.name + " " + human_bytes(c.size) + " x" + std::to_string(c.count);
		s += "\n";
	}
	return s;
}

std::vector<socket_mismatch> topology_mismatches(const machine_topology &m, const std::vector<lcore_placement> &eal)
{
	std::vector<socket_mismatch> out;
	for (const auto &pl : eal) {
		const machine_pu *pu = m.pu_by_os(pl.cpu);
		// Without NUMA information DPDK puts every lcore on socket 0.
		int hw = pu == nullptr ? -1 : pu->numa_os < 0 ? 0 : pu->numa_os;
		if (hw != pl.eal_socket)
			out.push_back({pl.lcore, pl.cpu, pl.eal_socket, hw});
	}
	return out;
}

int hwloc_crosscheck_eal()
{
	std::string err;
	const machine_topology *m = hwloc_machine_real(err);
	if (m == nullptr) {
		SLUBQ_LOG(WARNING, "topology cross-check skipped: %s", err.c_str());
		return fail(ENODEV);
	}
	std::vector<lcore_placement> eal;
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
		if (!rte_lcore_is_enabled(lc))
			continue;
		rte_cpuset_t set = rte_lcore_cpuset(lc);
		for (unsigned cpu = 0; cpu < CPU_SETSIZE; cpu++) {
			if (CPU_ISSET(cpu, &set)) {
				eal.push_back({lc, cpu, int(rte_lcore_to_socket_id(lc))});
				break;
			}
		}
	}
	auto bad = topology_mismatches(*m, eal);
	for (const auto &b : bad)
		SLUBQ_LOG(WARNING, "lcore %u (cpu %u): the EAL says socket %d, hwloc says NUMA node %d", b.lcore, b.cpu,
			  b.eal_socket, b.hwloc_socket);
	return int(bad.size());
}

} // namespace slubq
