/* SPDX-License-Identifier: BSD-3-Clause */
// YAML -> config: the schema (docs/config.md), defaults, and the checks
// that involve more than one value (batch vs queue size, sockets and
// lcores that exist, unique names).
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sys/stat.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <sstream>
#include <rte_mbuf_core.h>
#include <rte_mempool.h>
#include "config/config.hpp"
#include "debug/slubq_debug.h"

namespace slubq::config {

namespace {

const std::vector<std::string> tunable_keys = {"queue_size", "batch",     "shared_size", "alien_size", "mem_limit",
					       "align",      "slab_objs", "debug",       "dma",        "no_alien"};
const std::vector<std::string> pool_tunable_keys = {"queue_size", "batch", "shared_size", "alien_size",
						    "slab_objs",  "debug", "no_alien"};
const std::vector<std::string> sizing_keys = {"ports",   "rx_queues", "tx_queues", "rx_desc",  "tx_desc",
					      "lcores",  "burst",     "rings",     "headroom", "hugepage_size"};

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string> &b)
{
	a.insert(a.end(), b.begin(), b.end());
	return a;
}

std::string line_of(position p)
{
	return p.line ? "line " + std::to_string(p.line) : "built-in default";
}

// Where the tunables that constrain each other were set.
struct tunable_origin {
	position queue, batch, debug;
	bool queue_here = false, batch_here = false, debug_here = false;
};

// A scalar word (e.g. "auto", "off") standing for a number.
bool word_or_u32(fields &f, const std::string &key, std::uint32_t &out, std::uint64_t lo, std::uint64_t hi,
		 const char *word, std::uint32_t word_value)
{
	YAML::Node v = f.get(key);
	if (v.IsScalar() && v.Tag() != "!" && v.Scalar() == word) {
		out = word_value;
		return true;
	}
	return f.u32(key, out, lo, hi);
}

// Why a mempool refuses red zones (for pools and mempool rules).
constexpr const char *mempool_red_zone =
	" is not possible for a mempool (rte_mempool owns the slot layout); use poison (mbuf pools), track or sanity";

// A flag name or "all" (slubq_debug_flag_from_name), or "none".
bool debug_flag_of(const std::string &s, std::uint32_t &flags)
{
	if (s == "none")
		return true;
	std::uint32_t f = 0;
	if (slubq_debug_flag_from_name(s.c_str(), &f) < 0)
		return false;
	flags |= f;
	return true;
}

// debug: a flag name, "all", "none", or a list of flag names.
void parse_debug(fields &f, tunables &t)
{
	if (!f.has("debug"))
		return;
	YAML::Node v = f.get("debug");
	std::uint32_t flags = 0;
	auto bad = [&](position p, const std::string &what) {
		std::string known;
		for (const auto &n : debug_flag_names(SLUBQ_F_DEBUG))
			known += n + ", ";
		f.diag().add(p, f.path("debug"), "unknown debug flag " + what + " (known: " + known + "all, none)");
	};
	if (v.IsScalar()) {
		if (!debug_flag_of(v.Scalar(), flags))
			return bad(f.pos("debug"), "'" + v.Scalar() + "'");
	} else if (v.IsSequence()) {
		for (std::size_t i = 0; i < v.size(); i++) {
			const YAML::Node &item = v[i];
			position p = item.IsNull() ? f.pos("debug") : position_of(item.Mark());
			if (!item.IsScalar() || !debug_flag_of(item.Scalar(), flags))
				return bad(p, item.IsScalar() ? "'" + item.Scalar() + "'" : "(not a name)");
			// "none" next to a flag says two things: which one was meant?
			if (v.size() > 1 && item.Scalar() == "none")
				return f.diag().add(p, f.path("debug"),
						    "'none' cannot be combined with other flags (write debug: none alone)");
		}
	} else {
		f.diag().add(f.pos("debug"), f.path("debug"), "expected a flag name or a list of flag names");
		return;
	}
	t.debug = flags;
}

void parse_tunables(fields &f, tunables &t, tunable_origin &o, bool for_pool)
{
	if (f.has("queue_size") && word_or_u32(f, "queue_size", t.queue_size, 0, SLUBQ_MAX_QUEUE, "off", 0)) {
		o.queue = f.pos("queue_size");
		o.queue_here = true;
	}
	if (f.has("batch") && word_or_u32(f, "batch", t.batch, 1, SLUBQ_MAX_QUEUE, "auto", 0)) {
		o.batch = f.pos("batch");
		o.batch_here = t.batch != 0;
	}
	word_or_u32(f, "shared_size", t.shared_size, 0, SLUBQ_MAX_QUEUE, "auto", UINT32_MAX);
	f.u32("alien_size", t.alien_size, 0, SLUBQ_MAX_QUEUE);
	f.u32("slab_objs", t.slab_objs, 0, 1u << 20);
	if (f.has("debug")) {
		parse_debug(f, t);
		o.debug = f.pos("debug");
		o.debug_here = true;
	}
	f.boolean("no_alien", t.no_alien);
	if (for_pool)
		return;
	f.bytes("mem_limit", t.mem_limit, 0, 1ull << 50);
	f.boolean("dma", t.dma);
	std::uint32_t align = t.align;
	if (f.u32("align", align, 1, 4096)) {
		if ((align & (align - 1)) != 0)
			f.diag().add(f.pos("align"), f.path("align"), "must be a power of two, got " + std::to_string(align));
		else
			t.align = align;
	}
}

// batch must fit the lcore queue; say where each value came from.
void check_batch(fields &f, const tunables &t, const tunable_origin &o)
{
	if (t.batch == 0)
		return;
	if (!o.batch_here && !o.queue_here)
		return; // both inherited: reported where they were set
	std::string q_from = o.queue_here ? "" : " (queue_size from " + line_of(o.queue) + ")";
	std::string b_from = o.batch_here ? "" : " (from " + line_of(o.batch) + ")";
	if (t.queue_size == 0) {
		position p = o.batch_here ? f.pos("batch") : f.pos("queue_size");
		f.diag().add(p, f.path(o.batch_here ? "batch" : "queue_size"),
			     "batch " + std::to_string(t.batch) + b_from + " needs an lcore queue, but queue_size is 0" +
				     q_from + " (set batch: auto)");
	} else if (t.batch > t.queue_size) {
		if (o.batch_here)
			f.diag().add(f.pos("batch"), f.path("batch"),
				     "batch " + std::to_string(t.batch) + " larger than queue_size " +
					     std::to_string(t.queue_size) + q_from);
		else
			f.diag().add(f.pos("queue_size"), f.path("queue_size"),
				     "queue_size " + std::to_string(t.queue_size) + " smaller than batch " +
					     std::to_string(t.batch) + b_from);
	}
}

// Resolve "auto" batch and shared queue against the final queue size.
void resolve_auto(tunables &t)
{
	if (t.batch == 0 && t.queue_size != 0)
		t.batch = slubq_auto_batch(t.queue_size);
	if (t.shared_size == UINT32_MAX)
		t.shared_size = slubq_auto_shared(t.queue_size);
}

bool valid_name(const std::string &s, const char *extra)
{
	if (s.empty())
		return false;
	for (char ch : s)
		if (!std::isalnum(static_cast<unsigned char>(ch)) && std::strchr(extra, ch) == nullptr)
			return false;
	return true;
}

class parser {
public:
	parser(diagnostics &d, config &c) : d_(d), c_(c) {}

