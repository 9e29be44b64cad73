/* SPDX-License-Identifier: BSD-3-Clause */
// Debug reports: one rte_log line per problem naming the cache, the object,
// what happened, the operation that found it and the object's tracking
// record; and the byte checks (red zones, poison) that find most of them.
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <rte_cycles.h>
#include <rte_memory.h>
#include "common/log.hpp"
#include "cache/cache_debug.hpp"
#include "debug/debug_object.hpp"

namespace slubq {

namespace {

// Log the first reports of a cache, then one in log_every: a buggy
// application must not drown the log (every problem is still counted).
constexpr std::uint64_t log_first = 100;
constexpr std::uint64_t log_every = 1000;

struct line_buf {
	char s[1024];
	std::size_t used = 0;

	void add(const char *fmt, ...) __attribute__((format(printf, 2, 3)))
	{
		if (used + 1 >= sizeof(s))
			return;
		va_list ap;
		va_start(ap, fmt);
		int k = std::vsnprintf(s + used, sizeof(s) - used, fmt, ap);
		va_end(ap);
		if (k > 0)
			used = std::min(sizeof(s) - 1, used + std::size_t(k));
	}
};

void add_lcore(line_buf &b, unsigned lcore)
{
	if (lcore == LCORE_ID_ANY)
		b.add("non-EAL thread");
	else
		b.add("lcore %u", lcore);
}

void add_caller(line_buf &b, std::uint64_t caller)
{
	char s[256];
	format_caller(s, sizeof(s), caller);
	b.add("%s", s);
}

void add_event(line_buf &b, const char *name, std::uint32_t lcore, std::uint64_t caller, std::uint64_t tsc,
	       std::uint64_t now)
{
	b.add("; last %s: ", name);
	if (tsc == 0) {
		b.add("never");
		return;
	}
	add_lcore(b, lcore);
	b.add(", ");
	add_caller(b, caller);
	b.add(", tsc %" PRIu64 " (%.1f us ago)", tsc, double(now - tsc) * 1e6 / double(rte_get_tsc_hz()));
}

// What we know about obj: its slot, state and tracking, or whose it is.
void add_object(line_buf &b, const slubq_cache *c, const void *obj)
{
	if (obj == nullptr)
		return;
	if (!in_some_slab(c, obj))
		return;
	const slab *s = slab_of(c->geo, obj);
	if (s->owner != c) {
		const slubq_cache *o = s->owner;
		if (o != nullptr && in_eal_memory(o) && o->magic == cache_magic)
			b.add("; it belongs to cache %s", o->name);
		return;
	}
	std::uint32_t idx = slab_index(c->geo, s, obj);
	if (idx == UINT32_MAX) {
		auto off = reinterpret_cast<std::uintptr_t>(obj) - reinterpret_cast<std::uintptr_t>(s);
		if (off < c->geo.first_off)
			return void(b.add("; it points into the header of slab %p", static_cast<const void *>(s)));
		std::uint64_t slot = (off - c->geo.first_off) / c->geo.stride;
		if (slot >= s->nr_objs)
			return void(b.add("; it points past the objects of slab %p", static_cast<const void *>(s)));
		const void *start = slab_obj(c->geo, s, std::uint32_t(slot));
		b.add("; %+td bytes from the start of object %p", static_cast<const char *>(obj) -
			  static_cast<const char *>(start), start);
		obj = start;
		idx = std::uint32_t(slot);
	}
	b.add("; object %u of slab %p", idx, static_cast<const void *>(s));
	const obj_track *t = track_of(c, s, idx);
	if (t == nullptr)
		return;
	b.add(", state %s", state_name(state_of(t)));
	if (!(c->dbg.flags & SLUBQ_F_TRACK)) {
		b.add(" (no owner tracking: SLUBQ_F_TRACK off)");
		return;
	}
	std::uint64_t now = rte_rdtsc();
	add_event(b, "alloc", t->alloc_lcore, t->alloc_caller, t->alloc_tsc, now);
	add_event(b, "free", t->free_lcore, t->free_caller, t->free_tsc, now);
}

void log_report(slubq_cache *c, const void *obj, const char *what, const debug_op *op, const char *why)
{
	std::uint64_t n = load_relaxed(c->dbg.errors);
	if (n > log_first && n % log_every != 0)
		return;
	line_buf b;
	b.add("cache %s: %s of %p", c->name, what, obj);
	if (op != nullptr) {
		b.add(" by ");
		add_lcore(b, op->lcore);
		b.add(" (");
		add_caller(b, reinterpret_cast<std::uintptr_t>(caller_of(*op)));
		b.add(")");
	}
	b.add(": %s", why);
	add_object(b, c, obj);
	if (n == log_first)
		b.add(" [%" PRIu64 " problems: from now on 1 report in %" PRIu64 " is logged]", n, log_every);
	SLUBQ_LOG(ERR, "%s", b.s);
}

} // namespace

void format_caller(char *buf, std::size_t len, std::uint64_t caller)
{
	int k = std::snprintf(buf, len, "caller %#" PRIx64, caller);
	Dl_info info;
	if (k < 0 || std::size_t(k) >= len || caller == 0 || dladdr(reinterpret_cast<void *>(caller), &info) == 0 ||
	    info.dli_sname == nullptr)
		return;
	const char *slash = info.dli_fname ? std::strrchr(info.dli_fname, '/') : nullptr;
	const char *file = slash ? slash + 1 : info.dli_fname ? info.dli_fname : "";
	std::snprintf(buf + k, len - std::size_t(k), " (%s+%#" PRIxPTR "%s%s)", info.dli_sname,
		      std::uintptr_t(caller) - reinterpret_cast<std::uintptr_t>(info.dli_saddr), file[0] ? " in " : "",
		      file);
}

bool in_eal_memory(const void *p)
{
	const rte_memseg_list *msl = rte_mem_virt2memseg_list(p);
	if (msl == nullptr)
		return false;
	auto idx = int(RTE_PTR_DIFF(p, msl->base_va) / msl->page_sz);
	return rte_fbarray_is_used(const_cast<rte_fbarray *>(&msl->memseg_arr), unsigned(idx)) == 1;
}

const char *state_name(std::uint8_t state)
{
	switch (state) {
	case OBJ_NEW: return "never allocated";
	case OBJ_ALLOCATED: return "allocated";
	case OBJ_FREE: return "free";
	default: return "corrupt";
	}
}

void debug_report(slubq_cache *c, const void *obj, const char *what, const char *why)
{
	log_report(c, obj, what, nullptr, why);
}

void debug_problem(slubq_cache *c, const void *obj, const char *what, const debug_op *op, const char *fmt, ...)
{
	__atomic_add_fetch(&c->dbg.errors, 1, __ATOMIC_RELAXED);
	char why[256];
	va_list ap;
	va_start(ap, fmt);
	std::vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	log_report(c, obj, what, op, why);
}

long first_bad_byte(const byte_span &s, std::uint8_t v)
{
	// Eight bytes at a time up to the first difference (an mbuf's 2 KiB
	// buffer is checked at every allocation in debug mode).
	const std::uint64_t pattern = 0x0101010101010101ull * v;
	std::uint32_t i = 0;
	for (std::uint64_t w; i + 8 <= s.len; i += 8) {
		std::memcpy(&w, s.p + i, sizeof(w));
		if (w != pattern)
			break;
	}
	for (; i < s.len; i++)
		if (s.p[i] != v)
			return long(i);
	return -1;
}

// The poisoned bytes of obj: the whole object, or an mbuf's data buffer.
byte_span poison_span(const slubq_cache *c, const void *obj)
{
	return {static_cast<std::uint8_t *>(const_cast<void *>(obj)) + c->dbg.poison_off, c->dbg.poison_len, "poison"};
}

long first_bad_poison(const slubq_cache *c, const void *obj)
{
	byte_span p = poison_span(c, obj);
	if (p.len == 0)
		return -1;
	byte_span body{p.p, p.len - 1, "object"};
	long bad = first_bad_byte(body, poison_free);
	if (bad < 0 && p.p[p.len - 1] != poison_end)
		bad = long(p.len - 1);
	return bad < 0 ? -1 : bad + long(c->dbg.poison_off);
}

void fill_poison(const slubq_cache *c, void *obj)
{
	byte_span p = poison_span(c, obj);
	if (p.len == 0)
		return;
	std::memset(p.p, poison_free, p.len - 1);
	p.p[p.len - 1] = poison_end;
}

void fill_red_zones(const slubq_cache *c, void *obj, std::uint8_t v)
{
	byte_span l = left_zone(c, obj), r = right_zone(c, obj);
	std::memset(l.p, v, l.len);
	std::memset(r.p, v, r.len);
}

unsigned check_red_zones(slubq_cache *c, void *obj, std::uint8_t v, const char *what, const debug_op *op,
			 const problem_fn *also)
{
	unsigned bad = 0;
	for (const byte_span &z : {left_zone(c, obj), right_zone(c, obj)}) {
		long at = first_bad_byte(z, v);
		if (at < 0)
			continue;
		bad++;
		char why[160];
		std::snprintf(why, sizeof(why), "%s overwritten at byte %ld of %u (0x%02x, expected 0x%02x)", z.name,
			      at, z.len, z.p[at], v);
		debug_problem(c, obj, what, op, "%s", why);
		if (also != nullptr) {
			char msg[256];
			std::snprintf(msg, sizeof(msg), "object %p: %s", obj, why);
			(*also)(msg);
		}
		std::memset(z.p, v, z.len); // repaired: the next check reports new damage only
	}
	return bad;
}

bool check_poison(slubq_cache *c, void *obj, const char *what, const debug_op *op, const problem_fn *also)
{
	long at = first_bad_poison(c, obj);
	if (at < 0)
		return true;
	// How many bytes changed, and where: the size of the stray write.
	byte_span p = poison_span(c, obj);
	std::uint32_t changed = 0, last = 0;
	for (std::uint32_t i = 0; i < p.len; i++)
		if (p.p[i] != (i + 1 == p.len ? poison_end : poison_free)) {
			changed++;
			last = i + c->dbg.poison_off;
		}
	char why[200];
	int k = std::snprintf(why, sizeof(why), "write after free: poison overwritten at byte %ld of %u (0x%02x)", at,
			      c->geo.obj_size, static_cast<const std::uint8_t *>(obj)[at]);
	if (c->dbg.mbuf && k > 0 && std::size_t(k) < sizeof(why))
		std::snprintf(why + k, sizeof(why) - std::size_t(k), ", %u byte(s) changed up to byte %u, in the mbuf "
			      "data buffer (bytes %u..%u)", changed, last, c->dbg.poison_off,
			      c->dbg.poison_off + c->dbg.poison_len - 1);
	debug_problem(c, obj, what, op, "%s", why);
	if (also != nullptr) {
		char msg[256];
		std::snprintf(msg, sizeof(msg), "object %p: %s", obj, why);
		(*also)(msg);
	}
	fill_poison(c, obj);
	return false;
}

} // namespace slubq
