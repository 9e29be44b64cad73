/* SPDX-License-Identifier: BSD-3-Clause */
// Attributes and memory-order helpers that the inline fast path (slubq_fast.hpp)
// is written with; installed, so that an application's copy of the fast path
// compiles to what the library's own does. common/compiler.hpp adds the
// engine's other helpers.
#pragma once

#include <cstddef>
#include "slubq_build_config.h"

#define SLUBQ_FAST inline __attribute__((always_inline))
#define SLUBQ_SLOW __attribute__((noinline, cold))
#define SLUBQ_LIKELY(x) __builtin_expect(!!(x), 1)
#define SLUBQ_UNLIKELY(x) __builtin_expect(!!(x), 0)

#if SLUBQ_STATS
#define SLUBQ_STAT_ADD(field, n) ((field) += (n))
#else
#define SLUBQ_STAT_ADD(field, n) ((void)0)
#endif

namespace slubq {

constexpr std::size_t cache_line = 64;

template <typename T>
SLUBQ_FAST T load_relaxed(const T &v) { return __atomic_load_n(&v, __ATOMIC_RELAXED); }
template <typename T>
SLUBQ_FAST void store_relaxed(T &v, T x) { __atomic_store_n(&v, x, __ATOMIC_RELAXED); }
template <typename T>
SLUBQ_FAST T load_acquire(const T &v) { return __atomic_load_n(&v, __ATOMIC_ACQUIRE); }
template <typename T>
SLUBQ_FAST void store_release(T &v, T x) { __atomic_store_n(&v, x, __ATOMIC_RELEASE); }

// Keep the compiler from moving stores across this point. Where shared
// state changes in several stores, a process killed in between leaves them
// in program order (x86 stores are not reordered): ordering them so that a
// half-done move loses objects and never lists one twice needs only this.
SLUBQ_FAST void crash_order() { __atomic_signal_fence(__ATOMIC_SEQ_CST); }

} // namespace slubq