	void run(const YAML::Node &root)
	{
		fields top(d_, root, "", {1, 1}, {"version", "topology", "defaults", "caches", "pools", "sizing",
						       "mempools"});
		if (!top.is_map())
			return;
		top.u32("version", c_.version, 1, 1);
		std::size_t before = d_.size();
		parse_topology(d_, top.get("topology"), top.pos("topology"), c_.topo);
		topo_ok_ = d_.size() == before;
		c_.defaults_given = top.has("defaults");
		parse_defaults(top);
		raw_sizing_ = sizing{};
		raw_sizing_.rx_queues = raw_sizing_.tx_queues = raw_sizing_.rx_desc = raw_sizing_.tx_desc = unset;
		parse_sizing_into(top.get("sizing"), top.pos("sizing"), "sizing", raw_sizing_);
		c_.sz = finish_sizing(raw_sizing_);
		parse_list(top, "caches", [this](const YAML::Node &n, const std::string &path, position p) {
			parse_cache(n, path, p);
		});
		parse_list(top, "pools", [this](const YAML::Node &n, const std::string &path, position p) {
			parse_pool(n, path, p);
		});
		parse_list(top, "mempools", [this](const YAML::Node &n, const std::string &path, position p) {
			parse_mempool_rule(n, path, p);
		});
	}

private:
	static constexpr std::uint32_t unset = UINT32_MAX;

