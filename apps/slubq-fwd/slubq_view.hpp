/* SPDX-License-Identifier: BSD-3-Clause */
// slubq caches as slubq-fwd shows them: a table of every cache, and one
// cache per lcore and per socket.
#pragma once

#include <slubq.h>

namespace fwd {

// A cache by its name, or by the name of the mempool it serves. nullptr
// (and a message) when there is none.
slubq_cache *resolve_cache(const char *name);

// One row per registered cache: objects, available, in queues, alien
// sends, refills/flushes, memory, tunables. Returns the number of caches.
unsigned print_slubq_table();

// Tunables, then per lcore (queue fill/size, fast/slow allocs and frees,
// refills, flushes, alien sends) and per socket (slabs, shared and alien queues).
void print_slubq_cache(slubq_cache *c);

} // namespace fwd
