/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 8 (beside debug/ and telemetry/): size classes of slubq_malloc and
// the layout that lets slubq_free find what it frees from the pointer
// alone.
//
// Every size-class cache uses slabs of SLUBQ_MALLOC_SLAB_SIZE, so
// `ptr & ~(slab size - 1)` is the slab header of any class object. A large
// block (over SLUBQ_MALLOC_MAX_CLASS) is placed at an address aligned to
// the same size and starts with a large_block header whose magic sits
// where a slab header keeps its own (slab_front, slubq_fast.hpp): one
// mask, one load says which.
#pragma once

#include <cstddef>
#include <cstdint>
#include <rte_memzone.h>
#include "slubq_malloc.h"
#include "slubq_fast.hpp"

namespace slubq {

constexpr unsigned nr_classes = SLUBQ_MALLOC_NR_CLASSES;
constexpr std::uint32_t class_size[nr_classes] = {8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192};
constexpr std::uint64_t malloc_slab_size = SLUBQ_MALLOC_SLAB_SIZE;
constexpr std::uintptr_t malloc_slab_mask = ~std::uintptr_t(malloc_slab_size - 1);
static_assert((malloc_slab_size & (malloc_slab_size - 1)) == 0, "a mask finds the slab");
static_assert(class_size[nr_classes - 1] == SLUBQ_MALLOC_MAX_CLASS);

// Class index of sizes 1..192 by (size - 1) >> 3; above, by log2.
constexpr std::uint8_t small_class[24] = {0, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
					  5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6};

// Class of a request of 1..SLUBQ_MALLOC_MAX_CLASS bytes (no division, no loop).
SLUBQ_FAST constexpr unsigned size_class_of(std::size_t size)
{
	if (size <= 192)
		return small_class[(size - 1) >> 3];
	// 193..256 -> 8 bits -> class 7 (256), ..., 4097..8192 -> 13 bits -> class 12.
	return unsigned(64 - __builtin_clzll(size - 1)) - 1;
}

// The alignment promised for a class: the largest power of two dividing its size.
constexpr std::uint32_t class_align(unsigned k) { return class_size[k] & (0u - class_size[k]); }

// Which set of caches: ordinary or IOVA-contiguous.
enum malloc_set : unsigned { SET_NORMAL = 0, SET_DMA = 1, NR_SETS = 2 };

// This process's handles to the size-class caches (NULL until first use).
// The caches themselves live in hugepage memory and are found by name, so
// every process fills its own table; a handle is the same in all of them.
extern slubq_cache *malloc_caches[NR_SETS][nr_classes];

// Find or create the cache of class k in set `set` (thread- and
// process-safe); NULL + rte_errno when impossible.
slubq_cache *malloc_class_cache(unsigned set, unsigned k);
// Call fn for every class cache that exists (whichever process created it).
void malloc_for_each_class(void (*fn)(slubq_cache *c, void *arg), void *arg);

constexpr std::uint32_t large_magic = 0x1a49eb1c;

// Header of a block above the largest class, at a slab-aligned address;
// the user's bytes follow it.
struct large_block {
	std::uint64_t size;        // bytes the user may use
	const rte_memzone *mz;     // DMA block: its memzone; NULL: from rte_malloc
	std::int32_t socket;       // real socket of its memory
	std::uint32_t dma;         // IOVA-contiguous
	std::uint64_t pad0;
	rte_iova_t iova;           // IOVA of the header (RTE_BAD_IOVA: not contiguous)
	std::uint32_t magic;       // large_magic
	std::uint32_t pad1;
	std::uint64_t pad2[2];
};
static_assert(sizeof(large_block) == 64, "user bytes start one cache line in");
static_assert(offsetof(large_block, magic) == offsetof(slab_front, magic), "one load tells slab from block");

// The slab header (or large block header) in front of a malloc pointer.
SLUBQ_FAST const slab_front *malloc_slab_of(const void *ptr)
{
	return reinterpret_cast<const slab_front *>(reinterpret_cast<std::uintptr_t>(ptr) & malloc_slab_mask);
}

// True when s is a live slab of a size-class cache (the owner's slab mask
// rejects a stray slab of a cache with another slab size). Expected true
// on both tests: kfree's hint has to reach each branch.
SLUBQ_FAST bool is_class_slab(const slab_front *s)
{
	return SLUBQ_LIKELY(s->magic == slab_front_magic) &&
	       SLUBQ_LIKELY(front_of(s->owner)->slab_mask == malloc_slab_mask);
}

SLUBQ_FAST large_block *large_block_of(const void *ptr)
{
	return reinterpret_cast<large_block *>(reinterpret_cast<std::uintptr_t>(ptr) & malloc_slab_mask);
}

SLUBQ_FAST void *large_data(large_block *b) { return b + 1; }

// Large blocks (malloc/large.cpp).
void *large_alloc(std::size_t size, int socket, bool dma);
void large_free(large_block *b);

} // namespace slubq
