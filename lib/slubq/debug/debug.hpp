/* SPDX-License-Identifier: BSD-3-Clause */
// Debug checks and fault injection, beside the fast path: a cache with any
// of them switched on never activates its lcore queues (their gate stays
// 0), so every call comes here through the slow path and the fast path
// pays nothing.
#pragma once

#include <cstdint>

struct slubq_cache;

namespace slubq {

// Locked-path allocation for an EAL lcore without a queue (queue disabled,
// debug checks, fault injection): injects faults, then checks and marks
// each object.
int debug_alloc(slubq_cache *c, unsigned lcore, void **objs, std::uint32_t n);
// Locked-path free for an EAL lcore without a queue: checks each object
// (double free, foreign pointer, red zone), poisons, then frees.
void debug_free(slubq_cache *c, unsigned lcore, void *const *objs, std::uint32_t n);
// Log one bad object with what is known about it (rate-limited).
void debug_report(slubq_cache *c, const void *obj, const char *what, const char *why);

} // namespace slubq
