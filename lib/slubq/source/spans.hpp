/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 2: the address ranges of a cache's slab memory: a fixed source's
// populated chunks, an elastic source's memzones. A pointer handed to free
// can then be tested for membership before anything at its slab address is
// read (a foreign pointer's would-be slab header may be unmapped).
//
// Readers take no lock: the table has two copies; a writer (populate,
// grow, release; serialised by `lock`) fills the copy readers are not
// told to use, then publishes it by bumping gen. A reader that sees gen
// move by 2 or more while it read retries (its copy may have been
// rewritten). A writer that dies half-way leaves the published copy
// whole; the next writer simply rewrites the other one. The writers' lock
// is a leaf (lock order: common/plock.hpp).
#pragma once

#include <cstdint>
#include "common/plock.hpp"

namespace slubq {

// Separate ranges a cache can record (adjacent ones merge). Elastic caches
// with more memzones stop checking ranges (overflow, logged once) and rely
// on the slab header alone, as without the table.
constexpr unsigned span_slots = 256;

struct span {
	std::uintptr_t lo; // first byte
	std::uintptr_t hi; // one past the last byte
};

struct span_table {
	plock lock;              // writers
	std::uint32_t overflow;  // ranges did not fit: membership unknown
	std::uint64_t gen;       // copy (gen & 1) is the current one
	std::uint32_t count[2];
	span s[2][span_slots];   // sorted by lo, disjoint, not adjacent
};

// name: the cache's, for log lines.
// Add [lo, hi). 0; -EINVAL (nothing changed) when it overlaps a recorded
// range, which *clash then holds; -ENOSPC when the table is full (nothing
// changed unless may_overflow: then the table stops answering "no").
int spans_add(span_table &t, const char *name, std::uintptr_t lo, std::uintptr_t hi, bool may_overflow, span *clash);
// Remove [lo, hi) (it lies within recorded ranges).
void spans_remove(span_table &t, const char *name, std::uintptr_t lo, std::uintptr_t hi);
enum class span_answer { no, yes, unknown };
// The recorded range holding address a (in *r): yes, no, or unknown (the
// table overflowed). Lock-free; no division.
span_answer spans_find(const span_table &t, std::uintptr_t a, span *r);
// May address a be in the recorded memory? False only when it is known not to be.
inline bool spans_may_hold(const span_table &t, std::uintptr_t a)
{
	span r;
	return spans_find(t, a, &r) != span_answer::no;
}

} // namespace slubq
