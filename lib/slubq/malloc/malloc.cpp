/* SPDX-License-Identifier: BSD-3-Clause */
// slubq_malloc: the exported C entry points (the inline paths of
// slubq_malloc.hpp, then one call) and their out-of-line slow paths.
#include <algorithm>
#include <cstring>
#include <rte_lcore.h>
#include "malloc/malloc_log.hpp"
#include "slubq_malloc.hpp"

namespace slubq {

namespace {

bool known_socket(int socket)
{
	if (socket == SOCKET_ID_ANY)
		return true;
	for (unsigned i = 0; i < rte_socket_count(); i++)
		if (rte_socket_id_by_idx(i) == socket)
			return true;
	return false;
}

// What a pointer of slubq_malloc is, read from the header its mask finds.
struct ptr_info {
	std::size_t usable = 0;  // bytes usable (0: not ours)
	int socket = SOCKET_ID_ANY; // real socket of its memory
	unsigned set = SET_NORMAL;
	bool large = false;
};

ptr_info info_of(const void *ptr)
{
	ptr_info pi;
	if (ptr == nullptr)
		return pi;
	const slab_front *s = malloc_slab_of(ptr);
	slubq_cache_shape sh;
	if (is_class_slab(s) && slubq_cache_get_shape(s->owner, &sh) == 0) {
		pi.usable = sh.obj_size;
		pi.socket = topology_of(s->owner).real_socket[s->socket];
		pi.set = (sh.flags & SLUBQ_F_DMA) ? SET_DMA : SET_NORMAL;
	} else if (large_block *b = large_block_of(ptr); b->magic == large_magic && ptr == large_data(b)) {
		pi.usable = b->size;
		pi.socket = b->socket;
		pi.set = b->dma ? SET_DMA : SET_NORMAL;
		pi.large = true;
	}
	return pi;
}

// realloc keeps the pointer when the new size needs the same class, or a
// large block at least half as big as the old one.
bool fits_in_place(const ptr_info &pi, std::size_t size)
{
	if (size > pi.usable)
		return false;
	if (pi.large)
		return size > SLUBQ_MALLOC_MAX_CLASS && size >= pi.usable / 2;
	return size_class_of(size) == size_class_of(pi.usable);
}

} // namespace

SLUBQ_SLOW void *malloc_slow(std::size_t size, int socket, unsigned set)
{
	if (size == 0 || !known_socket(socket))
		return malloc_fail<void>(EINVAL);
	if (size > SLUBQ_MALLOC_MAX_CLASS)
		return large_alloc(size, socket, set == SET_DMA);
	slubq_cache *c = malloc_class_cache(set, size_class_of(size));
	if (c == nullptr)
		return nullptr;
	void *obj;
	int rc = slubq_cache_alloc_bulk_socket(c, &obj, 1, socket);
	return rc == 0 ? obj : malloc_fail<void>(rc == -EINVAL ? EINVAL : ENOMEM);
}

SLUBQ_SLOW void free_slow_ptr(void *ptr)
{
	if (ptr == nullptr)
		return;
	large_block *b = large_block_of(ptr);
	if (b->magic == large_magic && ptr == large_data(b)) {
		large_free(b);
		return;
	}
	SLUBQ_MALLOC_LOG(ERR, "slubq_free: %p was not allocated by slubq_malloc (or was freed already); ignored", ptr);
}

} // namespace slubq

using namespace slubq;

extern "C" {

void *slubq_malloc(size_t size, int socket) { return kmalloc(size, socket); }

void *slubq_zmalloc(size_t size, int socket)
{
	void *p = kmalloc(size, socket);
	if (p != nullptr)
		std::memset(p, 0, size);
	return p;
}

void slubq_free(void *ptr) { kfree(ptr); }

void *slubq_malloc_dma(size_t size, int socket, rte_iova_t *iova)
{
	void *p = kmalloc_in(SET_DMA, size, socket);
	if (iova != nullptr)
		*iova = p ? slubq_virt2iova(p) : RTE_BAD_IOVA;
	return p;
}

void *slubq_realloc(void *ptr, size_t size, int socket)
{
	if (ptr == nullptr)
		return kmalloc(size, socket);
	if (size == 0) {
		kfree(ptr);
		return nullptr;
	}
	ptr_info pi = info_of(ptr);
	if (pi.usable == 0) {
		SLUBQ_MALLOC_LOG(ERR, "slubq_realloc: %p was not allocated by slubq_malloc", ptr);
		return malloc_fail<void>(EINVAL);
	}
	if (fits_in_place(pi, size) && (socket < 0 || socket == pi.socket))
		return ptr;
	void *p = malloc_slow(size, socket < 0 ? pi.socket : socket, pi.set);
	if (p == nullptr)
		return nullptr;
	std::memcpy(p, ptr, std::min(size, pi.usable));
	kfree(ptr);
	return p;
}

rte_iova_t slubq_virt2iova(const void *ptr)
{
	if (ptr == nullptr)
		return RTE_BAD_IOVA;
	const slab_front *s = malloc_slab_of(ptr);
	if (is_class_slab(s))
		return slubq_cache_virt2iova(s->owner, ptr);
	if (s->magic != large_magic)
		return RTE_BAD_IOVA;
	rte_iova_t base = large_block_of(ptr)->iova;
	if (base == RTE_BAD_IOVA)
		return rte_mem_virt2iova(ptr); // a block that is not IOVA-contiguous
	return base + (reinterpret_cast<std::uintptr_t>(ptr) - reinterpret_cast<std::uintptr_t>(s));
}

size_t slubq_malloc_usable_size(const void *ptr) { return info_of(ptr).usable; }

struct slubq_cache *slubq_malloc_cache(size_t size, int dma)
{
	if (size == 0 || size > SLUBQ_MALLOC_MAX_CLASS)
		return malloc_fail<slubq_cache>(EINVAL);
	return malloc_class_cache(dma ? SET_DMA : SET_NORMAL, size_class_of(size));
}

int64_t slubq_malloc_shrink(void)
{
	std::int64_t freed = 0;
	malloc_for_each_class(
		[](slubq_cache *c, void *arg) {
			std::int64_t n = slubq_cache_shrink(c);
			if (n > 0)
				*static_cast<std::int64_t *>(arg) += n;
		},
		&freed);
	return freed;
}

} // extern "C"
