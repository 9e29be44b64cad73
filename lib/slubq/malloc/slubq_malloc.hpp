/* SPDX-License-Identifier: BSD-3-Clause */
// slubq malloc, C++: the C API of slubq_malloc.h plus the inline fast path.
//
// kmalloc: a table lookup for the class (no division), this process's
// handle of the class cache, then the cache's inline lcore-queue path.
// kfree: one mask to the slab header, one load of its magic, then the
// owner cache's inline lcore-queue path. Everything else — first use of a
// class, another socket, a large block, NULL, a thread without an lcore
// id, an empty or full queue — goes out of line.
#pragma once

#include <rte_lcore.h>
#include "slubq_malloc.h"
#include "slubq.hpp"
#include "malloc/size_class.hpp"

namespace slubq {

// Out of line (malloc/malloc.cpp).
void *malloc_slow(std::size_t size, int socket, unsigned set);
void free_slow_ptr(void *ptr);

// True when socket asks for nothing but the calling lcore's own memory.
SLUBQ_FAST bool socket_is_own(const slubq_cache *c, int socket)
{
	if (socket < 0)
		return true;
	unsigned lcore = rte_lcore_id();
	const topology_view &t = topology_of(c);
	return lcore < RTE_MAX_LCORE && t.real_socket[t.lcore_socket[lcore]] == socket;
}

// An object of `size` bytes from set (SET_NORMAL or SET_DMA), inline.
SLUBQ_FAST void *kmalloc_in(unsigned set, std::size_t size, int socket)
{
	if (SLUBQ_LIKELY(size - 1 < SLUBQ_MALLOC_MAX_CLASS)) { // size 0 wraps to the slow path
		slubq_cache *c = load_acquire(malloc_caches[set][size_class_of(size)]);
		void *obj;
		if (SLUBQ_LIKELY(c != nullptr && socket_is_own(c, socket)) && SLUBQ_LIKELY(alloc_bulk(c, &obj, 1) == 0))
			return obj;
	}
	return malloc_slow(size, socket, set);
}

// slubq_malloc, inline.
SLUBQ_FAST void *kmalloc(std::size_t size, int socket = SOCKET_ID_ANY) { return kmalloc_in(SET_NORMAL, size, socket); }

// slubq_free, inline.
SLUBQ_FAST void kfree(void *ptr)
{
	if (SLUBQ_LIKELY(ptr != nullptr)) {
		const slab_front *s = malloc_slab_of(ptr);
		// The owner's slab mask is on the line free_bulk reads anyway.
		if (SLUBQ_LIKELY(is_class_slab(s))) {
			free_bulk(s->owner, &ptr, 1);
			return;
		}
	}
	free_slow_ptr(ptr);
}

} // namespace slubq