	template <typename F>
	void parse_list(fields &top, const char *key, F each)
	{
		if (!top.has(key))
			return;
		YAML::Node list = top.get(key);
		if (list.IsNull())
			return;
		if (!list.IsSequence()) {
			d_.add(top.pos(key), key, "expected a list (entries start with '- ')");
			return;
		}
		if (list.size() > max_entries) {
			d_.add(top.pos(key), key, "at most " + std::to_string(max_entries) + " entries");
			return;
		}
		for (std::size_t i = 0; i < list.size(); i++) {
			const YAML::Node &item = list[i];
			position p = item.IsNull() ? top.pos(key) : position_of(item.Mark());
			each(item, std::string(key) + "[" + std::to_string(i) + "]", p);
		}
	}

	bool socket_ok(fields &f, const std::string &key, unsigned s)
	{
		if (!topo_ok_ || s < c_.topo.nr_sockets)
			return true;
		f.diag().add(f.pos(key), f.path(key),
			     "socket " + std::to_string(s) + " does not exist (the topology has " +
				     std::to_string(c_.topo.nr_sockets) + " socket(s): 0.." +
				     std::to_string(c_.topo.nr_sockets - 1) + ")");
		return false;
	}

	// sockets: "all" or a list of socket indices. Returns false when invalid.
	bool parse_sockets(fields &f, std::vector<unsigned> &out)
	{
		if (!f.has("sockets"))
			return true;
		YAML::Node v = f.get("sockets");
		if (v.IsScalar() && v.Tag() != "!" && v.Scalar() == "all") {
			out.clear();
			for (unsigned s = 0; s < c_.topo.nr_sockets; s++)
				out.push_back(s);
			return true;
		}
		std::vector<unsigned> list;
		if (!v.IsSequence()) {
			f.diag().add(f.pos("sockets"), f.path("sockets"), "expected 'all' or a list of socket numbers");
			return false;
		}
		if (!f.uint_list("sockets", list, 0, SLUBQ_MAX_SOCKETS - 1))
			return false;
		bool ok = true;
		for (unsigned s : list)
			ok = socket_ok(f, "sockets", s) && ok;
		std::sort(list.begin(), list.end());
		out = list;
		return ok;
	}

	void parse_defaults(fields &top)
	{
		fields f(d_, top.get("defaults"), "defaults", top.pos("defaults"), tunable_keys);
		if (!f.is_map())
			return;
		parse_tunables(f, c_.defaults, defaults_origin_, false);
		check_batch(f, c_.defaults, defaults_origin_);
		// Caches and pools inherit from here: positions now say "defaults".
		defaults_origin_.queue_here = defaults_origin_.batch_here = defaults_origin_.debug_here = false;
	}

	// A sizing block over `base` (the top-level one for a pool's own block).
	void parse_sizing_into(const YAML::Node &node, position where, const std::string &path, sizing &s)
	{
		fields f(d_, node, path, where, sizing_keys);
		if (!f.is_map())
			return;
		f.u32("rx_queues", s.rx_queues, 0, 1024);
		f.u32("tx_queues", s.tx_queues, 0, 1024);
		f.u32("rx_desc", s.rx_desc, 0, UINT16_MAX);
		f.u32("tx_desc", s.tx_desc, 0, UINT16_MAX);
		f.u32("burst", s.burst, 1, 4096);
		f.u32("headroom", s.headroom_pct, 0, 1000);
		std::uint64_t hp = s.hugepage_size;
		if (f.bytes("hugepage_size", hp, 4096, 1ull << 30)) {
			if ((hp & (hp - 1)) != 0)
				d_.add(f.pos("hugepage_size"), f.path("hugepage_size"), "must be a power of two");
			else
				s.hugepage_size = hp;
		}
		if (f.has("lcores")) {
			std::vector<unsigned> lcores;
			if (f.uint_list("lcores", lcores, 0, RTE_MAX_LCORE - 1)) {
				for (unsigned lc : lcores)
					if (topo_ok_ && c_.topo.lcore_socket[lc] < 0)
						d_.add(f.pos("lcores"), f.path("lcores"),
						       "lcore " + std::to_string(lc) + " is not in the topology" +
							       (c_.topo.from_eal ? " (not an EAL lcore of this process)" : ""));
				s.lcores = lcores;
				s.lcores_given = true;
			}
		}
		if (f.has("ports"))
			parse_ports(f, s);
		if (f.has("rings"))
			parse_rings(f, s);
	}

