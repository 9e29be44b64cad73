/* SPDX-License-Identifier: BSD-3-Clause */
#include "top_format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>

namespace slubq_top {

namespace {

__attribute__((format(printf, 1, 2))) std::string fmt(const char *f, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, f);
	std::vsnprintf(buf, sizeof(buf), f, ap);
	va_end(ap);
	return buf;
}

std::string rate(const rates &r, double v) { return r.valid ? human_count(v) : "-"; }

// Rates to 0.1 per second and hit rates to 0.0001: enough for any reader.
json rate_json(const rates &r, double v) { return r.valid ? json(std::round(v * 10) / 10) : json(nullptr); }

json hit_json(const rates &r) { return r.valid && r.hit ? json(std::round(*r.hit * 1e4) / 1e4) : json(nullptr); }

std::string use_percent(const cache_sample &s)
{
	return s.objects ? percent(double(s.in_use) / double(s.objects)) : "-";
}

std::string title(const app_info &app)
{
	return fmt("slubq-top - %s (pid %ld), file prefix '%s', %s, every %.1f s", app.app.c_str(), app.pid,
		   app.prefix.c_str(), app.version.c_str(), app.interval);
}

const char *caches_help = "sort: o objects u in-use v avail m memory s size n name a alloc f free r alien h hit; "
			  "R reverse; Enter lcores; q quit";
const char *cache_help = "Esc/b/Left back to the list; +/- interval; q quit";

} // namespace

std::string human_count(double v)
{
	if (v < 0)
		return "-";
	if (v < 9999.5)
		return fmt("%.0f", v);
	static const char units[] = "KMGTP";
	double x = v;
	for (char u : std::string(units)) {
		x /= 1000;
		// Round first, then choose: 999.6K is shown as 1.0M, never 1000K.
		if (x < 99.95)
			return fmt("%.1f%c", x, u);
		if (x < 999.5 || u == 'P')
			return fmt("%.0f%c", x, u);
	}
	return fmt("%.0f", v);
}

std::string human_bytes(std::uint64_t v)
{
	if (v < 1024)
		return fmt("%llu B", static_cast<unsigned long long>(v));
	static const char *units[] = {"KiB", "MiB", "GiB", "TiB"};
	double x = double(v);
	for (const char *u : units) {
		x /= 1024;
		if (x < 1023.95 || u == units[3])
			return fmt("%.1f %s", x, u);
	}
	return "?";
}

std::string percent(std::optional<double> fraction)
{
	return fraction ? fmt("%.1f", *fraction * 100.0) : "-";
}

std::vector<line> render_caches(const app_info &app, const std::vector<cache_row> &rows, sort_key key, bool reverse,
				int selected, bool help)
{
	std::vector<line> out;
	out.push_back({title(app), line_style::title});
	std::uint64_t objects = 0, in_use = 0, mem = 0;
	double alloc = 0, free = 0, alien = 0;
	std::size_t aliases = 0, name_w = 16;
	bool rates_valid = !rows.empty();
	for (const auto &r : rows) {
		objects += r.s->objects;
		in_use += r.s->in_use;
		mem += r.s->mem_bytes;
		alloc += r.r.alloc;
		free += r.r.free;
		alien += r.r.alien;
		aliases += r.s->aliases.size();
		rates_valid = rates_valid && r.r.valid;
		name_w = std::max(name_w, r.s->name.size() + (r.s->aliases.empty() ? 0 : 2));
	}
	out.push_back({fmt("Caches: %zu, aliases: %zu   Objects in use / total: %s / %s (%s%%)   Memory: %s",
			   rows.size(), aliases, human_count(double(in_use)).c_str(),
			   human_count(double(objects)).c_str(),
			   objects ? percent(double(in_use) / double(objects)).c_str() : "-",
			   human_bytes(mem).c_str())});
	out.push_back({fmt("Alloc/s: %s   Free/s: %s   Alien/s: %s   Sort: %s%s", rates_valid ? human_count(alloc).c_str() : "-",
			   rates_valid ? human_count(free).c_str() : "-", rates_valid ? human_count(alien).c_str() : "-",
			   sort_key_name(key), reverse ? " (reversed)" : "")});
	if (help)
		out.push_back({caches_help});
	out.push_back({""});
	int nw = int(name_w);
	out.push_back({fmt("%-*s %7s %9s %9s %9s %6s %10s %9s %9s %9s %6s", nw, "NAME", "SIZE", "OBJECTS", "IN USE", "AVAIL",
			   "USE%", "MEMORY", "ALLOC/s", "FREE/s", "ALIEN/s", "HIT%"),
		       line_style::header});
	for (std::size_t i = 0; i < rows.size(); i++) {
		const cache_sample &s = *rows[i].s;
		const rates &r = rows[i].r;
		std::string name = s.name + (s.aliases.empty() ? "" : " +");
		out.push_back({fmt("%-*s %7llu %9s %9s %9s %6s %10s %9s %9s %9s %6s", nw, name.c_str(),
				   static_cast<unsigned long long>(s.obj_size), human_count(double(s.objects)).c_str(),
				   human_count(double(s.in_use)).c_str(), human_count(double(s.available)).c_str(),
				   use_percent(s).c_str(), human_bytes(s.mem_bytes).c_str(), rate(r, r.alloc).c_str(),
				   rate(r, r.free).c_str(), rate(r, r.alien).c_str(),
				   r.valid ? percent(r.hit).c_str() : "-"),
			       int(i) == selected ? line_style::selected : line_style::plain});
	}
	if (rows.empty())
		out.push_back({"(no slubq caches yet)"});
	return out;
}

