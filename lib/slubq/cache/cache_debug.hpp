/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 6: what the cache layer asks of the debug checks (poison, red zones,
// state and tracking records, fault injection, reports). Declared here, by
// the layer that calls it, and implemented by the debug layer (debug/),
// which is linked into the same library: the cache layer names no debug
// header, and nothing is registered at run time that a static link could
// drop. Only the locked path (cache/cache_locked.cpp), bad-object reports
// and verify call these; the lcore-queue paths never do.
#pragma once

#include <cstdint>
#include <functional>

struct slubq_cache;

namespace slubq {

// Where the current operation comes from (printed in reports, kept in records).
struct debug_op {
	unsigned lcore;     // rte_lcore_id() of the caller (LCORE_ID_ANY: not an EAL thread)
	const void *caller; // return address into the application; null: not found yet (see ra)
	const void *ra;     // the slow path's own return address, from which caller is found
};

// The application's return address, from the slow path's own (ra): the
// first frame outside libslubq and DPDK's mempool/mbuf/ethdev libraries.
// Unwinds the stack when ra is in one of those (a driver pool): most of a
// debug get/put's cost, so done only when tracking or reporting needs it.
const void *app_caller(const void *ra);

// Fault injection: true when this allocation call must fail (counted).
bool debug_inject_fault(slubq_cache *c);
// Objects just taken from their nodes: check what a free object must hold,
// then mark them allocated. Damage is reported and repaired; the objects
// are still handed out (they are valid objects; the damage was someone else's).
void debug_mark_allocated(slubq_cache *c, void *const *objs, std::uint32_t n, const debug_op &op);
// May obj be freed into c? Reports (and refuses) anything that is not an
// allocated object of c; otherwise checks its red zones, poisons it and
// marks it free.
bool debug_accept_free(slubq_cache *c, void *obj, const debug_op &op);
// Log one bad object with what is known about it (rate-limited). The caller
// counts it (report_bad_object).
void debug_report(slubq_cache *c, const void *obj, const char *what, const char *why);
// verify's debug part. Called with every node and alien lock held; reports
// each problem found: an object state that disagrees with its bitmap bit
// and the queues, a damaged red zone, a free object whose poison was
// overwritten. Damaged bytes are reported (counted, logged with the
// object's tracking) and repaired, so the next verify reports only new damage.
void debug_verify(slubq_cache *c, const std::function<void(const char *)> &problem);

} // namespace slubq
