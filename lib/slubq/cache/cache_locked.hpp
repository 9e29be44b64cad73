/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 6: the locked path, for callers without an lcore queue: EAL lcores
// of a cache whose queues are off (disabled, debug checks, fault injection)
// and threads that are not EAL lcores (lcore = LCORE_ID_ANY). Every call
// takes a node lock; the debug checks run here (cache/cache_debug.hpp), so
// the lcore-queue paths pay nothing for them.
#pragma once

#include <cstdint>

struct slubq_cache;

namespace slubq {

// True when the cache runs debug checks or fault injection: its lcore
// queues stay off and every call takes the locked path.
bool debug_active(const slubq_cache *c);

// Injects faults, takes the objects from the caller's node, then has the
// debug layer check and mark each one (poison, red zones, state,
// tracking). caller is the application's return address.
int locked_path_alloc(slubq_cache *c, unsigned lcore, void **objs, std::uint32_t n, const void *caller);
// Has the debug layer check each object (foreign pointer, double free, red
// zones), drops the bad ones, poisons and marks the rest, then frees them.
void locked_path_free(slubq_cache *c, unsigned lcore, void *const *objs, std::uint32_t n, const void *caller);

} // namespace slubq
