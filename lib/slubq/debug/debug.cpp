/* SPDX-License-Identifier: BSD-3-Clause */
// The locked path with its debug checks: fault injection, then per object
// on allocation (poison intact, red zones intact, state, tracking) and on
// free (a pointer of this cache, the start of an object, allocated — not
// already free, red zones intact — then poison, state, tracking).
// A bad object is reported, counted and dropped (a free) or handed out
// with its bytes repaired (an allocation): the cache stays consistent.
#include "debug/debug.hpp"

#include <dlfcn.h>
#include <execinfo.h>
#include <link.h>
#include <cstring>
#include <rte_cycles.h>
#include "cache/cache.hpp"
#include "common/log.hpp"
#include "debug/debug_object.hpp"

namespace slubq {

namespace {

// Fault injection: every Nth allocation call, or with probability ppm.
bool inject_fault(slubq_cache *c)
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

// Base of libslubq.so, or null when libslubq is linked into the program.
const void *library_base()
{
	Dl_info info;
	link_map *lm = nullptr;
	if (dladdr1(reinterpret_cast<const void *>(&library_base), &info, reinterpret_cast<void **>(&lm),
		    RTLD_DL_LINKMAP) == 0 ||
	    lm == nullptr || lm->l_name == nullptr || lm->l_name[0] == '\0')
		return nullptr;
	return info.dli_fbase;
}

// Is addr in code that only passes calls on: libslubq, or DPDK's generic
// mempool, mbuf and ethdev libraries (and this mempool plugin, whose file
// name starts with librte_mempool) that call a driver pool on behalf of
// the application or PMD that wants the objects?
bool pass_through(const void *addr)
{
	static const void *const self = library_base();
	Dl_info info;
	if (dladdr(addr, &info) == 0)
		return false;
	if (self != nullptr && info.dli_fbase == self)
		return true;
	const char *slash = info.dli_fname ? std::strrchr(info.dli_fname, '/') : nullptr;
	const char *file = slash ? slash + 1 : info.dli_fname ? info.dli_fname : "";
	for (const char *lib : {"libslubq.so", "librte_mempool", "librte_mbuf", "librte_ethdev"})
		if (std::strncmp(file, lib, std::strlen(lib)) == 0)
			return true;
	return false;
}

// The application's return address. ra is where the slow path returns to:
// the application itself when it inlines the fast path (slubq.hpp) or when
// a C entry point tail-calls the slow path; but inside libslubq.so when an
// entry point could not (slubq_cache_alloc/free of one object), and inside
// the mempool plugin, called through librte_mempool/librte_mbuf, for a
// driver pool. Then the first frame outside those is the caller: the
// application's function or the PMD's rx/tx routine. (Linked statically,
// the library and the application are one object: ra is kept.)
const void *app_caller(const void *ra)
{
	if (!pass_through(ra))
		return ra;
	void *frames[16];
	int n = backtrace(frames, RTE_DIM(frames));
	int i = 0;
	while (i < n && !pass_through(frames[i])) // backtrace's own frames (a sanitizer's interceptor)
		i++;
	while (i < n && pass_through(frames[i]))
		i++;
	return i < n ? frames[i] : ra;
}

unsigned socket_of_caller(const slubq_cache *c, unsigned lcore)
{
	return lcore < RTE_MAX_LCORE ? c->topo.lcore_socket[lcore] : topology_thread_socket(c->topo);
}

// An object just taken from the node: check what a free object must hold,
// then mark it allocated. Damage is reported and repaired; the object is
// still handed out (it is a valid object; the damage was someone else's).
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

// May obj be freed into c? Reports (and refuses) anything that is not an
// allocated object of c; otherwise checks its red zones and marks it free.
bool accept_free(slubq_cache *c, void *obj, const debug_op &op)
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

} // namespace

bool debug_active(const slubq_cache *c)
{
	return c->dbg.flags != 0 || load_relaxed(c->dbg.fail_every) != 0 || load_relaxed(c->dbg.fail_ppm) != 0;
}

int debug_alloc(slubq_cache *c, unsigned lcore, void **objs, std::uint32_t n, const void *caller)
{
	if (inject_fault(c))
		return fail(ENOBUFS);
	int rc = alloc_locked(c, socket_of_caller(c, lcore), objs, n);
	if (rc < 0 || c->geo.meta_size == 0)
		return rc;
	const debug_op op{lcore, app_caller(caller)};
	for (std::uint32_t i = 0; i < n; i++)
		mark_allocated(c, objs[i], op);
	return 0;
}

void debug_free(slubq_cache *c, unsigned lcore, void *const *objs, std::uint32_t n, const void *caller)
{
	const unsigned socket = socket_of_caller(c, lcore);
	if (c->geo.meta_size == 0) {
		free_locked(c, socket, objs, n);
		return;
	}
	const debug_op op{lcore, app_caller(caller)};
	void *good[64];
	std::uint32_t k = 0;
	for (std::uint32_t i = 0; i < n; i++) {
		if (!accept_free(c, objs[i], op))
			continue;
		good[k++] = objs[i];
		if (k == RTE_DIM(good)) {
			free_locked(c, socket, good, k);
			k = 0;
		}
	}
	if (k != 0)
		free_locked(c, socket, good, k);
}

} // namespace slubq
