/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 0 (common/, below every other): attributes that mark which side of
// the fast path a function is on.
#pragma once

#include <cstdint>
#include <cstddef>
#include <type_traits>

#define SLUBQ_FAST inline __attribute__((always_inline))
#define SLUBQ_SLOW __attribute__((noinline, cold))
#define SLUBQ_LIKELY(x) __builtin_expect(!!(x), 1)
#define SLUBQ_UNLIKELY(x) __builtin_expect(!!(x), 0)

#ifndef SLUBQ_STATS
#define SLUBQ_STATS 1
#endif

#if SLUBQ_STATS
#define SLUBQ_STAT_ADD(field, n) ((field) += (n))
#else
#define SLUBQ_STAT_ADD(field, n) ((void)0)
#endif

namespace slubq {

constexpr std::size_t cache_line = 64;

// Shared state lives in hugepage memory and is used by several processes:
// it must be plain data (no vtables, no owning heap pointers).
template <typename T>
constexpr bool shareable = std::is_trivially_copyable_v<T> || std::is_standard_layout_v<T>;

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

constexpr bool is_pow2(std::uint64_t x) { return x && !(x & (x - 1)); }
constexpr std::uint64_t align_up(std::uint64_t x, std::uint64_t a) { return (x + a - 1) & ~(a - 1); }
constexpr std::uint64_t align_down(std::uint64_t x, std::uint64_t a) { return x & ~(a - 1); }
constexpr std::uint64_t next_pow2(std::uint64_t x)
{
	return x <= 1 ? 1 : std::uint64_t(1) << (64 - __builtin_clzll(x - 1));
}
constexpr unsigned log2_exact(std::uint64_t x) { return unsigned(__builtin_ctzll(x)); }

} // namespace slubq
