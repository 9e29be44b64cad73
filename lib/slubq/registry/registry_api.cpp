/* SPDX-License-Identifier: BSD-3-Clause */
// The public entry points that name caches: create (with merging of
// anonymous caches), lookup, destroy, walk, and the topology new caches
// are made on. The registry holds the names; cache/cache_create.hpp makes
// and frees the caches themselves.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <vector>
#include "cache/cache.hpp"
#include "cache/cache_create.hpp"
#include "common/log.hpp"
#include "registry/registry.hpp"

namespace slubq {

namespace {

bool anonymous(const slubq_cache_params *p) { return p->name == nullptr || p->name[0] == '\0'; }

// A registered anonymous cache this anonymous request may share (registry locked).
slubq_cache *find_mergeable(registry *r, const slubq_cache_params *p, const geometry &g)
{
	for (auto &e : r->entries)
		if (e.used && !e.alias && e.anonymous && !e.pinned && cache_mergeable(e.cache, p, g, r->topo))
			return e.cache;
	return nullptr;
}

registry_entry *free_entry(registry *r)
{
	for (auto &e : r->entries)
		if (!e.used)
			return &e;
	return nullptr;
}

registry_entry *find_entry(registry *r, const char *name)
{
	for (auto &e : r->entries)
		if (e.used && std::strncmp(e.name, name, SLUBQ_NAMESIZE) == 0)
			return &e;
	return nullptr;
}

} // namespace

} // namespace slubq

using namespace slubq;

