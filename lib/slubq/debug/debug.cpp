/* SPDX-License-Identifier: BSD-3-Clause */
// The debug checks the locked path calls (cache/cache_debug.hpp): fault
// injection, then per object on allocation (poison intact, red zones
// intact, state, tracking) and on free (a pointer of this cache, the start
// of an object, allocated — not already free, red zones intact — then
// poison, state, tracking).
#include "cache/cache_debug.hpp"

#include <dlfcn.h>
#include <link.h>
#include <unwind.h>
#include <cstring>
#include <rte_cycles.h>
#include "cache/cache.hpp"
#include "common/log.hpp"
#include "debug/debug_object.hpp"

namespace slubq {

// Fault injection: every Nth allocation call, or with probability ppm.
bool debug_inject_fault(slubq_cache *c)
{
	debug_state &d = c->dbg;
	std::uint32_t every = load_relaxed(d.fail_every);
	std::uint32_t ppm = load_relaxed(d.fail_ppm);
	if (every == 0 && ppm == 0)
		return false;
	bool fail_now = false;
	if (every != 0) {
		std::uint64_t n = __atomic_add_fetch(&d.fail_calls, 1, __ATOMIC_RELAXED);
		fail_now = n % every == 0;
	}
	if (!fail_now && ppm != 0) {
		// xorshift64*, shared state: races only perturb the sequence.
		std::uint64_t x = load_relaxed(d.fail_seed);
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		store_relaxed(d.fail_seed, x);
		fail_now = (x * 2685821657736338717ull) % 1000000 < ppm;
	}
	if (fail_now)
		__atomic_add_fetch(&d.injected, 1, __ATOMIC_RELAXED);
	return fail_now;
}

namespace {

// The object file (DSO) holding addr, or null. _dl_find_object: lock-free
// and O(log n), unlike dladdr, which takes the loader's lock and scans the
// symbol table (measured in testpmd: dladdr per frame cost more than all
// the rest of a debug get/put).
const link_map *dso_of(const void *addr, dl_find_object &r)
{
	return _dl_find_object(const_cast<void *>(addr), &r) == 0 ? r.dlfo_link_map : nullptr;
}

// libslubq.so, or null when libslubq is linked into the program.
const link_map *library_map()
{
	dl_find_object r;
	const link_map *lm = dso_of(reinterpret_cast<const void *>(&library_map), r);
	return lm != nullptr && lm->l_name != nullptr && lm->l_name[0] != '\0' ? lm : nullptr;
}

bool passes_calls_on(const link_map *lm)
{
	static const link_map *const self = library_map();
	if (self != nullptr && lm == self)
		return true;
	const char *name = lm->l_name != nullptr ? lm->l_name : "";
	const char *slash = std::strrchr(name, '/');
	const char *file = slash ? slash + 1 : name;
	for (const char *lib : {"libslubq.so", "librte_mempool", "librte_mbuf", "librte_ethdev"})
		if (std::strncmp(file, lib, std::strlen(lib)) == 0)
			return true;
	return false;
}

// Is addr in code that only passes calls on: libslubq, or DPDK's generic
// mempool, mbuf and ethdev libraries (and this mempool plugin, whose file
// name starts with librte_mempool) that call a driver pool on behalf of
// the application or PMD that wants the objects? The last few objects
// seen, per thread, by address range (a DSO stays mapped while its code
// is on the stack).
bool pass_through(const void *addr)
{
	struct seen {
		std::uintptr_t start, end;
		bool pass;
	};
	// global-dynamic: no static TLS taken from a library that is dlopened
	// with the plugin (the build's default is initial-exec, for the fast path).
	static thread_local seen recent[8] __attribute__((tls_model("global-dynamic")));
	static thread_local unsigned next __attribute__((tls_model("global-dynamic")));
	const auto a = reinterpret_cast<std::uintptr_t>(addr);
	for (const seen &r : recent)
		if (a >= r.start && a < r.end)
			return r.pass;
	dl_find_object r;
	const link_map *lm = dso_of(addr, r);
	if (lm == nullptr)
		return false;
	bool pass = passes_calls_on(lm);
	recent[next++ % RTE_DIM(recent)] = {reinterpret_cast<std::uintptr_t>(r.dlfo_map_start),
					    reinterpret_cast<std::uintptr_t>(r.dlfo_map_end), pass};
	return pass;
}

// One step of the unwinder: frames before the pass-through ones (the
// unwinder's own, a sanitizer's interceptor), then the pass-through ones,
// then the caller, where the walk stops (unwinding costs per frame: most
// of a debug get/put's time in testpmd).
struct caller_walk {
	const void *found = nullptr;
	bool inside = false;
	int frames = 0;
};

_Unwind_Reason_Code caller_step(_Unwind_Context *ctx, void *arg)
{
	constexpr int max_frames = 16;
	auto *w = static_cast<caller_walk *>(arg);
	const auto *ip = reinterpret_cast<const void *>(_Unwind_GetIP(ctx));
	if (ip == nullptr || ++w->frames > max_frames)
		return _URC_END_OF_STACK;
	if (pass_through(ip)) {
		w->inside = true;
		return _URC_NO_REASON;
	}
	if (!w->inside)
		return _URC_NO_REASON;
	w->found = ip;
	return _URC_END_OF_STACK;
}

} // namespace

// ra is where the slow path returns to: the application itself when it
// inlines the fast path (slubq.hpp) or a C entry point tail-calls the slow
// path; inside libslubq.so when an entry point could not (one object of
// slubq_cache_alloc/free); inside the mempool plugin, called through
// librte_mempool/librte_mbuf, for a driver pool: then the caller is the
// application's function or the PMD's rx/tx routine. (Linked statically,
// the library and the application are one object: ra is kept.)
const void *app_caller(const void *ra)
{
	if (!pass_through(ra))
		return ra;
	caller_walk w;
	_Unwind_Backtrace(caller_step, &w);
	return w.found != nullptr ? w.found : ra;
}

namespace {

void mark_allocated(slubq_cache *c, void *obj, const debug_op &op)
{
	const slab *s = slab_of(c->geo, obj);
	obj_track *t = track_of(c, s, slab_index(c->geo, s, obj));
	std::uint8_t st = state_of(t);
	if (st == OBJ_FREE) {
		if (c->dbg.flags & SLUBQ_F_POISON)
			check_poison(c, obj, "allocation", &op);
		if (has_red_zones(c))
			check_red_zones(c, obj, red_inactive, "allocation", &op);
	} else if (st != OBJ_NEW) {
		debug_problem(c, obj, "allocation", &op, "object handed out while its debug state says %s",
			      state_name(st));
	}
	if (has_red_zones(c))
		fill_red_zones(c, obj, red_active);
	if (c->dbg.flags & SLUBQ_F_TRACK) {
		t->alloc_lcore = op.lcore;
		t->alloc_caller = reinterpret_cast<std::uintptr_t>(op.caller);
		t->alloc_tsc = rte_rdtsc();
	}
	__atomic_store_n(&t->state, std::uint8_t(OBJ_ALLOCATED), __ATOMIC_RELEASE);
}

} // namespace

bool debug_accept_free(slubq_cache *c, void *obj, const debug_op &op)
{
	if (obj == nullptr) {
		debug_problem(c, obj, "free", &op, "NULL pointer");
		return false;
	}
	if (!in_some_slab(c, obj)) {
		debug_problem(c, obj, "free", &op, "not an object of this cache (foreign pointer: no slab there)");
		return false;
	}
	slab *s = slab_of(c->geo, obj);
	if (s->owner != c) {
		debug_problem(c, obj, "free", &op, "not an object of this cache (foreign pointer: another cache's slab)");
		return false;
	}
	std::uint32_t idx = slab_index(c->geo, s, obj);
	if (idx == UINT32_MAX) {
		debug_problem(c, obj, "free", &op, "pointer is not the start of an object (interior or misaligned)");
		return false;
	}
	obj_track *t = track_of(c, s, idx);
	std::uint8_t was = OBJ_ALLOCATED;
	if (!__atomic_compare_exchange_n(&t->state, &was, std::uint8_t(OBJ_FREE), false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		if (was == OBJ_FREE)
			debug_problem(c, obj, "free", &op, "double free: the object is already free (%s)",
				      slab_bit(s, idx) ? "in its slab" : "waiting in a queue");
		else if (was == OBJ_NEW)
			debug_problem(c, obj, "free", &op, "free of an object that was never allocated");
		else
			debug_problem(c, obj, "free", &op, "debug state corrupt (0x%02x)", was);
		return false;
	}
	if (has_red_zones(c))
		check_red_zones(c, obj, red_active, "free", &op);
	if (c->dbg.mbuf)
		check_mbuf_freed(c, obj, op);
	if (c->dbg.flags & SLUBQ_F_TRACK) {
		t->free_lcore = op.lcore;
		t->free_caller = reinterpret_cast<std::uintptr_t>(op.caller);
		t->free_tsc = rte_rdtsc();
	}
	if (c->dbg.flags & SLUBQ_F_POISON)
		fill_poison(c, obj);
	if (has_red_zones(c))
		fill_red_zones(c, obj, red_inactive);
	return true;
}

void debug_mark_allocated(slubq_cache *c, void *const *objs, std::uint32_t n, const debug_op &op)
{
	for (std::uint32_t i = 0; i < n; i++)
		mark_allocated(c, objs[i], op);
}

} // namespace slubq
