/* SPDX-License-Identifier: BSD-3-Clause */
// The size-class caches: one elastic cache per class and set, registered
// by name ("kmalloc-64", "dma-kmalloc-64") so that every process finds the
// same one, created by whoever needs it first, and pinned (never destroyed).
#include <algorithm>
#include <cstdio>
#include <mutex>
#include "malloc/malloc_log.hpp"
#include "malloc/size_class.hpp"

namespace slubq {

slubq_cache *malloc_caches[NR_SETS][nr_classes];

namespace {

// Serialises first use inside this process (another process that races
// us is caught by the registry: create fails with EEXIST, lookup wins).
std::mutex create_lock;

void class_name(char *buf, std::size_t len, unsigned set, unsigned k)
{
	std::snprintf(buf, len, "%skmalloc-%u", set == SET_DMA ? "dma-" : "", class_size[k]);
}

// Lcore queues sized by bytes: 512 objects of the small classes, fewer of
// the big ones (at most 256 KiB cached per lcore and class).
std::uint32_t class_queue_size(unsigned k)
{
	return std::clamp<std::uint32_t>((256u << 10) / class_size[k], 32, 512);
}

// A cache found under a class name must have the layout slubq_free relies on.
bool fits_class(const slubq_cache_shape &sh, unsigned set, unsigned k)
{
	return sh.slab_size == malloc_slab_size && sh.source == SLUBQ_SOURCE_ELASTIC &&
	       sh.obj_size >= class_size[k] && sh.align >= class_align(k) &&
	       bool(sh.flags & SLUBQ_F_DMA) == (set == SET_DMA);
}

bool fits_class(const slubq_cache *c, unsigned set, unsigned k)
{
	slubq_cache_shape sh;
	return slubq_cache_get_shape(c, &sh) == 0 && fits_class(sh, set, k);
}

slubq_cache *find_or_create(unsigned set, unsigned k)
{
	char name[SLUBQ_NAMESIZE];
	class_name(name, sizeof(name), set, k);
	slubq_cache *c = slubq_cache_lookup(name);
	if (c == nullptr) {
		slubq_cache_params p;
		slubq_cache_params_init(&p);
		p.name = name;
		p.obj_size = class_size[k];
		p.align = class_align(k);
		p.slab_size = std::uint32_t(malloc_slab_size);
		p.flags = std::uint32_t(SLUBQ_F_NO_MERGE) | (set == SET_DMA ? std::uint32_t(SLUBQ_F_DMA) : 0u);
		p.queue_size = class_queue_size(k);
		c = slubq_cache_create(&p);
		if (c == nullptr && rte_errno == EEXIST) // another process was first
			c = slubq_cache_lookup(name);
	}
	if (c == nullptr) {
		SLUBQ_MALLOC_LOG(ERR, "slubq_malloc: no cache %s: %s", name, rte_strerror(rte_errno));
		return nullptr;
	}
	slubq_cache_shape sh{};
	if (slubq_cache_get_shape(c, &sh) < 0 || !fits_class(sh, set, k)) {
		SLUBQ_MALLOC_LOG(ERR, "slubq_malloc: cache %s exists but is not a size class (slab %u B, %u-byte objects)",
				 name, sh.slab_size, sh.obj_size);
		return malloc_fail<slubq_cache>(EEXIST);
	}
	if (slubq_cache_pin(c) < 0)
		return nullptr;
	return c;
}

} // namespace

slubq_cache *malloc_class_cache(unsigned set, unsigned k)
{
	slubq_cache *c = load_acquire(malloc_caches[set][k]);
	if (c != nullptr)
		return c;
	std::lock_guard<std::mutex> guard(create_lock);
	c = load_acquire(malloc_caches[set][k]);
	if (c == nullptr) {
		c = find_or_create(set, k);
		if (c != nullptr)
			store_release(malloc_caches[set][k], c);
	}
	return c;
}

// Every class cache that exists in this application (any process made it).
void malloc_for_each_class(void (*fn)(slubq_cache *c, void *arg), void *arg)
{
	for (unsigned set = 0; set < NR_SETS; set++) {
		for (unsigned k = 0; k < nr_classes; k++) {
			slubq_cache *c = load_acquire(malloc_caches[set][k]);
			if (c == nullptr) {
				char name[SLUBQ_NAMESIZE];
				class_name(name, sizeof(name), set, k);
				c = slubq_cache_lookup(name);
				if (c == nullptr || !fits_class(c, set, k))
					continue;
			}
			fn(c, arg);
		}
	}
}

} // namespace slubq