std::vector<line> render_cache(const app_info &app, const cache_row &row, const std::vector<lcore_row> &lcores,
			       bool help)
{
	const cache_sample &s = *row.s;
	std::vector<line> out;
	out.push_back({title(app), line_style::title});
	std::string aliases;
	for (const auto &a : s.aliases)
		aliases += (aliases.empty() ? " (aliases: " : ", ") + a;
	if (!aliases.empty())
		aliases += ")";
	out.push_back({fmt("Cache %s%s: %s, %llu-byte objects, slabs of %s x %llu", s.name.c_str(), aliases.c_str(),
			   s.source.c_str(), static_cast<unsigned long long>(s.obj_size), human_bytes(s.slab_size).c_str(),
			   static_cast<unsigned long long>(s.slab_objs))});
	out.push_back({fmt("Tunables: queue %llu  batch %llu  shared %llu  alien %llu  limit %s",
			   static_cast<unsigned long long>(s.queue_size), static_cast<unsigned long long>(s.batch),
			   static_cast<unsigned long long>(s.shared_size), static_cast<unsigned long long>(s.alien_size),
			   s.mem_limit ? human_bytes(s.mem_limit).c_str() : "none")});
	if (!s.config.empty())
		out.push_back({"Configured by: " + s.config});
	out.push_back({fmt("Objects: %s in use / %s total (%s%%), %s available, %s in queues   Memory: %s",
			   human_count(double(s.in_use)).c_str(), human_count(double(s.objects)).c_str(),
			   use_percent(s).c_str(), human_count(double(s.available)).c_str(),
			   human_count(double(s.in_queues)).c_str(), human_bytes(s.mem_bytes).c_str())});
	const rates &r = row.r;
	out.push_back({fmt("Alloc/s: %s   Free/s: %s   Alien/s: %s   Queue hit: %s%%", rate(r, r.alloc).c_str(),
			   rate(r, r.free).c_str(), rate(r, r.alien).c_str(), r.valid ? percent(r.hit).c_str() : "-")});
	if (help)
		out.push_back({cache_help});
	out.push_back({""});
	out.push_back({fmt("%6s %4s %8s %6s %6s %10s %11s %11s %10s", "SOCKET", "REAL", "PARTIAL", "FULL", "EMPTY",
			   "FREE", "SHARED", "ALIEN", "MEMORY"),
		       line_style::header});
	for (const auto &n : s.nodes) {
		std::string shared = fmt("%llu/%llu", static_cast<unsigned long long>(n.shared_count),
					 static_cast<unsigned long long>(n.shared_size));
		std::string alien = fmt("%llu/%llu", static_cast<unsigned long long>(n.alien_count),
					static_cast<unsigned long long>(n.alien_size));
		out.push_back({fmt("%6u %4d %8llu %6llu %6llu %10s %11s %11s %10s", n.socket, n.real_socket,
				   static_cast<unsigned long long>(n.slabs_partial),
				   static_cast<unsigned long long>(n.slabs_full),
				   static_cast<unsigned long long>(n.slabs_empty), human_count(double(n.free_in_slabs)).c_str(),
				   shared.c_str(), alien.c_str(), human_bytes(n.mem_bytes).c_str())});
	}
	out.push_back({""});
	out.push_back({fmt("%5s %6s %11s %9s %9s %6s %9s %9s %9s %9s %7s", "LCORE", "SOCKET", "QUEUE", "ALLOC/s", "FREE/s",
			   "HIT%", "REFILL/s", "FLUSH/s", "ALIEN/s", "REMOTE/s", "FAIL/s"),
		       line_style::header});
	for (const auto &lr : lcores) {
		const lcore_sample &l = *lr.l;
		const rates &q = lr.r;
		std::string queue = l.has_queue ? fmt("%llu/%llu", static_cast<unsigned long long>(l.count),
						      static_cast<unsigned long long>(l.size))
						: "-";
		out.push_back({fmt("%5u %6s %11s %9s %9s %6s %9s %9s %9s %9s %7s", l.lcore,
				   l.has_queue ? std::to_string(l.socket).c_str() : "-", queue.c_str(),
				   rate(q, q.alloc).c_str(), rate(q, q.free).c_str(), q.valid ? percent(q.hit).c_str() : "-",
				   rate(q, q.refill).c_str(), rate(q, q.flush).c_str(), rate(q, q.alien).c_str(),
				   rate(q, q.remote).c_str(), rate(q, q.fail).c_str())});
	}
	if (lcores.empty())
		out.push_back({"(no lcore has used this cache yet)"});
	return out;
}