	void parse_ports(fields &f, sizing &s)
	{
		YAML::Node list = f.get("ports");
		if (!list.IsSequence()) {
			d_.add(f.pos("ports"), f.path("ports"), "expected a list of ports");
			return;
		}
		if (list.size() > max_ports) {
			d_.add(f.pos("ports"), f.path("ports"), "at most " + std::to_string(max_ports) + " ports");
			return;
		}
		s.ports.clear();
		for (std::size_t i = 0; i < list.size(); i++) {
			const YAML::Node &item = list[i];
			position p = item.IsNull() ? f.pos("ports") : position_of(item.Mark());
			fields pf(d_, item, f.path("ports") + "[" + std::to_string(i) + "]", p,
				  {"socket", "rx_queues", "tx_queues", "rx_desc", "tx_desc"});
			port pt;
			pt.rx_queues = pt.tx_queues = pt.rx_desc = pt.tx_desc = unset;
			if (pf.u32("socket", pt.socket, 0, SLUBQ_MAX_SOCKETS - 1))
				socket_ok(pf, "socket", pt.socket);
			pf.u32("rx_queues", pt.rx_queues, 0, 1024);
			pf.u32("tx_queues", pt.tx_queues, 0, 1024);
			pf.u32("rx_desc", pt.rx_desc, 0, UINT16_MAX);
			pf.u32("tx_desc", pt.tx_desc, 0, UINT16_MAX);
			s.ports.push_back(pt);
		}
	}

	void parse_rings(fields &f, sizing &s)
	{
		YAML::Node list = f.get("rings");
		if (!list.IsSequence()) {
			d_.add(f.pos("rings"), f.path("rings"), "expected a list of rings");
			return;
		}
		if (list.size() > max_rings) {
			d_.add(f.pos("rings"), f.path("rings"), "at most " + std::to_string(max_rings) + " rings");
			return;
		}
		s.rings.clear();
		std::vector<position> first;
		for (std::size_t i = 0; i < list.size(); i++) {
			const YAML::Node &item = list[i];
			position p = item.IsNull() ? f.pos("rings") : position_of(item.Mark());
			fields rf(d_, item, f.path("rings") + "[" + std::to_string(i) + "]", p, {"name", "size", "socket"});
			ring r;
			rf.require("name");
			rf.require("size");
			if (rf.string("name", r.name) && !valid_name(r.name, "_-.")) {
				d_.add(rf.pos("name"), rf.path("name"), "a name is letters, digits, '_', '-' and '.'");
			}
			rf.u32("size", r.size, 1, max_count);
			if (rf.u32("socket", r.socket, 0, SLUBQ_MAX_SOCKETS - 1))
				socket_ok(rf, "socket", r.socket);
			for (std::size_t k = 0; k < s.rings.size(); k++)
				if (!r.name.empty() && s.rings[k].name == r.name)
					d_.add(rf.pos("name"), rf.path("name"),
					       "duplicate ring name '" + r.name + "' (first at line " +
						       std::to_string(first[k].line) + ")");
			s.rings.push_back(r);
			first.push_back(rf.pos("name"));
		}
	}

	// Ports take the block's queue and descriptor counts unless they set
	// their own; lcores default to every lcore of the topology.
	sizing finish_sizing(sizing s) const
	{
		auto pick = [](std::uint32_t v, std::uint32_t dflt, std::uint32_t builtin) {
			return v != unset ? v : dflt != unset ? dflt : builtin;
		};
		s.rx_queues = pick(s.rx_queues, unset, 1);
		s.tx_queues = pick(s.tx_queues, unset, 1);
		s.rx_desc = pick(s.rx_desc, unset, default_desc);
		s.tx_desc = pick(s.tx_desc, unset, default_desc);
		for (auto &p : s.ports) {
			p.rx_queues = pick(p.rx_queues, s.rx_queues, 1);
			p.tx_queues = pick(p.tx_queues, s.tx_queues, 1);
			p.rx_desc = pick(p.rx_desc, s.rx_desc, default_desc);
			p.tx_desc = pick(p.tx_desc, s.tx_desc, default_desc);
		}
		if (!s.lcores_given) {
			s.lcores.clear();
			for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++)
				if (c_.topo.lcore_socket[lc] >= 0)
					s.lcores.push_back(lc);
		}
		return s;
	}

