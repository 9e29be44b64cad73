/* SPDX-License-Identifier: BSD-3-Clause */
// Debug checks and fault injection, beside the fast path: a cache with any
// of them switched on never activates its lcore queues (their gate stays
// 0), so every call comes here through the slow path and the fast path
// pays nothing.
#pragma once

#include <cstdint>

struct slubq_cache;

namespace slubq {

// True when the cache runs debug checks or fault injection (no lcore queues).
bool debug_active(const slubq_cache *c);

// The locked path, for callers without an lcore queue: EAL lcores of a cache
// whose queues are off (disabled, debug checks, fault injection) and threads
// that are not EAL lcores (lcore = LCORE_ID_ANY). Injects faults, takes the
// objects from the node, then checks and marks each one (poison, red zones,
// state, tracking). caller is the application's return address.
int debug_alloc(slubq_cache *c, unsigned lcore, void **objs, std::uint32_t n, const void *caller);
// Locked-path free: checks each object (foreign pointer, double free, red
// zones), drops the bad ones, poisons and marks the rest, then frees them.
void debug_free(slubq_cache *c, unsigned lcore, void *const *objs, std::uint32_t n, const void *caller);
// Log one bad object with what is known about it (rate-limited). The caller
// counts it (report_bad_object).
void debug_report(slubq_cache *c, const void *obj, const char *what, const char *why);

} // namespace slubq
