/* SPDX-License-Identifier: BSD-3-Clause */
// slubq_malloc: the exported C entry points (the inline paths of
// slubq_malloc.hpp, then one call) and their out-of-line slow paths.
#include <algorithm>
#include <cstring>
#include <rte_lcore.h>
#include "common/log.hpp"
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

// The logical socket of c that serves real socket `socket` for the caller:
// its own when that is where its memory is, else the first that is there.
int logical_socket_for(const slubq_cache *c, int socket)
{
	unsigned own = topology_thread_socket(c->topo);
	if (socket < 0 || c->topo.real_socket[own] == socket)
		return int(own);
	for (unsigned s = 0; s < c->nr_sockets; s++)
		if (c->topo.real_socket[s] == socket)
			return int(s);
	return -1;
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
	slab *s = malloc_slab_of(ptr);
	if (s->magic == slab_magic && s->owner->slab_mask == malloc_slab_mask) {
		const slubq_cache *c = s->owner;
		pi.usable = c->geo.obj_size;
		pi.socket = c->topo.real_socket[s->socket];
		pi.set = (c->flags & SLUBQ_F_DMA) ? SET_DMA : SET_NORMAL;
	} else if (s->magic == large_magic && ptr == large_data(reinterpret_cast<large_block *>(s))) {
		auto *b = reinterpret_cast<const large_block *>(s);
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
		return fail_null<void>(EINVAL);
	if (size > SLUBQ_MALLOC_MAX_CLASS)
		return large_alloc(size, socket, set == SET_DMA);
	slubq_cache *c = malloc_class_cache(set, size_class_of(size));
	if (c == nullptr)
		return nullptr;
	int l = logical_socket_for(c, socket);
	if (l < 0)
		return fail_null<void>(EINVAL);
	void *obj;
	int rc = unsigned(l) == topology_thread_socket(c->topo) ? alloc_bulk(c, &obj, 1)
								 : alloc_locked(c, unsigned(l), &obj, 1);
	return rc == 0 ? obj : fail_null<void>(ENOMEM);
}

SLUBQ_SLOW void free_slow_ptr(void *ptr)
{
	if (ptr == nullptr)
		return;
	auto *b = reinterpret_cast<large_block *>(malloc_slab_of(ptr));
	if (b->magic == large_magic && ptr == large_data(b)) {
		large_free(b);
		return;
	}
	SLUBQ_LOG(ERR, "slubq_free: %p was not allocated by slubq_malloc (or was freed already); ignored", ptr);
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
		SLUBQ_LOG(ERR, "slubq_realloc: %p was not allocated by slubq_malloc", ptr);
		return fail_null<void>(EINVAL);
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
	slab *s = malloc_slab_of(ptr);
	rte_iova_t base;
	if (s->magic == slab_magic && s->owner->slab_mask == malloc_slab_mask)
		base = s->iova;
	else if (s->magic == large_magic)
		base = reinterpret_cast<const large_block *>(s)->iova;
	else
		return RTE_BAD_IOVA;
	if (base == RTE_BAD_IOVA)
		return s->magic == large_magic ? rte_mem_virt2iova(ptr) : RTE_BAD_IOVA; // a non-contiguous block
	return base + (reinterpret_cast<std::uintptr_t>(ptr) - reinterpret_cast<std::uintptr_t>(s));
}

size_t slubq_malloc_usable_size(const void *ptr) { return info_of(ptr).usable; }

struct slubq_cache *slubq_malloc_cache(size_t size, int dma)
{
	if (size == 0 || size > SLUBQ_MALLOC_MAX_CLASS)
		return fail_null<slubq_cache>(EINVAL);
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
