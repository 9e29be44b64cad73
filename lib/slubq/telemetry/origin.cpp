/* SPDX-License-Identifier: BSD-3-Clause */
// Where each driver-created cache got its tunables (slubq_pool_origin):
// recorded by the mempool driver, read by /slubq/info. A table in a
// memzone of its own, so that every process of the application (and the
// telemetry thread of any of them) sees it; created on the first record,
// never by a reader.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <rte_errno.h>
#include <rte_memzone.h>
#include <rte_pause.h>
#include <rte_spinlock.h>
#include "common/log.hpp"
#include "slubq.h"

namespace {

constexpr const char *origins_mz_name = "slubq_pool_origins";
constexpr unsigned max_origins = 128;
constexpr std::uint32_t origins_magic = 0x0519140f;

struct origin_entry {
	char cache[SLUBQ_NAMESIZE];
	std::uint32_t used;
	slubq_pool_origin origin;
};

struct origin_table {
	std::uint32_t magic;
	rte_spinlock_t lock;
	origin_entry entries[max_origins];
};

origin_table *table(bool create)
{
	const rte_memzone *mz = rte_memzone_lookup(origins_mz_name);
	if (mz == nullptr && create) {
		mz = rte_memzone_reserve(origins_mz_name, sizeof(origin_table), SOCKET_ID_ANY, 0);
		if (mz != nullptr) {
			auto *t = static_cast<origin_table *>(mz->addr);
			std::memset(static_cast<void *>(t), 0, sizeof(*t));
			rte_spinlock_init(&t->lock);
			__atomic_store_n(&t->magic, origins_magic, __ATOMIC_RELEASE);
		} else if (rte_errno == EEXIST) {
			mz = rte_memzone_lookup(origins_mz_name);
		}
	}
	if (mz == nullptr)
		return nullptr;
	auto *t = static_cast<origin_table *>(mz->addr);
	// Another process may be initialising it: readers just see nothing yet.
	if (__atomic_load_n(&t->magic, __ATOMIC_ACQUIRE) != origins_magic)
		return nullptr;
	return t;
}

} // namespace

extern "C" int slubq_pool_origin_set(const char *cache_name, const struct slubq_pool_origin *origin)
{
	if (cache_name == nullptr || cache_name[0] == '\0' || std::strlen(cache_name) >= SLUBQ_NAMESIZE)
		return slubq::fail(EINVAL);
	origin_table *t = table(origin != nullptr);
	if (t == nullptr)
		return origin == nullptr ? slubq::fail(ENOENT) : slubq::fail(rte_errno ? rte_errno : ENOMEM);
	int rc = 0;
	rte_spinlock_lock(&t->lock);
	origin_entry *slot = nullptr, *free_slot = nullptr;
	for (auto &e : t->entries) {
		if (e.used && std::strcmp(e.cache, cache_name) == 0)
			slot = &e;
		else if (!e.used && free_slot == nullptr)
			free_slot = &e;
	}
	if (origin == nullptr) {
		if (slot != nullptr)
			slot->used = 0;
		else
			rc = slubq::fail(ENOENT);
	} else {
		if (slot == nullptr)
			slot = free_slot;
		if (slot == nullptr) {
			rc = slubq::fail(ENOSPC);
		} else {
			std::snprintf(slot->cache, sizeof(slot->cache), "%s", cache_name);
			slot->origin = *origin;
			slot->used = 1;
		}
	}
	rte_spinlock_unlock(&t->lock);
	return rc;
}

extern "C" int slubq_pool_origin_get(const char *cache_name, struct slubq_pool_origin *origin)
{
	if (cache_name == nullptr || origin == nullptr)
		return slubq::fail(EINVAL);
	origin_table *t = table(false);
	if (t == nullptr)
		return slubq::fail(ENOENT);
	// A reader never waits for long on a lock that a dead process may
	// hold (telemetry must answer): a bounded try, then -EBUSY.
	bool locked = false;
	for (int i = 0; i < 100000 && !(locked = rte_spinlock_trylock(&t->lock)); i++)
		rte_pause();
	if (!locked)
		return slubq::fail(EBUSY);
	int rc = slubq::fail(ENOENT);
	for (auto &e : t->entries) {
		if (e.used && std::strcmp(e.cache, cache_name) == 0) {
			*origin = e.origin;
			rc = 0;
			break;
		}
	}
	rte_spinlock_unlock(&t->lock);
	if (rc == 0)
		rte_errno = 0;
	return rc;
}
