/* SPDX-License-Identifier: BSD-3-Clause */
#include "top_model.hpp"

#include <algorithm>
#include <cstring>

namespace slubq_top {

namespace {

std::uint64_t u64(const json &j, const char *key)
{
	auto it = j.find(key);
	return it == j.end() ? 0 : it->get<std::uint64_t>();
}

// A counter that went backwards (cache re-created) counts from zero.
double delta(std::uint64_t prev, std::uint64_t cur) { return double(cur >= prev ? cur - prev : cur); }

// Counter fields by name, for reading and for rates.
struct counter_field {
	const char *name;
	std::uint64_t counters::*field;
};
constexpr counter_field counter_fields[] = {
	{"alloc_fast", &counters::alloc_fast}, {"alloc_slow", &counters::alloc_slow},
	{"free_fast", &counters::free_fast},   {"free_slow", &counters::free_slow},
	{"refills", &counters::refills},       {"flushes", &counters::flushes},
	{"alien_sent", &counters::alien_sent}, {"alien_flushes", &counters::alien_flushes},
	{"remote_allocs", &counters::remote_allocs}, {"alloc_fail", &counters::alloc_fail},
};

struct key_info {
	sort_key key;
	char ch;
	const char *name;
};
constexpr key_info keys[] = {
	{sort_key::name, 'n', "name"},       {sort_key::size, 's', "size"},
	{sort_key::objects, 'o', "objects"}, {sort_key::in_use, 'u', "inuse"},
	{sort_key::available, 'v', "avail"}, {sort_key::memory, 'm', "memory"},
	{sort_key::alloc, 'a', "alloc"},     {sort_key::free, 'f', "free"},
	{sort_key::alien, 'r', "alien"},     {sort_key::hit, 'h', "hit"},
};

// The value a row sorts by (hit: no traffic sorts below 0 %).
double sort_value(const cache_row &r, sort_key k)
{
	const cache_sample &s = *r.s;
	switch (k) {
	case sort_key::size: return double(s.obj_size);
	case sort_key::objects: return double(s.objects);
	case sort_key::in_use: return double(s.in_use);
	case sort_key::available: return double(s.available);
	case sort_key::memory: return double(s.mem_bytes);
	case sort_key::alloc: return r.r.alloc;
	case sort_key::free: return r.r.free;
	case sort_key::alien: return r.r.alien;
	case sort_key::hit: return r.r.hit.value_or(-1.0);
	case sort_key::name: break;
	}
	return 0;
}

} // namespace

counters counters_from_json(const json &j)
{
	counters c;
	if (!j.is_object())
		return c;
	for (const auto &f : counter_fields)
		c.*f.field = u64(j, f.name);
	return c;
}

cache_sample sample_from_json(const json &info, const json &stats)
{
	cache_sample s;
	s.name = info.at("cache").get<std::string>();
	s.time_ns = u64(stats, "time_ns");
	s.source = info.value("source", "");
	s.obj_size = u64(info, "obj_size");
	s.slab_size = u64(info, "slab_size");
	s.slab_objs = u64(info, "slab_objs");
	s.objects = u64(info, "objects");
	s.in_use = u64(info, "in_use");
	s.available = u64(info, "available");
	s.in_queues = u64(info, "in_queues");
	s.mem_bytes = u64(info, "mem_bytes");
	s.queue_size = u64(info, "queue_size");
	s.batch = u64(info, "batch");
	s.shared_size = u64(info, "shared_size");
	s.alien_size = u64(info, "alien_size");
	s.mem_limit = u64(info, "mem_limit");
	if (auto cfg = info.find("config"); cfg != info.end() && cfg->is_object()) {
		std::string file = cfg->value("file", "");
		if (!file.empty())
			s.config = file + ":" + std::to_string(cfg->value("line", 0u)) + ":" +
				   std::to_string(cfg->value("column", 0u)) + " " + cfg->value("rule", "") + " '" +
				   cfg->value("match", "") + "': " + cfg->value("settings", "");
		else
			s.config = cfg->value("sources", "");
		if (std::string env = cfg->value("env", ""); !env.empty())
			s.config += " + SLUBQ_MEMPOOL_CONFIG " + env;
	}
	s.total = counters_from_json(stats.value("total", json::object()));
	if (auto nodes = info.find("nodes"); nodes != info.end() && nodes->is_object()) {
		for (auto it = nodes->begin(); it != nodes->end(); ++it) {
			const json &n = it.value();
			node_sample ns;
			ns.socket = unsigned(std::stoul(it.key()));
			ns.real_socket = n.value("real_socket", 0);
			ns.slabs_partial = u64(n, "slabs_partial");
			ns.slabs_full = u64(n, "slabs_full");
			ns.slabs_empty = u64(n, "slabs_empty");
			ns.objects = u64(n, "objects");
			ns.free_in_slabs = u64(n, "free_in_slabs");
			ns.mem_bytes = u64(n, "mem_bytes");
			ns.shared_count = u64(n, "shared_count");
			ns.shared_size = u64(n, "shared_size");
			ns.alien_count = u64(n, "alien_count");
			ns.alien_size = u64(n, "alien_size");
			s.nodes.push_back(ns);
		}
	}
	// Lcores: those with a queue (info) and those with counters (stats).
	auto lcore = [&s](unsigned id) -> lcore_sample & {
		for (auto &l : s.lcores)
			if (l.lcore == id)
				return l;
		s.lcores.push_back(lcore_sample{});
		s.lcores.back().lcore = id;
		return s.lcores.back();
	};
	if (auto q = info.find("lcores"); q != info.end() && q->is_object())
		for (auto it = q->begin(); it != q->end(); ++it) {
			lcore_sample &l = lcore(unsigned(std::stoul(it.key())));
			l.has_queue = true;
			l.socket = unsigned(u64(it.value(), "socket"));
			l.count = u64(it.value(), "count");
			l.size = u64(it.value(), "size");
		}
	if (auto st = stats.find("lcores"); st != stats.end() && st->is_object())
		for (auto it = st->begin(); it != st->end(); ++it)
			lcore(unsigned(std::stoul(it.key()))).c = counters_from_json(it.value());
	std::sort(s.lcores.begin(), s.lcores.end(),
		  [](const lcore_sample &a, const lcore_sample &b) { return a.lcore < b.lcore; });
	return s;
}

const cache_sample *snapshot::find(const std::string &name) const
{
	for (const auto &c : caches)
		if (c.name == name || std::find(c.aliases.begin(), c.aliases.end(), name) != c.aliases.end())
			return &c;
	return nullptr;
}

rates rates_between(const counters &prev, const counters &cur, double seconds)
{
	rates r;
	r.valid = seconds > 0;
	if (!r.valid)
		return r;
	double alloc_fast = delta(prev.alloc_fast, cur.alloc_fast), alloc_slow = delta(prev.alloc_slow, cur.alloc_slow);
	double free_fast = delta(prev.free_fast, cur.free_fast), free_slow = delta(prev.free_slow, cur.free_slow);
	r.alloc = (alloc_fast + alloc_slow) / seconds;
	r.free = (free_fast + free_slow) / seconds;
	r.alien = delta(prev.alien_sent, cur.alien_sent) / seconds;
	r.refill = delta(prev.refills, cur.refills) / seconds;
	r.flush = delta(prev.flushes, cur.flushes) / seconds;
	r.remote = delta(prev.remote_allocs, cur.remote_allocs) / seconds;
	r.fail = delta(prev.alloc_fail, cur.alloc_fail) / seconds;
	double fast = alloc_fast + free_fast, slow = alloc_slow + free_slow;
	if (fast + slow > 0)
		r.hit = fast / (fast + slow);
	return r;
}

std::vector<cache_row> make_rows(const snapshot *prev, const snapshot &cur)
{
	std::vector<cache_row> rows;
	for (const auto &s : cur.caches) {
		cache_row row{&s, {}};
		const cache_sample *p = prev ? prev->find(s.name) : nullptr;
		if (p != nullptr && s.time_ns > p->time_ns)
			row.r = rates_between(p->total, s.total, double(s.time_ns - p->time_ns) / 1e9);
		rows.push_back(row);
	}
	return rows;
}

std::vector<lcore_row> make_lcore_rows(const cache_sample *prev, const cache_sample &cur)
{
	std::vector<lcore_row> rows;
	double seconds = prev && cur.time_ns > prev->time_ns ? double(cur.time_ns - prev->time_ns) / 1e9 : 0;
	for (const auto &l : cur.lcores) {
		lcore_row row{&l, {}};
		if (seconds > 0) {
			counters before;
			for (const auto &pl : prev->lcores)
				if (pl.lcore == l.lcore)
					before = pl.c;
			row.r = rates_between(before, l.c, seconds);
		}
		rows.push_back(row);
	}
	return rows;
}

std::optional<sort_key> sort_key_from_char(int ch)
{
	for (const auto &k : keys)
		if (k.ch == ch)
			return k.key;
	return std::nullopt;
}

std::optional<sort_key> sort_key_from_name(const std::string &name)
{
	for (const auto &k : keys)
		if (name == k.name || (name.size() == 1 && name[0] == k.ch))
			return k.key;
	if (name == "in_use" || name == "available" || name == "mem")
		return name == "in_use" ? sort_key::in_use : name == "available" ? sort_key::available : sort_key::memory;
	return std::nullopt;
}

const char *sort_key_name(sort_key k)
{
	for (const auto &i : keys)
		if (i.key == k)
			return i.name;
	return "?";
}

char sort_key_char(sort_key k)
{
	for (const auto &i : keys)
		if (i.key == k)
			return i.ch;
	return '?';
}

void sort_rows(std::vector<cache_row> &rows, sort_key k, bool reverse)
{
	std::stable_sort(rows.begin(), rows.end(), [k, reverse](const cache_row &a, const cache_row &b) {
		if (k != sort_key::name) {
			double va = sort_value(a, k), vb = sort_value(b, k);
			if (va != vb)
				return reverse ? va < vb : va > vb;
		}
		int byname = a.s->name.compare(b.s->name);
		return (k == sort_key::name && reverse) ? byname > 0 : byname < 0;
	});
}

} // namespace slubq_top