namespace {

json app_json(const app_info &app)
{
	return {{"prefix", app.prefix}, {"app", app.app}, {"pid", app.pid}, {"dpdk", app.version},
		{"interval_s", app.interval}};
}

json row_json(const cache_row &row)
{
	const cache_sample &s = *row.s;
	const rates &r = row.r;
	return {{"name", s.name},
		{"aliases", s.aliases},
		{"source", s.source},
		{"obj_size", s.obj_size},
		{"objects", s.objects},
		{"in_use", s.in_use},
		{"available", s.available},
		{"in_queues", s.in_queues},
		{"mem_bytes", s.mem_bytes},
		{"queue_size", s.queue_size},
		{"batch", s.batch},
		{"shared_size", s.shared_size},
		{"alien_size", s.alien_size},
		{"config", s.config.empty() ? json(nullptr) : json(s.config)},
		{"alloc_per_s", rate_json(r, r.alloc)},
		{"free_per_s", rate_json(r, r.free)},
		{"alien_per_s", rate_json(r, r.alien)},
		{"hit_rate", hit_json(r)}};
}

} // namespace

json caches_json(const app_info &app, const std::vector<cache_row> &rows)
{
	json j = app_json(app);
	j["caches"] = json::array();
	for (const auto &r : rows)
		j["caches"].push_back(row_json(r));
	return j;
}

json cache_json(const app_info &app, const cache_row &row, const std::vector<lcore_row> &lcores)
{
	json j = app_json(app);
	j["cache"] = row_json(row);
	j["cache"]["slab_size"] = row.s->slab_size;
	j["cache"]["slab_objs"] = row.s->slab_objs;
	j["nodes"] = json::array();
	for (const auto &n : row.s->nodes)
		j["nodes"].push_back({{"socket", n.socket},
				      {"real_socket", n.real_socket},
				      {"slabs_partial", n.slabs_partial},
				      {"slabs_full", n.slabs_full},
				      {"slabs_empty", n.slabs_empty},
				      {"objects", n.objects},
				      {"free_in_slabs", n.free_in_slabs},
				      {"shared_count", n.shared_count},
				      {"shared_size", n.shared_size},
				      {"alien_count", n.alien_count},
				      {"alien_size", n.alien_size},
				      {"mem_bytes", n.mem_bytes}});
	j["lcores"] = json::array();
	for (const auto &lr : lcores) {
		const lcore_sample &l = *lr.l;
		const rates &r = lr.r;
		j["lcores"].push_back({{"lcore", l.lcore},
				       {"socket", l.has_queue ? json(l.socket) : json(nullptr)},
				       {"queue_count", l.count},
				       {"queue_size", l.has_queue ? json(l.size) : json(nullptr)},
				       {"alloc_per_s", rate_json(r, r.alloc)},
				       {"free_per_s", rate_json(r, r.free)},
				       {"hit_rate", hit_json(r)},
				       {"refill_per_s", rate_json(r, r.refill)},
				       {"flush_per_s", rate_json(r, r.flush)},
				       {"alien_per_s", rate_json(r, r.alien)},
				       {"remote_per_s", rate_json(r, r.remote)},
				       {"fail_per_s", rate_json(r, r.fail)}});
	}
	return j;
}

} // namespace slubq_top
