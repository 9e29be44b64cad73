/* SPDX-License-Identifier: BSD-3-Clause */
#include "pools.hpp"

#include <cstdio>
#include <cstring>
#include <rte_errno.h>
#include <rte_lcore.h>
#include "rte_mempool_slubq.h"

namespace slubq_bench {

namespace {

unsigned next_id;

// "<driver>_c<cache>" -> driver and cache size.
bool split_kind(const std::string &kind, std::string &driver, unsigned &cache_size)
{
	auto at = kind.rfind("_c");
	if (at == std::string::npos || at + 2 >= kind.size())
		return false;
	driver = kind.substr(0, at);
	cache_size = unsigned(std::stoul(kind.substr(at + 2)));
	return true;
}

rte_mempool *make_mempool(const std::string &driver, unsigned cache_size, unsigned n, unsigned obj_size)
{
	const std::string ops = driver == "slubq_ops" ? "slubq" : driver == "ref" ? ref_ops_name : driver;
	std::string name = "bp" + std::to_string(next_id++) + "_" + driver;
	name.resize(std::min<std::size_t>(name.size(), RTE_MEMPOOL_NAMESIZE - 1));
	rte_mempool *mp = rte_mempool_create_empty(name.c_str(), n, obj_size, cache_size, 0, rte_socket_id(), 0);
	if (mp == nullptr) {
		std::fprintf(stderr, "slubq-bench: %s: rte_mempool_create_empty: %s\n", driver.c_str(),
			     rte_strerror(rte_errno));
		return nullptr;
	}
	int rc = rte_mempool_set_ops_byname(mp, ops.c_str(), nullptr);
	if (rc == 0)
		rc = rte_mempool_populate_default(mp) < 0 ? -1 : 0;
	if (rc != 0) {
		std::fprintf(stderr, "slubq-bench: pool on ops '%s' unavailable (%s): its cases are left out\n",
			     ops.c_str(), rte_strerror(rte_errno));
		rte_mempool_free(mp);
		return nullptr;
	}
	// (Also what links the driver in: its constructor registers "slubq".)
	if (ops == "slubq" && rte_mempool_slubq_cache(mp) == nullptr) {
		std::fprintf(stderr, "slubq-bench: %s: no slubq cache behind the pool\n", name.c_str());
		rte_mempool_free(mp);
		return nullptr;
	}
	return mp;
}

} // namespace

std::vector<std::string> all_kinds()
{
	return {baseline_kind,     "ring_mp_mc_c256", "ring_mp_mc_c0", "stack_c512", "lf_stack_c512",
		"bucket_c512",     "slubq_native",    "slubq_ops_c512", "slubq_ops_c0", "ref_c0"};
}

pool *make_pool(const std::string &kind, unsigned n, unsigned obj_size)
{
	auto *p = new pool;
	p->kind = kind;
	if (kind == slubq_native_kind) {
		slubq_cache_params prm;
		slubq_cache_params_init(&prm);
		std::string name = "bc" + std::to_string(next_id++);
		prm.name = name.c_str();
		prm.obj_size = obj_size;
		prm.flags = SLUBQ_F_NO_MERGE;
		p->cache = slubq_cache_create(&prm);
		if (p->cache == nullptr)
			std::fprintf(stderr, "slubq-bench: slubq_cache_create: %s\n", rte_strerror(rte_errno));
	} else {
		std::string driver;
		unsigned cache_size = 0;
		if (split_kind(kind, driver, cache_size))
			p->mp = make_mempool(driver, cache_size, n, obj_size);
		else
			std::fprintf(stderr, "slubq-bench: unknown pool kind %s\n", kind.c_str());
	}
	if (p->cache == nullptr && p->mp == nullptr) {
		delete p;
		return nullptr;
	}
	unsigned got = warm_pool(*p, n);
	if (got < n) {
		// Seen with DPDK 22.11's bucket driver: it counts and hands out a
		// quarter of its objects. A pool that cannot is not measured.
		std::fprintf(stderr, "slubq-bench: %s hands out only %u of its %u objects: its cases are left out\n",
			     kind.c_str(), got, n);
		free_pool(p);
		return nullptr;
	}
	return p;
}

void free_pool(pool *p)
{
	if (p == nullptr)
		return;
	if (p->cache != nullptr)
		slubq_cache_destroy(p->cache);
	if (p->mp != nullptr)
		rte_mempool_free(p->mp);
	delete p;
}

unsigned warm_pool(const pool &p, unsigned n)
{
	std::vector<void *> objs(n);
	unsigned got = 0;
	with_api(p, [&](auto native) {
		constexpr bool nat = decltype(native)::value;
		// Elastic caches grow to n here; rte_mempool pools hand out every object.
		while (got < n) {
			unsigned step = std::min(32u, n - got);
			if (get<nat>(p, objs.data() + got, step) != 0)
				break;
			got += step;
		}
		for (unsigned i = 0; i < got; i++)
			std::memset(objs[i], 0, 8);
		put<nat>(p, objs.data(), got);
	});
	return got;
}

} // namespace slubq_bench

namespace slubq_bench {

namespace {
std::vector<pool *> shared;
std::vector<std::string> unavailable;
} // namespace

pool *shared_pool(const std::string &kind, unsigned obj_size)
{
	for (pool *p : shared)
		if (p->kind == kind)
			return p;
	for (const auto &k : unavailable)
		if (k == kind)
			return nullptr;
	pool *p = make_pool(kind, shared_pool_objs, obj_size);
	if (p == nullptr)
		unavailable.push_back(kind);
	else
		shared.push_back(p);
	return p;
}

void keep_pool(pool *p)
{
	shared.push_back(p);
}

void free_shared_pools()
{
	for (pool *p : shared)
		free_pool(p);
	shared.clear();
}

} // namespace slubq_bench

namespace slubq_bench {

slubq_cache *slubq_cache_of_pool(const pool &p)
{
	if (p.cache != nullptr)
		return p.cache;
	if (p.mp != nullptr && p.kind.rfind("slubq", 0) == 0)
		return rte_mempool_slubq_cache(p.mp);
	return nullptr;
}

double slow_per_kobj(slubq_cache *c, const slubq_stats &before, double objs)
{
	slubq_stats now{};
	slubq_cache_stats(c, int(rte_lcore_id()), &now);
	double slow = double(now.refills - before.refills + now.flushes - before.flushes);
	return objs > 0 ? 1000.0 * slow / objs : 0.0;
}

} // namespace slubq_bench