	// Names are unique within caches and within pools.
	void check_unique(fields &f, const std::string &name, const char *what,
			  std::vector<std::pair<std::string, position>> &seen)
	{
		for (const auto &s : seen)
			if (s.first == name)
				d_.add(f.pos("name"), f.path("name"),
				       std::string("duplicate ") + what + " name '" + name + "' (first at line " +
					       std::to_string(s.second.line) + ")");
		seen.emplace_back(name, f.pos("name"));
	}

	void parse_cache(const YAML::Node &node, const std::string &path, position p)
	{
		fields f(d_, node, path, p, std::vector<std::string>{"name", "obj_size", "objects", "sockets"} + tunable_keys);
		if (!f.is_map())
			return;
		cache c;
		c.pos = p;
		c.tune = c_.defaults;
		tunable_origin o = defaults_origin_;
		f.require("name");
		f.require("obj_size");
		if (f.string("name", c.name)) {
			if (c.name.size() >= SLUBQ_NAMESIZE || !valid_name(c.name, "_-.:"))
				d_.add(f.pos("name"), f.path("name"),
				       "a cache name is 1 to " + std::to_string(SLUBQ_NAMESIZE - 1) +
					       " letters, digits, '_', '-', '.' or ':'");
			else if (c.name.rfind("anon-", 0) == 0)
				d_.add(f.pos("name"), f.path("name"), "names starting with 'anon-' belong to anonymous caches");
			else
				check_unique(f, c.name, "cache", cache_names_);
		}
		bool size_ok = f.u32("obj_size", c.obj_size, 1, max_obj_size);
		f.u64("objects", c.objects, 0, max_count);
		parse_tunables(f, c.tune, o, false);
		check_batch(f, c.tune, o);
		for (unsigned s = 0; s < c_.topo.nr_sockets; s++)
			c.sockets.push_back(s);
		parse_sockets(f, c.sockets);
		resolve_auto(c.tune);
		if (size_ok) {
			slubq_cache_params cp = cache_params(c);
			slubq_cache_layout l;
			std::string what = std::to_string(c.obj_size) + "-byte objects (align " +
					   std::to_string(c.tune.align) + ", slab_objs " + std::to_string(c.tune.slab_objs) + ")";
			// The core refuses layouts that need slabs over 1 GiB.
			if (slubq_cache_calc_layout(&cp, 0, 1, &l) < 0 || l.slab_size > max_slab_size)
				d_.add(f.pos("obj_size"), f.path("obj_size"),
				       "no slab of at most 1 GiB holds " + what);
		}
		c_.caches.push_back(c);
	}

	void parse_pool(const YAML::Node &node, const std::string &path, position p)
	{
		fields f(d_, node, path, p,
			 std::vector<std::string>{"name", "data_room", "priv_size", "count", "sockets", "mempool_cache",
						  "sizing"} +
				 pool_tunable_keys);
		if (!f.is_map())
			return;
		pool pl;
		pl.pos = p;
		pl.tune = c_.defaults;
		tunable_origin o = defaults_origin_;
		pl.data_room = RTE_MBUF_DEFAULT_BUF_SIZE;
		f.require("name");
		if (f.string("name", pl.name)) {
			if (pl.name.size() > max_pool_name || !valid_name(pl.name, "_-"))
				d_.add(f.pos("name"), f.path("name"),
				       "a pool name is 1 to " + std::to_string(max_pool_name) +
					       " letters, digits, '_' or '-' (the mempool name adds a socket suffix)");
			else
				check_unique(f, pl.name, "pool", pool_names_);
		}
		f.u32("data_room", pl.data_room, 0, UINT16_MAX);
		if (f.u32("priv_size", pl.priv_size, 0, UINT16_MAX) && pl.priv_size % RTE_MBUF_PRIV_ALIGN != 0)
			d_.add(f.pos("priv_size"), f.path("priv_size"),
			       "must be a multiple of " + std::to_string(RTE_MBUF_PRIV_ALIGN) + " (RTE_MBUF_PRIV_ALIGN)");
		f.u32("mempool_cache", pl.mempool_cache, 0, RTE_MEMPOOL_CACHE_MAX_SIZE);
		if (f.has("count")) {
			YAML::Node v = f.get("count");
			if (!(v.IsScalar() && v.Tag() != "!" && v.Scalar() == "auto")) {
				std::uint64_t n;
				if (f.u64("count", n, 1, max_count)) {
					pl.count = n;
					pl.auto_count = false;
				}
			}
		}
		parse_tunables(f, pl.tune, o, true);
		check_batch(f, pl.tune, o);
		check_pool_tunables(f, pl, o);
		parse_sockets(f, pl.sockets);
		pl.count_pos = f.pos("count");
		pl.sockets_pos = f.pos("sockets");
		resolve_auto(pl.tune);
		if (f.has("sizing")) {
			sizing raw = raw_sizing_;
			parse_sizing_into(f.get("sizing"), f.pos("sizing"), f.path("sizing"), raw);
			pl.sz = finish_sizing(raw);
			pl.own_sizing = true;
		} else {
			pl.sz = c_.sz;
		}
		c_.pools.push_back(pl);
	}

