/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file slubq_malloc.h
 *
 * slubq: general-purpose allocation over size classes (the seed's kmalloc),
 * with IOVA-contiguous (DMA) variants. Public C API.
 *
 * Requests of 1 .. 8192 bytes are served by one elastic cache per size
 * class (8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192),
 * named "kmalloc-<size>" ("dma-kmalloc-<size>" for DMA) in the registry,
 * created on first use by whichever process or thread asks first. Larger
 * requests get a block of their own (rte_malloc; an IOVA-contiguous
 * memzone for DMA). From an EAL lcore, an allocation for the caller's own
 * socket and every free are served by the cache's lcore queue, with no
 * lock and no atomic; threads without an lcore id take the node lock of
 * their socket. An object may be freed by any lcore or thread of any
 * process of the DPDK application.
 *
 * Alignment: a size-class object is aligned to the largest power of two
 * dividing its class size (8 .. 8192 for the power-of-two classes, 32 for
 * 96, 64 for 192); a larger block to 64 bytes.
 *
 * Sockets: socket arguments are real DPDK socket ids, as for rte_malloc;
 * SOCKET_ID_ANY means the caller's socket. With a simulated topology
 * (slubq_topology_simulate) the caller's logical socket is used when its
 * memory is on the requested real socket, else the first logical socket
 * whose memory is.
 *
 * C++ users get the inline fast path from slubq_malloc.hpp.
 */
#ifndef SLUBQ_MALLOC_H
#define SLUBQ_MALLOC_H

#include <stddef.h>
#include <stdint.h>
#include "slubq.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest request served by a size class; larger ones get their own block. */
#define SLUBQ_MALLOC_MAX_CLASS 8192
/** Number of size classes. */
#define SLUBQ_MALLOC_NR_CLASSES 13
/** Slab size of every size-class cache: slubq_free finds the slab with one mask. */
#define SLUBQ_MALLOC_SLAB_SIZE (128u * 1024u)

/**
 * Allocate size bytes on a socket (real id or SOCKET_ID_ANY). NULL with
 * rte_errno = EINVAL (size 0, unknown socket) or ENOMEM.
 */
void *slubq_malloc(size_t size, int socket);

/** slubq_malloc, then the bytes are zeroed. */
void *slubq_zmalloc(size_t size, int socket);

/**
 * Resize like realloc(): ptr NULL allocates; size 0 frees and returns
 * NULL. The same pointer comes back when the new size fits the old
 * allocation (same class; a large block shrinking by at most half) and
 * socket is SOCKET_ID_ANY or the old one's socket; otherwise the bytes
 * are copied to a new allocation and ptr is freed. A DMA allocation stays
 * DMA-capable (ask slubq_virt2iova for its new IOVA). On failure NULL is
 * returned and ptr is left untouched.
 */
void *slubq_realloc(void *ptr, size_t size, int socket);

/**
 * Free a pointer from any slubq_malloc function (NULL is ignored). Any
 * lcore or thread may free it. A pointer that is not one is reported in
 * the log and dropped; it must still point into mapped memory.
 */
void slubq_free(void *ptr);

/**
 * Allocate size bytes of IOVA-contiguous memory (no object spans an IOVA
 * discontinuity) on a socket; *iova (may be NULL) receives the IOVA of
 * the first byte.
 */
void *slubq_malloc_dma(size_t size, int socket, rte_iova_t *iova);

/**
 * IOVA of a pointer returned by a slubq_malloc function, or of any byte of
 * a size-class object, or of any byte in the first SLUBQ_MALLOC_SLAB_SIZE
 * bytes of a larger block (further in, add the offset to the block's IOVA:
 * a DMA block is IOVA-contiguous). O(1): a mask and a header read; a
 * non-DMA block that is not IOVA-contiguous (IOVA as PA, more than one
 * hugepage) asks the EAL instead. RTE_BAD_IOVA for NULL or memory slubq
 * does not know.
 */
rte_iova_t slubq_virt2iova(const void *ptr);

/** Bytes usable at ptr (its class size, or a large block's size); 0 if unknown. */
size_t slubq_malloc_usable_size(const void *ptr);

/**
 * The cache that serves requests of size bytes (created if needed), for
 * statistics and tuning; NULL + EINVAL when size is 0 or above
 * SLUBQ_MALLOC_MAX_CLASS. dma != 0 selects the DMA set. Size-class caches
 * cannot be destroyed (slubq_cache_destroy returns -EPERM).
 */
struct slubq_cache *slubq_malloc_cache(size_t size, int dma);

/**
 * Give back the memory of every size-class cache that holds no allocated
 * object in a slab (see slubq_cache_shrink: other lcores empty their
 * queues at their next slow path). Returns the bytes given back.
 */
int64_t slubq_malloc_shrink(void);

#ifdef __cplusplus
}
#endif

#endif /* SLUBQ_MALLOC_H */
