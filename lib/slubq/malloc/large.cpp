/* SPDX-License-Identifier: BSD-3-Clause */
// Requests above the largest size class: one block each, aligned to the
// malloc slab size so that slubq_free finds its header with the same mask
// as a slab's. DMA blocks are IOVA-contiguous memzones; the others come
// from rte_malloc, because memzones are few (RTE_MAX_MEMZONE for the whole
// application) and a general-purpose allocator must not run out of names.
#include <cstdio>
#include <unistd.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_memzone.h>
#include "malloc/malloc_log.hpp"
#include "malloc/size_class.hpp"

namespace slubq {

namespace {

std::uint32_t memzone_seq; // names of DMA blocks: pid + sequence (atomic)

// IOVA of the block when its bytes are IOVA-contiguous, else RTE_BAD_IOVA.
// Checked page by page once, at allocation, through the EAL's memsegs.
rte_iova_t contiguous_iova(const void *addr, std::size_t len)
{
	if (rte_eal_iova_mode() == RTE_IOVA_VA)
		return rte_iova_t(reinterpret_cast<std::uintptr_t>(addr));
	const rte_memseg *ms = rte_mem_virt2memseg(addr, nullptr);
	if (ms == nullptr || ms->iova == RTE_BAD_IOVA)
		return RTE_BAD_IOVA;
	auto base = reinterpret_cast<std::uintptr_t>(addr);
	rte_iova_t iova = ms->iova + (base - reinterpret_cast<std::uintptr_t>(ms->addr));
	for (std::uintptr_t va = base; va < base + len;) {
		ms = rte_mem_virt2memseg(reinterpret_cast<const void *>(va), nullptr);
		if (ms == nullptr)
			return RTE_BAD_IOVA;
		auto ms_va = reinterpret_cast<std::uintptr_t>(ms->addr);
		if (ms->iova + (va - ms_va) != iova + (va - base))
			return RTE_BAD_IOVA;
		va = ms_va + ms->len;
	}
	return iova;
}

} // namespace

void *large_alloc(std::size_t size, int socket, bool dma)
{
	if (size > (std::size_t(1) << 48))
		return malloc_fail<void>(ENOMEM);
	const std::size_t bytes = sizeof(large_block) + size;
	large_block *b;
	const rte_memzone *mz = nullptr;
	rte_iova_t iova;
	if (dma) {
		char name[RTE_MEMZONE_NAMESIZE];
		std::snprintf(name, sizeof(name), "slubqL%d.%u", int(getpid()),
			      __atomic_fetch_add(&memzone_seq, 1, __ATOMIC_RELAXED));
		mz = rte_memzone_reserve_aligned(name, bytes, socket, RTE_MEMZONE_IOVA_CONTIG,
						 unsigned(malloc_slab_size));
		if (mz == nullptr) {
			SLUBQ_MALLOC_LOG(DEBUG, "slubq_malloc_dma: no contiguous %zu bytes on socket %d: %s", bytes,
					 socket, rte_strerror(rte_errno));
			return malloc_fail<void>(rte_errno == EINVAL ? EINVAL : ENOMEM);
		}
		b = static_cast<large_block *>(mz->addr);
		iova = mz->iova;
	} else {
		b = static_cast<large_block *>(rte_malloc_socket("slubq_large", bytes, unsigned(malloc_slab_size), socket));
		if (b == nullptr)
			return malloc_fail<void>(ENOMEM);
		iova = contiguous_iova(b, bytes);
	}
	const rte_memseg *ms = rte_mem_virt2memseg(b, nullptr);
	b->size = size;
	b->mz = mz;
	b->socket = mz ? mz->socket_id : ms ? ms->socket_id : SOCKET_ID_ANY;
	b->dma = dma;
	b->pad0 = 0;
	b->iova = iova;
	b->pad1 = 0;
	b->pad2[0] = b->pad2[1] = 0;
	store_release(b->magic, large_magic);
	return large_data(b);
}

void large_free(large_block *b)
{
	const rte_memzone *mz = b->mz;
	b->magic = 0; // a second free of the same pointer is reported, not obeyed
	if (mz != nullptr)
		rte_memzone_free(mz);
	else
		rte_free(b);
}

} // namespace slubq