	// What a mempool cannot take: red zones need slubq to own the slot
	// layout (poison is narrowed to an mbuf's data buffer by the driver);
	// 0 means "the driver's default" to the driver.
	void check_pool_tunables(fields &f, const pool &pl, const tunable_origin &o)
	{
		if (pl.tune.debug & SLUBQ_F_RED_ZONE) {
			std::string from = o.debug_here ? "" : " (from defaults, " + line_of(o.debug) + ")";
			d_.add(f.pos("debug"), f.path("debug"), "debug red_zone" + from + mempool_red_zone);
		}
		if (pl.tune.shared_size == 0)
			d_.add(f.pos("shared_size"), f.path("shared_size"),
			       "a pool's shared queue cannot be 0 (the driver reads 0 as its default); at least 1");
		if (pl.tune.alien_size == 0)
			d_.add(f.pos("alien_size"), f.path("alien_size"),
			       "a pool's alien queues cannot be 0 (the driver reads 0 as its default); use no_alien: true");
	}

	// mempools[i]: a rule for the rte_mempools of stock applications.
	void parse_mempool_rule(const YAML::Node &node, const std::string &path, position p)
	{
		fields f(d_, node, path, p,
			 {"match", "queue_size", "batch", "shared_size", "alien_size", "slab_objs", "debug", "no_alien",
			  "fault_injection"});
		if (!f.is_map())
			return;
		mempool_rule r;
		r.pos = p;
		f.require("match");
		if (f.string("match", r.match)) {
			if (r.match.empty() || r.match.size() > max_match)
				d_.add(f.pos("match"), f.path("match"),
				       "a pattern is 1 to " + std::to_string(max_match) +
					       " characters: a mempool name, or a glob with *, ? and [...]");
			else
				for (const auto &s : rule_matches_)
					if (s.first == r.match)
						d_.add(f.pos("match"), f.path("match"),
						       "duplicate rule for '" + r.match + "' (first at line " +
							       std::to_string(s.second.line) + "): only the first would apply");
			rule_matches_.emplace_back(r.match, f.pos("match"));
		}
		std::uint32_t v;
		if (f.has("queue_size") && word_or_u32(f, "queue_size", v, 0, SLUBQ_MAX_QUEUE, "off", 0))
			r.queue_size = v;
		if (f.has("batch") && word_or_u32(f, "batch", v, 1, SLUBQ_MAX_QUEUE, "auto", 0)) {
			r.batch = v;
			r.batch_pos = f.pos("batch");
		}
		if (f.has("shared_size") && f.u32("shared_size", v, 1, SLUBQ_MAX_QUEUE))
			r.shared_size = v;
		if (f.has("alien_size") && f.u32("alien_size", v, 1, SLUBQ_MAX_QUEUE))
			r.alien_size = v;
		if (f.has("slab_objs") && f.u32("slab_objs", v, 1, 1u << 20))
			r.slab_objs = v;
		if (f.has("debug")) {
			tunables t;
			std::size_t before = d_.size();
			parse_debug(f, t);
			if (d_.size() == before) {
				if (t.debug & SLUBQ_F_RED_ZONE)
					d_.add(f.pos("debug"), f.path("debug"), std::string("debug red_zone") + mempool_red_zone);
				else
					r.debug = t.debug;
			}
		}
		bool b;
		if (f.has("no_alien") && f.boolean("no_alien", b))
			r.no_alien = b;
		if (r.queue_size && r.batch && *r.batch != 0) {
			if (*r.queue_size == 0)
				d_.add(f.pos("batch"), f.path("batch"),
				       "batch " + std::to_string(*r.batch) +
					       " needs an lcore queue, but queue_size is off (set batch: auto)");
			else if (*r.batch > *r.queue_size)
				d_.add(f.pos("batch"), f.path("batch"),
				       "batch " + std::to_string(*r.batch) + " larger than queue_size " +
					       std::to_string(*r.queue_size));
		}
		if (f.has("fault_injection"))
			parse_faults(f, r);
		c_.mempools.push_back(r);
	}

