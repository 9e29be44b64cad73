/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 0: processes sharing slubq memory: who we are, whether another one
// is still alive, and a memory barrier on every thread of every process
// that uses slubq (Linux membarrier), so that an owner's fast path can stay
// free of fences while a reclaimer pays for both sides (docs/design.md,
// "Reclaim").
#pragma once

#include <cstdint>

namespace slubq {

// This process's id, as stored in lock words and busy markers. Set by a
// constructor when the library loads and again in a forked child; never 0.
extern std::uint32_t process_token;

// False only when the process `pid` is known to be gone (exited, killed,
// or a zombie nobody reaped yet).
bool process_alive(std::uint32_t pid);

// A full memory barrier on every running thread of every process that
// loaded slubq, and on this one. False when the kernel offers none (then
// live owners' queues cannot be reclaimed: see reclaim_queues()).
bool barrier_all_processes();

} // namespace slubq
