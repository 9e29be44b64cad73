/* SPDX-License-Identifier: BSD-3-Clause */
// Written invariants as checks. SLUBQ_ASSERT(cond) aborts with the
// condition, file and line when cond is false; it is compiled in when
// SLUBQ_ASSERTS is 1 (meson option `asserts`: on in debug and sanitizer
// builds, off in release). Off, the condition is type-checked and never
// evaluated, so an assertion costs a release build nothing.
//
// Asserted invariants, where they live:
//  - a lock held by the caller (plock_held: held by this process; which of
//    its threads holds it a lock word cannot tell);
//  - bounds: n <= count before a pop, count + n <= capacity before a push,
//    size <= limit <= capacity of an lcore queue, count <= size <= capacity
//    of a shared stack;
//  - counts: a slab's free count within its slots, a node's free objects
//    within its slots.
// Never on the lcore-queue fast path of cache/cache_fast.hpp: that is
// inline in applications, which do not see this setting.
#pragma once

#include "common/compiler.hpp"

#ifndef SLUBQ_ASSERTS
#define SLUBQ_ASSERTS 0
#endif

namespace slubq {
// Log the failed condition (rte_log, CRIT) and abort.
[[noreturn]] SLUBQ_SLOW void assert_fail(const char *cond, const char *file, unsigned line, const char *func);
} // namespace slubq

#if SLUBQ_ASSERTS
#define SLUBQ_ASSERT(cond) \
	(SLUBQ_LIKELY(cond) ? (void)0 : ::slubq::assert_fail(#cond, __FILE__, __LINE__, __func__))
#else
#define SLUBQ_ASSERT(cond) ((void)sizeof(!(cond)))
#endif
