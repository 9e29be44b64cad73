/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 0 (common/, below every other): attributes that mark which side of
// the fast path a function is on (the public slubq_compiler.hpp, which the
// inline fast path uses too), and the engine's layout and arithmetic helpers.
#pragma once

#include <cstdint>
#include <cstddef>
#include <type_traits>
#include "slubq_compiler.hpp"

namespace slubq {

// Shared state lives in hugepage memory and is used by several processes:
// it must be plain data (no vtables, no owning heap pointers).
template <typename T>
constexpr bool shareable = std::is_trivially_copyable_v<T> || std::is_standard_layout_v<T>;

constexpr bool is_pow2(std::uint64_t x) { return x && !(x & (x - 1)); }
constexpr std::uint64_t align_up(std::uint64_t x, std::uint64_t a) { return (x + a - 1) & ~(a - 1); }
constexpr std::uint64_t align_down(std::uint64_t x, std::uint64_t a) { return x & ~(a - 1); }
constexpr std::uint64_t next_pow2(std::uint64_t x)
{
	return x <= 1 ? 1 : std::uint64_t(1) << (64 - __builtin_clzll(x - 1));
}
constexpr unsigned log2_exact(std::uint64_t x) { return unsigned(__builtin_ctzll(x)); }

} // namespace slubq
