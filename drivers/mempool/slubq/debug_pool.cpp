/* SPDX-License-Identifier: BSD-3-Clause */
#include "debug_pool.hpp"

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <sys/mman.h>
#include <unistd.h>
#include <rte_common.h>
#include "common/log.hpp"
#include "rte_mempool_slubq.h"
#include "slubq_debug.h"

namespace slubq_driver {

namespace {

// Leaks listed one by one in a report (the rest are counted).
constexpr unsigned leak_report_max = 16;

// The debug pools of this process not yet freed: reported at exit.
struct live_pools {
	std::mutex lock;
	slubq_cache *caches[64] = {};
	char names[64][RTE_MEMPOOL_NAMESIZE] = {};
};
live_pools &live()
{
	static live_pools l;
	return l;
}

void forget(const slubq_cache *c)
{
	live_pools &l = live();
	std::lock_guard<std::mutex> g(l.lock);
	for (auto &x : l.caches)
		if (x == c)
			x = nullptr;
}

// Is the page of p still mapped? rte_eal_cleanup() unmaps the EAL's
// memory: then a pool cannot be read any more.
bool mapped(const void *p)
{
	long page = sysconf(_SC_PAGESIZE);
	auto *start = reinterpret_cast<void *>(reinterpret_cast<std::uintptr_t>(p) & ~std::uintptr_t(page - 1));
	return msync(start, std::size_t(page), MS_ASYNC) == 0;
}

// Process exit: the debug pools never freed, if their memory is still there.
void report_at_exit()
{
	live_pools &l = live();
	std::lock_guard<std::mutex> g(l.lock);
	for (unsigned i = 0; i < RTE_DIM(l.caches); i++) {
		slubq_cache *c = l.caches[i];
		if (c == nullptr)
			continue;
		if (!mapped(c)) {
			SLUBQ_LOG(WARNING, "mempool %s: no leak report at exit: rte_eal_cleanup() released its memory "
				  "(rte_mempool_free() it before, to get one)", l.names[i]);
			continue;
		}
		SLUBQ_LOG(NOTICE, "mempool %s: process exit, the pool was never freed", l.names[i]);
		if (slubq_cache_log_leaks(c, leak_report_max) == 0)
			SLUBQ_LOG(NOTICE, "mempool %s: no object out", l.names[i]);
	}
}

void remember(rte_mempool *mp, slubq_cache *c)
{
	live_pools &l = live();
	std::lock_guard<std::mutex> g(l.lock);
	static bool at_exit;
	if (!at_exit)
		at_exit = std::atexit(report_at_exit) == 0;
	for (unsigned i = 0; i < RTE_DIM(l.caches); i++) {
		if (l.caches[i] == nullptr) {
			l.caches[i] = c;
			std::snprintf(l.names[i], sizeof(l.names[i]), "%s", mp->name);
			return;
		}
	}
	SLUBQ_LOG(WARNING, "mempool %s: more than %zu debug pools: none at exit for this one", mp->name,
		  RTE_DIM(l.caches));
}

// rte_mempool_free() tells this before it takes the pool's objects back
// (and frees their memory): the last moment a leak report can see which
// objects the application still holds.
void on_mempool_event(rte_mempool_event event, rte_mempool *mp, void *)
{
	if (event != RTE_MEMPOOL_EVENT_DESTROY)
		return;
	slubq_cache *c = rte_mempool_slubq_cache(mp);
	if (c == nullptr)
		return;
	slubq_cache_log_leaks(c, leak_report_max); // -ENOTSUP, silently, for a pool without debug
	forget(c);
}

// Every get and put must reach the driver, so that owner tracking names
// the code that took or gave back each object (not the one that happened
// to refill or flush rte_mempool's per-lcore cache) and a freed object is
// poisoned when it is freed. mp->cache_size must stay: rte_mempool_get_priv()
// (the pktmbuf data room and private size) is found past the caches by
// it. Each default cache is given size 0 and flush threshold 0 instead: in
// DPDK 22.11 a put of n > 0 then goes straight to the driver, and a get
// asks the driver for exactly n (0 + remaining) and leaves the cache
// empty. The caches are empty here (alloc runs before populate). Caches
// an application makes itself (rte_mempool_cache_create) are not touched.
void default_caches_off(rte_mempool *mp)
{
	if (mp->cache_size == 0)
		return;
	for (unsigned i = 0; i < RTE_MAX_LCORE; i++) {
		mp->local_cache[i].size = 0;
		mp->local_cache[i].flushthresh = 0;
	}
	SLUBQ_LOG(NOTICE, "mempool %s: debug mode: its per-lcore caches (%u) pass every get/put to the driver",
		  mp->name, mp->cache_size);
}

} // namespace

int debug_pool_start(rte_mempool *mp, slubq_cache *c, const pool_params &pp)
{
	if (pp.mbuf_data_len != 0) {
		int rc = slubq_debug_mbuf_layout(c, pp.mbuf_data_off, pp.mbuf_data_len);
		if (rc < 0) {
			SLUBQ_LOG(ERR, "mempool %s: mbuf debugging: %s", mp->name, rte_strerror(-rc));
			return rc;
		}
	}
	default_caches_off(mp);
	static bool registered;
	if (!registered) {
		int rc = rte_mempool_event_callback_register(on_mempool_event, nullptr);
		registered = rc == 0 || rc == -EEXIST;
		if (!registered)
			SLUBQ_LOG(WARNING, "mempool %s: no leak report when it is freed: %s", mp->name, rte_strerror(-rc));
	}
	remember(mp, c);
	SLUBQ_LOG(NOTICE, "mempool %s: debug mode (%s%s%s%s)", mp->name,
		  (pp.p.flags & SLUBQ_F_POISON) ? "poison of the mbuf data buffer " : "",
		  (pp.p.flags & SLUBQ_F_TRACK) ? "track " : "", (pp.p.flags & SLUBQ_F_SANITY) ? "sanity " : "",
		  pp.mbuf_data_len ? "mbuf checks" : "not an mbuf pool");
	return 0;
}

void debug_pool_end(const slubq_cache *c) { forget(c); }

} // namespace slubq_driver
