/* SPDX-License-Identifier: BSD-3-Clause */
#include "registry/registry.hpp"

#include <cstdio>
#include <cstring>
#include <rte_eal.h>
#include <rte_memzone.h>
#include <rte_pause.h>
#include "cache/cache.hpp"
#include "cache/cache_source.hpp"
#include "common/log.hpp"

namespace slubq {

namespace {
registry *cached; // this process's pointer to the shared registry
}

registry *registry_get()
{
	if (cached != nullptr)
		return cached;
	if (rte_eal_process_type() == RTE_PROC_INVALID || rte_eal_process_type() == RTE_PROC_AUTO)
		return fail_null<registry>(EINVAL);
	const rte_memzone *mz = rte_memzone_lookup(registry_mz_name);
	if (mz == nullptr) {
		mz = rte_memzone_reserve(registry_mz_name, sizeof(registry), SOCKET_ID_ANY, 0);
		if (mz != nullptr) {
			auto *r = static_cast<registry *>(mz->addr);
			std::memset(static_cast<void *>(r), 0, sizeof(*r));
			plock_init(r->lock);
			topology_from_eal(r->topo);
			r->next_id = 1;
			store_release(r->magic, registry_magic);
		} else if (rte_errno == EEXIST) {
			mz = rte_memzone_lookup(registry_mz_name);
		}
	}
	if (mz == nullptr) {
		SLUBQ_LOG(ERR, "cannot reserve or find memzone %s: %s", registry_mz_name, rte_strerror(rte_errno));
		return nullptr;
	}
	auto *r = static_cast<registry *>(mz->addr);
	// Another process may still be initialising it.
	while (load_acquire(r->magic) != registry_magic)
		rte_pause();
	cached = r;
	return r;
}

slubq_cache *registry_hold(const char *name)
{
	registry *r = registry_get();
	if (r == nullptr)
		return nullptr;
	(void)plock_acquire(r->lock);
	for (auto &e : r->entries)
		if (e.used && std::strncmp(e.name, name, SLUBQ_NAMESIZE) == 0)
			return e.cache;
	plock_release(r->lock);
	return fail_null<slubq_cache>(ENOENT);
}

void registry_unhold() { plock_release(registry_get()->lock); }

std::uint64_t registry_reclaim(const slubq_cache *except)
{
	registry *r = registry_get();
	if (r == nullptr)
		return 0;
	// Under the registry lock so that no cache is destroyed meanwhile.
	std::uint64_t freed = 0;
	(void)plock_acquire(r->lock);
	for (auto &e : r->entries) {
		if (!e.used || e.alias || e.cache == except || e.cache->src.kind != SLUBQ_SOURCE_ELASTIC)
			continue;
		for (unsigned s = 0; s < e.cache->nr_sockets; s++)
			freed += elastic_release(e.cache, e.cache->nodes[s]);
	}
	plock_release(r->lock);
	if (freed)
		SLUBQ_LOG(INFO, "memory pressure: other caches gave back %llu bytes", (unsigned long long)freed);
	return freed;
}

} // namespace slubq

using namespace slubq;

extern "C" int slubq_pool_config_set(const char *pool_name, const struct slubq_pool_config *cfg)
{
	if (pool_name == nullptr || pool_name[0] == '\0' || std::strlen(pool_name) >= SLUBQ_NAMESIZE)
		return fail(EINVAL);
	registry *r = registry_get();
	if (r == nullptr)
		return -rte_errno;
	int rc = 0;
	(void)plock_acquire(r->lock);
	pool_config_entry *slot = nullptr, *free_slot = nullptr;
	for (auto &e : r->pool_configs) {
		if (e.used && std::strcmp(e.name, pool_name) == 0)
			slot = &e;
		else if (!e.used && free_slot == nullptr)
			free_slot = &e;
	}
	if (cfg == nullptr) {
		if (slot != nullptr)
			slot->used = 0;
		else
			rc = fail(ENOENT);
	} else {
		if (slot == nullptr)
			slot = free_slot;
		if (slot == nullptr) {
			rc = fail(ENOSPC);
		} else {
			std::snprintf(slot->name, sizeof(slot->name), "%s", pool_name);
			slot->cfg = *cfg;
			slot->used = 1;
		}
	}
	plock_release(r->lock);
	return rc;
}

extern "C" int slubq_pool_config_get(const char *pool_name, struct slubq_pool_config *cfg)
{
	if (pool_name == nullptr || cfg == nullptr)
		return fail(EINVAL);
	registry *r = registry_get();
	if (r == nullptr)
		return -rte_errno;
	int rc = fail(ENOENT);
	(void)plock_acquire(r->lock);
	for (auto &e : r->pool_configs) {
		if (e.used && std::strcmp(e.name, pool_name) == 0) {
			*cfg = e.cfg;
			rc = 0;
			break;
		}
	}
	plock_release(r->lock);
	if (rc == 0)
		rte_errno = 0;
	return rc;
}