	void parse_faults(fields &f, mempool_rule &r)
	{
		std::size_t before = d_.size();
		fields ff(d_, f.get("fault_injection"), f.path("fault_injection"), f.pos("fault_injection"),
			  {"every_n", "probability_ppm", "seed"});
		if (!ff.is_map())
			return;
		ff.u32("every_n", r.fault_every_n, 0, UINT32_MAX);
		ff.u32("probability_ppm", r.fault_ppm, 0, 1000000);
		ff.u64("seed", r.fault_seed, 0, UINT64_MAX);
		if (d_.size() != before)
			return;
		if (r.fault_every_n == 0 && r.fault_ppm == 0) {
			d_.add(f.pos("fault_injection"), f.path("fault_injection"),
			       "injects nothing: give every_n or probability_ppm above 0 (or remove the block)");
			return;
		}
		r.faults = true;
	}

	// Longest mempool rule pattern.
	static constexpr std::size_t max_match = 63;

	diagnostics &d_;
	config &c_;
	std::vector<std::pair<std::string, position>> rule_matches_;
	bool topo_ok_ = true;
	tunable_origin defaults_origin_;
	sizing raw_sizing_;
	std::vector<std::pair<std::string, position>> cache_names_, pool_names_;
};

// Records where documents start and the tags nodes carry; ignores
// everything else.
struct document_events : YAML::EventHandler {
	struct tagged {
		YAML::Mark mark;
		std::string tag;
	};
	std::vector<YAML::Mark> marks;
	std::vector<tagged> tags; // explicit tags other than "!" (quoted scalars)
	void OnDocumentStart(const YAML::Mark &m) override { marks.push_back(m); }
	void OnDocumentEnd() override {}
	void OnNull(const YAML::Mark &, YAML::anchor_t) override {}
	void OnAlias(const YAML::Mark &, YAML::anchor_t) override {}
	void OnScalar(const YAML::Mark &m, const std::string &tag, YAML::anchor_t, const std::string &) override
	{
		note(m, tag);
	}
	void OnSequenceStart(const YAML::Mark &m, const std::string &tag, YAML::anchor_t,
			     YAML::EmitterStyle::value) override
	{
		note(m, tag);
	}
	void OnSequenceEnd() override {}
	void OnMapStart(const YAML::Mark &m, const std::string &tag, YAML::anchor_t, YAML::EmitterStyle::value) override
	{
		note(m, tag);
	}
	void OnMapEnd() override {}

private:
	// "?" untagged, "!" non-specific (quoted): the readers give both their meaning.
	void note(const YAML::Mark &m, const std::string &tag)
	{
		if (!tag.empty() && tag != "?" && tag != "!" && tags.size() < max_reported)
			tags.push_back({m, tag});
	}
	static constexpr std::size_t max_reported = 16;
};

// "!!str" for yaml-cpp's "tag:yaml.org,2002:str", as the file wrote it.
std::string tag_as_written(const std::string &tag)
{
	const std::string core = "tag:yaml.org,2002:";
	return tag.compare(0, core.size(), core) == 0 ? "!!" + tag.substr(core.size()) : tag;
}

// One document per file. yaml-cpp 0.7 meets some characters it cannot
// parse (a ',' starting a block line) with an empty document, again and
// again at the same place (YAML::LoadAll never returns: yaml-cpp issue
// 1040, fixed upstream by PR 1319): a document that starts where the
// previous one did is that case, a syntax error. Tags are refused: the
// readers do not honour them (a "!!str 5" would be read as a number), and
// an unknown one ("!foo") would be ignored in silence. False when reported.
bool check_documents(const std::string &text, diagnostics &d)
{
	std::istringstream in(text);
	YAML::Parser p(in);
	document_events h;
	for (int i = 0; i < 2 && p.HandleNextDocument(h); i++) {
	}
	for (const auto &t : h.tags)
		d.add(position_of(t.mark), "",
		      "YAML tag '" + tag_as_written(t.tag) + "' is not supported (slubq's files use no tags)");
	if (h.marks.size() < 2)
		return h.tags.empty();
	const YAML::Mark &first = h.marks[0], &second = h.marks[1];
	if (second.pos == first.pos) {
		char ch = first.pos >= 0 && std::size_t(first.pos) < text.size() ? text[std::size_t(first.pos)] : '?';
		d.add(position_of(first), "", std::string("YAML syntax: unexpected '") + ch + "'");
	} else {
		d.add(position_of(second), "", "one YAML document per file");
	}
	return false;
}

} // namespace

