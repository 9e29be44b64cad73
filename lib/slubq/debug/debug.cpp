/* SPDX-License-Identifier: BSD-3-Clause */
#include "debug/debug.hpp"

#include <rte_cycles.h>
#include "cache/cache.hpp"
#include "common/log.hpp"

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

} // namespace

int debug_alloc(slubq_cache *c, unsigned lcore, void **objs, std::uint32_t n)
{
	if (inject_fault(c))
		return fail(ENOBUFS);
	return alloc_locked(c, c->topo.lcore_socket[lcore], objs, n);
}

void debug_free(slubq_cache *c, unsigned lcore, void *const *objs, std::uint32_t n)
{
	free_locked(c, c->topo.lcore_socket[lcore], objs, n);
}

void debug_report(slubq_cache *c, const void *obj, const char *what, const char *why)
{
	SLUBQ_LOG(ERR, "cache %s: %s of %p: %s", c->name, what, obj, why);
}

} // namespace slubq

#include "debug/debug_check.hpp"

namespace slubq {

void debug_verify(slubq_cache *c, const std::function<void(const char *)> &problem)
{
	(void)c;
	(void)problem;
}

} // namespace slubq
