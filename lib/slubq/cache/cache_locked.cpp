/* SPDX-License-Identifier: BSD-3-Clause */
// The locked path (cache/cache_locked.hpp): fault injection, the caller's
// node under its lock (alloc_locked / free_locked), and the debug layer's
// per-object checks when the cache keeps debug records. A bad object is
// reported, counted and dropped (a free) or handed out with its bytes
// repaired (an allocation): the cache stays consistent.
#include "cache/cache_locked.hpp"

#include <rte_common.h>
#include "cache/cache.hpp"
#include "cache/cache_debug.hpp"
#include "common/log.hpp"

namespace slubq {

namespace {

unsigned socket_of_caller(const slubq_cache *c, unsigned lcore)
{
	return lcore < RTE_MAX_LCORE ? c->topo.lcore_socket[lcore] : topology_thread_socket(c->topo);
}

debug_op op_of(const slubq_cache *c, unsigned lcore, const void *caller)
{
	return debug_op{lcore, (c->dbg.flags & SLUBQ_F_TRACK) ? app_caller(caller) : nullptr, caller};
}

} // namespace

bool debug_active(const slubq_cache *c)
{
	return c->dbg.flags != 0 || load_relaxed(c->dbg.fail_every) != 0 || load_relaxed(c->dbg.fail_ppm) != 0;
}

int locked_path_alloc(slubq_cache *c, unsigned lcore, void **objs, std::uint32_t n, const void *caller)
{
	if (debug_inject_fault(c))
		return fail(ENOBUFS);
	int rc = alloc_locked(c, socket_of_caller(c, lcore), objs, n);
	if (rc < 0 || c->geo.meta_size == 0)
		return rc;
	debug_mark_allocated(c, objs, n, op_of(c, lcore, caller));
	return 0;
}

void locked_path_free(slubq_cache *c, unsigned lcore, void *const *objs, std::uint32_t n, const void *caller)
{
	const unsigned socket = socket_of_caller(c, lcore);
	if (c->geo.meta_size == 0) {
		free_locked(c, socket, objs, n);
		return;
	}
	const debug_op op = op_of(c, lcore, caller);
	void *good[64];
	std::uint32_t k = 0;
	for (std::uint32_t i = 0; i < n; i++) {
		if (!debug_accept_free(c, objs[i], op))
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