std::vector<std::string> debug_flag_names(std::uint32_t flags)
{
	std::vector<std::string> names;
	for (std::uint32_t bit = 1; bit != 0; bit <<= 1)
		if (const char *name = (flags & bit & SLUBQ_F_DEBUG) ? slubq_flag_name(bit) : nullptr)
			names.emplace_back(name);
	return names;
}

slubq_cache_params cache_params(const cache &c)
{
	slubq_cache_params p;
	slubq_cache_params_init(&p);
	p.name = c.name.c_str();
	p.obj_size = c.obj_size;
	p.align = c.tune.align;
	p.flags = c.tune.debug | (c.tune.dma ? SLUBQ_F_DMA : 0) | (c.tune.no_alien ? SLUBQ_F_NO_ALIEN : 0);
	p.queue_size = c.tune.queue_size == 0 ? SLUBQ_QUEUE_OFF : c.tune.queue_size;
	p.batch = c.tune.queue_size == 0 ? 0 : c.tune.batch;
	// 0 means "default" at creation: a cache without shared or alien
	// queues gets them set to 0 right after (config_apply.cpp).
	p.shared_size = c.tune.shared_size;
	p.alien_size = c.tune.alien_size;
	p.mem_limit = c.tune.mem_limit;
	p.slab_objs = c.tune.slab_objs;
	return p;
}

slubq_pool_config pool_tunables(const pool &p)
{
	slubq_pool_config t{};
	t.queue_size = p.tune.queue_size == 0 ? SLUBQ_QUEUE_OFF : p.tune.queue_size;
	t.batch = p.tune.queue_size == 0 ? 0 : p.tune.batch;
	t.shared_size = p.tune.shared_size;
	t.alien_size = p.tune.alien_size;
	t.flags = p.tune.debug | (p.tune.no_alien ? SLUBQ_F_NO_ALIEN : 0);
	t.slab_objs = p.tune.slab_objs;
	return t;
}

std::string mempool_name(const pool &p, unsigned socket)
{
	if (p.sockets.size() == 1)
		return p.name;
	return p.name + "_s" + std::to_string(socket);
}

int load_string(const std::string &text, const std::string &file, config &out, std::vector<std::string> &errors)
{
	out = config{};
	out.file = file;
	errors.clear();
	diagnostics d;
	if (text.size() > max_file_bytes) {
		errors.push_back(file + ": larger than " + std::to_string(max_file_bytes) + " bytes");
		return -EINVAL;
	}
	try {
		if (check_documents(text, d)) {
			parser(d, out).run(YAML::Load(text));
			if (d.empty())
				compute_sizing(out, d);
		}
	} catch (const YAML::DeepRecursion &e) {
		// yaml-cpp's own message is only "bad file".
		d.add(position_of(e.mark), "",
		      "YAML nesting too deep: the parser stops at " + std::to_string(e.depth()) +
			      " nested lists, maps and values (slubq's files need fewer than 10)");
	} catch (const YAML::ParserException &e) {
		d.add(position_of(e.mark), "", "YAML syntax: " + e.msg);
	} catch (const YAML::Exception &e) {
		d.add(position_of(e.mark), "", "YAML: " + e.msg);
	} catch (const std::exception &e) {
		d.add({}, "", std::string("cannot load: ") + e.what());
	}
	if (d.empty())
		return 0;
	errors = d.format(file);
	return -EINVAL;
}

int load_file(const std::string &path, config &out, std::vector<std::string> &errors)
{
	errors.clear();
	struct stat st;
	if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
		errors.push_back(path + ": not a regular file");
		return -EINVAL;
	}
	std::ifstream in(path, std::ios::binary);
	if (!in) {
		errors.push_back(path + ": cannot open: " + std::strerror(errno));
		return errno == ENOENT ? -ENOENT : -EIO;
	}
	std::ostringstream buf;
	buf << in.rdbuf();
	if (in.bad()) {
		errors.push_back(path + ": read error");
		return -EIO;
	}
	return load_string(buf.str(), path, out, errors);
}

} // namespace slubq::config
