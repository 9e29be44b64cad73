/* SPDX-License-Identifier: BSD-3-Clause */
// Debug checks run by verify (object states and red zones against bitmaps).
#pragma once

#include <functional>

struct slubq_cache;

namespace slubq {

// Called with every node and alien lock held; reports each problem found.
void debug_verify(slubq_cache *c, const std::function<void(const char *)> &problem);

} // namespace slubq
