/* SPDX-License-Identifier: BSD-3-Clause */
// The address ranges of a cache's slab memory (source/spans.hpp).
#include "source/spans.hpp"

#include <algorithm>
#include <cerrno>
#include "common/log.hpp"

namespace slubq {

namespace {

span load_span(const span &s) { return span{load_relaxed(s.lo), load_relaxed(s.hi)}; }

// Write n ranges into the copy readers do not use, then publish it.
void publish(span_table &t, const span *r, std::uint32_t n)
{
	const std::uint64_t g = t.gen;
	const unsigned next = unsigned(g + 1) & 1;
	for (std::uint32_t i = 0; i < n; i++) {
		store_relaxed(t.s[next][i].lo, r[i].lo);
		store_relaxed(t.s[next][i].hi, r[i].hi);
	}
	store_relaxed(t.count[next], n);
	store_release(t.gen, g + 1);
}

// The current ranges (writer side, lock held).
std::uint32_t current(const span_table &t, span *out)
{
	const unsigned cur = unsigned(t.gen) & 1;
	const std::uint32_t n = std::min<std::uint32_t>(t.count[cur], span_slots);
	std::copy(t.s[cur], t.s[cur] + n, out);
	return n;
}

} // namespace

int spans_add(span_table &t, const char *name, std::uintptr_t lo, std::uintptr_t hi, bool may_overflow, span *clash)
{
	span r[span_slots + 1];
	(void)plock_acquire(t.lock); // a dead writer left the published copy whole
	std::uint32_t n = current(t, r);
	int rc = 0;
	for (std::uint32_t i = 0; i < n; i++) {
		if (lo < r[i].hi && r[i].lo < hi) {
			if (clash != nullptr)
				*clash = r[i];
			plock_release(t.lock);
			return fail(EINVAL);
		}
	}
	// Insert in order, merging with a neighbour that touches it.
	std::uint32_t at = 0;
	while (at < n && r[at].lo < lo)
		at++;
	const bool join_prev = at > 0 && r[at - 1].hi == lo;
	const bool join_next = at < n && r[at].lo == hi;
	if (join_prev && join_next) {
		r[at - 1].hi = r[at].hi;
		std::copy(r + at + 1, r + n, r + at);
		n--;
	} else if (join_prev) {
		r[at - 1].hi = hi;
	} else if (join_next) {
		r[at].lo = lo;
	} else if (n < span_slots) {
		std::copy_backward(r + at, r + n, r + n + 1);
		r[at] = span{lo, hi};
		n++;
	} else {
		rc = fail(ENOSPC);
	}
	if (rc == 0) {
		publish(t, r, n);
	} else if (may_overflow && !t.overflow) {
		store_relaxed(t.overflow, 1u);
		SLUBQ_LOG(WARNING, "cache %s: more than %u separate memory ranges; frees of foreign pointers are "
			  "now checked by the slab header only", name, span_slots);
		rc = 0;
	} else if (may_overflow) {
		rc = 0;
	}
	plock_release(t.lock);
	return rc;
}

void spans_remove(span_table &t, const char *name, std::uintptr_t lo, std::uintptr_t hi)
{
	span r[span_slots], out[span_slots + 1];
	(void)plock_acquire(t.lock);
	const std::uint32_t n = current(t, r);
	std::uint32_t m = 0;
	for (std::uint32_t i = 0; i < n; i++) {
		if (hi <= r[i].lo || r[i].hi <= lo) {
			out[m++] = r[i];
			continue;
		}
		// Cut [lo, hi) out: what is left on either side stays.
		if (r[i].lo < lo)
			out[m++] = span{r[i].lo, lo};
		if (hi < r[i].hi)
			out[m++] = span{hi, r[i].hi};
	}
	if (m <= span_slots) {
		publish(t, out, m);
	} else if (!t.overflow) {
		// A split with no slot left: keep the old ranges (a superset) and
		// stop answering "no" (dropping a range would drop good objects).
		store_relaxed(t.overflow, 1u);
		SLUBQ_LOG(WARNING, "cache %s: more than %u separate memory ranges; frees of foreign pointers are "
			  "now checked by the slab header only", name, span_slots);
	}
	plock_release(t.lock);
}

span_answer spans_find(const span_table &t, std::uintptr_t a, span *r)
{
	for (;;) {
		const std::uint64_t g = load_acquire(t.gen);
		if (load_relaxed(t.overflow))
			return span_answer::unknown;
		const unsigned cur = unsigned(g) & 1;
		const std::uint32_t n = std::min<std::uint32_t>(load_relaxed(t.count[cur]), span_slots);
		bool in = false;
		if (n != 0 && a >= load_relaxed(t.s[cur][0].lo) && a < load_relaxed(t.s[cur][n - 1].hi)) {
			// The last range starting at or below a (binary search).
			std::uint32_t lo = 0, hi = n;
			while (hi - lo > 1) {
				const std::uint32_t mid = (lo + hi) >> 1;
				if (load_relaxed(t.s[cur][mid].lo) <= a)
					lo = mid;
				else
					hi = mid;
			}
			*r = load_span(t.s[cur][lo]);
			in = r->lo <= a && a < r->hi;
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (load_relaxed(t.gen) - g < 2)
			return in ? span_answer::yes : span_answer::no;
	}
}

} // namespace slubq
