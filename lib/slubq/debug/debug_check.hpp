/* SPDX-License-Identifier: BSD-3-Clause */
// Debug checks run by verify (object states and red zones against bitmaps).
#pragma once

#include <functional>

struct slubq_cache;

namespace slubq {

// Called with every node and alien lock held; reports each problem found:
// an object state that disagrees with its bitmap bit and the queues, a
// damaged red zone, a free object whose poison was overwritten. Damaged
// bytes are reported (counted, logged with the object's tracking) and
// repaired, so the next verify reports only new damage.
void debug_verify(slubq_cache *c, const std::function<void(const char *)> &problem);

} // namespace slubq