extern "C" {

struct slubq_cache *slubq_cache_create(const struct slubq_cache_params *p)
{
	if (cache_check_params(p) < 0)
		return nullptr;
	registry *r = registry_get();
	if (r == nullptr)
		return nullptr;
	geometry g;
	if (cache_plan(p, r->topo, g) < 0)
		return nullptr;
	(void)plock_acquire(r->lock);
	slubq_cache *c = nullptr;
	int err = 0;
	char name[SLUBQ_NAMESIZE];
	registry_entry *e = free_entry(r);
	if (e == nullptr) {
		err = ENOSPC;
	} else if (!anonymous(p) && find_entry(r, p->name) != nullptr) {
		err = EEXIST;
	} else if (anonymous(p) && (c = find_mergeable(r, p, g)) != nullptr) {
		// Merge: a new name for the same cache.
		std::snprintf(name, sizeof(name), "anon-%u-%u", p->obj_size, r->next_id++);
		std::snprintf(e->name, sizeof(e->name), "%s", name);
		e->cache = c;
		e->alias = 1;
		e->anonymous = 1;
		e->pinned = 0;
		e->used = 1;
		c->refcnt++;
		SLUBQ_LOG(DEBUG, "cache %s merged into %s", name, c->name);
	} else {
		if (anonymous(p))
			std::snprintf(name, sizeof(name), "anon-%u-%u", p->obj_size, r->next_id);
		else
			std::snprintf(name, sizeof(name), "%s", p->name);
		c = cache_build(p, g, name, r->topo, r->next_id++);
		if (c == nullptr) {
			err = rte_errno ? rte_errno : ENOMEM;
		} else {
			std::snprintf(e->name, sizeof(e->name), "%s", name);
			e->cache = c;
			e->alias = 0;
			e->anonymous = anonymous(p);
			e->pinned = 0;
			e->used = 1;
		}
	}
	plock_release(r->lock);
	if (err) {
		if (err == EEXIST)
			SLUBQ_LOG(ERR, "cache %s already exists", p->name);
		return fail_null<slubq_cache>(err);
	}
	SLUBQ_LOG(DEBUG, "cache %s: %u-byte objects, stride %u, slab %" PRIu64 " B x %u objects, %u socket(s)",
		  c->name, p->obj_size, c->geo.stride, c->geo.slab_size, c->geo.objs_per_slab, c->nr_sockets);
	return c;
}

struct slubq_cache *slubq_cache_lookup(const char *name)
{
	if (name == nullptr)
		return fail_null<slubq_cache>(EINVAL);
	registry *r = registry_get();
	if (r == nullptr)
		return nullptr;
	(void)plock_acquire(r->lock);
	registry_entry *e = find_entry(r, name);
	slubq_cache *c = e ? e->cache : nullptr;
	plock_release(r->lock);
	return c ? c : fail_null<slubq_cache>(ENOENT);
}

int slubq_cache_destroy(struct slubq_cache *c)
{
	if (c == nullptr || c->magic != cache_magic)
		return fail(EINVAL);
	registry *r = registry_get();
	if (r == nullptr)
		return -rte_errno;
	(void)plock_acquire(r->lock);
	// Drop one name: an alias if there is one, else the cache's own.
	registry_entry *own = nullptr, *alias = nullptr;
	for (auto &e : r->entries) {
		if (!e.used || e.cache != c)
			continue;
		if (e.alias) alias = &e; else own = &e;
	}
	if (alias != nullptr) {
		alias->used = 0;
		c->refcnt--;
		plock_release(r->lock);
		return 0;
	}
	if (own != nullptr && own->pinned) {
		plock_release(r->lock);
		SLUBQ_LOG(ERR, "cache %s is pinned (slubq_malloc's size classes are) and cannot be destroyed", c->name);
		return fail(EPERM);
	}
	if (own != nullptr)
		own->used = 0;
	c->refcnt = 0;
	plock_release(r->lock);
	return cache_teardown(c);
}

int slubq_cache_pin(struct slubq_cache *c)
{
	registry *r = registry_get();
	if (r == nullptr)
		return -rte_errno;
	int rc = fail(ENOENT);
	(void)plock_acquire(r->lock);
	for (auto &e : r->entries) {
		if (e.used && !e.alias && e.cache == c) {
			e.pinned = 1;
			rc = 0;
			break;
		}
	}
	plock_release(r->lock);
	if (rc == 0)
		rte_errno = 0;
	return rc;
}

int slubq_cache_walk(int (*fn)(struct slubq_cache *c, const char *name, void *arg), void *arg)
{
	if (fn == nullptr)
		return fail(EINVAL);
	registry *r = registry_get();
	if (r == nullptr)
		return -rte_errno;
	// Copy the names first: fn may create or destroy caches.
	struct item { char name[SLUBQ_NAMESIZE]; slubq_cache *c; };
	std::vector<item> items(SLUBQ_MAX_CACHES);
	unsigned n = 0;
	(void)plock_acquire(r->lock);
	for (auto &e : r->entries)
		if (e.used) {
			std::memcpy(items[n].name, e.name, SLUBQ_NAMESIZE);
			items[n++].c = e.cache;
		}
	plock_release(r->lock);
	for (unsigned i = 0; i < n; i++) {
		int rc = fn(items[i].c, items[i].name, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int slubq_topology_simulate(unsigned int nr_sockets, const int *map)
{
	registry *r = registry_get();
	if (r == nullptr)
		return -rte_errno;
	topology t;
	if (topology_simulate(t, nr_sockets, map) < 0)
		return -rte_errno;
	(void)plock_acquire(r->lock);
	r->topo = t;
	plock_release(r->lock);
	return 0;
}

int slubq_topology_reset(void)
{
	registry *r = registry_get();
	if (r == nullptr)
		return -rte_errno;
	topology t;
	topology_from_eal(t);
	(void)plock_acquire(r->lock);
	r->topo = t;
	plock_release(r->lock);
	return 0;
}

unsigned int slubq_topology_sockets(void)
{
	registry *r = registry_get();
	return r ? r->topo.nr_sockets : 1;
}

unsigned int slubq_topology_lcore_socket(unsigned int lcore)
{
	registry *r = registry_get();
	if (r == nullptr)
		return 0;
	if (lcore >= RTE_MAX_LCORE)
		return topology_thread_socket(r->topo);
	return r->topo.lcore_socket[lcore];
}

int slubq_topology_is_simulated(void)
{
	registry *r = registry_get();
	return r ? int(r->topo.simulated) : 0;
}

int slubq_topology_real_socket(unsigned int logical)
{
	registry *r = registry_get();
	if (r == nullptr)
		return -rte_errno;
	if (logical >= r->topo.nr_sockets)
		return fail(EINVAL);
	return r->topo.real_socket[logical];
}

void slubq_topology_eal(struct slubq_topology_info *t)
{
	topology eal;
	topology_from_eal(eal);
	t->nr_sockets = eal.nr_sockets;
	std::copy(std::begin(eal.real_socket), std::end(eal.real_socket), t->real_socket);
	std::copy(std::begin(eal.lcore_socket), std::end(eal.lcore_socket), t->lcore_socket);
}

} // extern "C"
