/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 7, registry.cpp and the registry side of cache create/destroy: one
// shared memzone, names registered, looked up and dropped (slots reused,
// collisions refused, a full registry), merged names as aliases counted in
// refcnt, pinned caches, pool configurations, the registry lock that
// telemetry holds, and reclaim of empty chunks across caches.
#include <gtest/gtest.h>
#include <atomic>
#include <string>
#include <thread>
#include <vector>
#include <unistd.h>
#include <rte_errno.h>
#include <rte_memzone.h>
#include "cache/cache.hpp"
#include "cache/cache_source.hpp"
#include "registry/registry.hpp"
#include "test_cache.hpp"

using namespace slubq;
using slubq_test::elastic_cache;
using slubq_test::elastic_params;
using slubq_test::info_of;
using slubq_test::verify;

namespace {

// The registry entries that name cache c (its own and its aliases).
std::vector<registry_entry *> entries_of(const slubq_cache *c)
{
	std::vector<registry_entry *> v;
	for (auto &e : registry_get()->entries)
		if (e.used && e.cache == c)
			v.push_back(&e);
	return v;
}

unsigned used_entries()
{
	unsigned n = 0;
	for (auto &e : registry_get()->entries)
		n += e.used != 0;
	return n;
}

std::uint32_t lock_holder() { return __atomic_load_n(&registry_get()->lock.holder, __ATOMIC_ACQUIRE); }

// No lcore queue and no shared queue: every free goes back to its slab,
// so a chunk is empty as soon as its objects are freed.
slubq_test::test_cache queueless(const char *name)
{
	slubq_cache_params p = elastic_params(name, 256);
	p.queue_size = SLUBQ_QUEUE_OFF;
	auto c = elastic_cache(p);
	if (c != nullptr && slubq_cache_set(c, SLUBQ_TUNE_SHARED_SIZE, 0) != 0)
		c.reset();
	return c;
}

} // namespace

TEST(Registry, OneSharedMemzoneSetUpOnce)
{
	registry *r = registry_get();
	ASSERT_NE(r, nullptr);
	EXPECT_EQ(registry_get(), r);
	const rte_memzone *mz = rte_memzone_lookup(registry_mz_name);
	ASSERT_NE(mz, nullptr);
	EXPECT_EQ(mz->addr, static_cast<void *>(r));
	EXPECT_GE(mz->len, sizeof(registry));
	EXPECT_EQ(r->magic, registry_magic);
	EXPECT_EQ(lock_holder(), 0u) << "the lock is free between calls";
}

TEST(Registry, NamesAreRegisteredLookedUpAndDropped)
{
	const unsigned before = used_entries();
	auto c = elastic_cache(elastic_params("t_reg_one", 64));
	ASSERT_NE(c, nullptr);
	auto e = entries_of(c);
	ASSERT_EQ(e.size(), 1u);
	EXPECT_STREQ(e[0]->name, "t_reg_one");
	EXPECT_EQ(e[0]->alias, 0u);
	EXPECT_EQ(e[0]->anonymous, 0u);
	EXPECT_EQ(e[0]->pinned, 0u);
	EXPECT_EQ(used_entries(), before + 1);
	EXPECT_EQ(slubq_cache_lookup("t_reg_one"), c);
	EXPECT_EQ(slubq_cache_lookup("t_reg_on"), nullptr) << "a prefix is not the name";
	EXPECT_EQ(rte_errno, ENOENT);
	EXPECT_EQ(slubq_cache_lookup(nullptr), nullptr);
	EXPECT_EQ(rte_errno, EINVAL);

	registry_entry *slot = e[0];
	EXPECT_EQ(c.reset(), 0);
	EXPECT_EQ(slot->used, 0u);
	EXPECT_EQ(used_entries(), before);
	EXPECT_EQ(slubq_cache_lookup("t_reg_one"), nullptr);
	// The first free slot is taken again.
	auto d = elastic_cache(elastic_params("t_reg_two", 64));
	ASSERT_NE(d, nullptr);
	EXPECT_EQ(entries_of(d), std::vector<registry_entry *>{slot});
}

TEST(Registry, NameCollisionsAreRefused)
{
	auto a = elastic_cache(elastic_params("t_reg_same", 64));
	ASSERT_NE(a, nullptr);
	const unsigned used = used_entries();
	// Whatever its size or source, a second cache of a name is refused.
	rte_errno = 0;
	EXPECT_EQ(elastic_cache(elastic_params("t_reg_same", 128)).get(), nullptr);
	EXPECT_EQ(rte_errno, EEXIST);
	rte_errno = 0;
	EXPECT_EQ(slubq_test::fixed_cache(slubq_test::fixed_params("t_reg_same", 64), 100).get(), nullptr);
	EXPECT_EQ(rte_errno, EEXIST);
	EXPECT_EQ(used_entries(), used);
	EXPECT_EQ(slubq_cache_lookup("t_reg_same"), a);
	// Names as long as an entry holds; one more is refused.
	const std::string longest(SLUBQ_NAMESIZE - 1, 'n');
	auto l = elastic_cache(elastic_params(longest.c_str(), 64));
	ASSERT_NE(l, nullptr);
	EXPECT_EQ(slubq_cache_lookup(longest.c_str()), l);
	EXPECT_EQ(elastic_cache(elastic_params((longest + "n").c_str(), 64)).get(), nullptr);
	EXPECT_EQ(rte_errno, ENAMETOOLONG);
	// Free again once the cache is gone.
	EXPECT_EQ(a.reset(), 0);
	auto b = elastic_cache(elastic_params("t_reg_same", 128));
	EXPECT_NE(b, nullptr);
}

TEST(Registry, FullRegistryRefusesThenTakesAgain)
{
	std::vector<slubq_test::test_cache> made;
	const unsigned room = SLUBQ_MAX_CACHES - used_entries();
	for (unsigned i = 0; i < room; i++) {
		const std::string name = "t_reg_full" + std::to_string(i);
		made.push_back(elastic_cache(elastic_params(name.c_str(), 64)));
		ASSERT_NE(made.back(), nullptr) << name << ": " << rte_strerror(rte_errno);
	}
	EXPECT_EQ(used_entries(), unsigned(SLUBQ_MAX_CACHES));
	rte_errno = 0;
	EXPECT_EQ(elastic_cache(elastic_params("t_reg_one_more", 64)).get(), nullptr);
	EXPECT_EQ(rte_errno, ENOSPC);
	// Nor can an anonymous cache merge into a name of its own.
	EXPECT_EQ(elastic_cache(elastic_params(nullptr, 64)).get(), nullptr);
	EXPECT_EQ(rte_errno, ENOSPC);
	made.pop_back();
	EXPECT_NE(elastic_cache(elastic_params("t_reg_one_more", 64)), nullptr);
}

// Compatible anonymous caches share one cache: every further name is an
// alias entry, counted in refcnt; a destroy drops an alias first, so the
// cache lives on under its own name until the last one goes.
TEST(Registry, MergedNamesAreAliasesCountedInRefcnt)
{
	const slubq_cache_params p = elastic_params(nullptr, 72);
	auto a = elastic_cache(p);
	auto b = elastic_cache(p);
	ASSERT_NE(a, nullptr);
	ASSERT_EQ(b.get(), a.get());
	auto e = entries_of(a);
	ASSERT_EQ(e.size(), 2u);
	registry_entry *own = e[0]->alias ? e[1] : e[0], *alias = e[0]->alias ? e[0] : e[1];
	EXPECT_EQ(own->alias, 0u);
	EXPECT_EQ(alias->alias, 1u);
	EXPECT_EQ(own->anonymous + alias->anonymous, 2u);
	EXPECT_EQ(std::string(own->name).rfind("anon-72-", 0), 0u) << own->name;
	EXPECT_EQ(std::string(alias->name).rfind("anon-72-", 0), 0u) << alias->name;
	EXPECT_STRNE(own->name, alias->name);
	EXPECT_STREQ(slubq_cache_name(a), own->name);
	EXPECT_EQ(a->refcnt, 2u);
	const std::string own_name = own->name, alias_name = alias->name;
	EXPECT_EQ(slubq_cache_lookup(alias_name.c_str()), a);

	EXPECT_EQ(b.reset(), 0);
	EXPECT_EQ(a->refcnt, 1u);
	EXPECT_EQ(entries_of(a), std::vector<registry_entry *>{own});
	EXPECT_EQ(slubq_cache_lookup(alias_name.c_str()), nullptr);
	EXPECT_EQ(slubq_cache_lookup(own_name.c_str()), a);
	EXPECT_EQ(a.reset(), 0);
	EXPECT_EQ(slubq_cache_lookup(own_name.c_str()), nullptr);
}

TEST(Registry, PinnedCacheIsNeitherDestroyedNorMergedInto)
{
	auto c = elastic_cache(elastic_params(nullptr, 88));
	ASSERT_NE(c, nullptr);
	ASSERT_EQ(slubq_cache_pin(c), 0);
	auto e = entries_of(c);
	ASSERT_EQ(e.size(), 1u);
	EXPECT_EQ(e[0]->pinned, 1u);
	EXPECT_EQ(slubq_cache_destroy(c), -EPERM);
	EXPECT_EQ(rte_errno, EPERM);
	EXPECT_EQ(slubq_cache_lookup(e[0]->name), c);
	auto other = elastic_cache(elastic_params(nullptr, 88));
	ASSERT_NE(other, nullptr);
	EXPECT_NE(other.get(), c.get()) << "merged into a pinned cache";
	int not_a_cache;
	EXPECT_EQ(slubq_cache_pin(reinterpret_cast<slubq_cache *>(&not_a_cache)), -ENOENT);
	e[0]->pinned = 0; // only the library pins (its size classes): let the test's cache go
}

TEST(Registry, PoolConfigsSetGetForget)
{
	slubq_pool_config cfg{};
	EXPECT_EQ(slubq_pool_config_get("t_pool_none", &cfg), -ENOENT);
	cfg.queue_size = 128;
	cfg.batch = 32;
	ASSERT_EQ(slubq_pool_config_set("t_pool", &cfg), 0);
	slubq_pool_config out{};
	ASSERT_EQ(slubq_pool_config_get("t_pool", &out), 0);
	EXPECT_EQ(out.queue_size, 128u);
	EXPECT_EQ(out.batch, 32u);
	cfg.queue_size = 64;
	ASSERT_EQ(slubq_pool_config_set("t_pool", &cfg), 0);
	ASSERT_EQ(slubq_pool_config_get("t_pool", &out), 0);
	EXPECT_EQ(out.queue_size, 64u);
	ASSERT_EQ(slubq_pool_config_set("t_pool", nullptr), 0);
	EXPECT_EQ(slubq_pool_config_get("t_pool", &out), -ENOENT);
	EXPECT_EQ(slubq_pool_config_set("t_pool", nullptr), -ENOENT);
	EXPECT_EQ(slubq_pool_config_set("", &cfg), -EINVAL);
	EXPECT_EQ(slubq_pool_config_set(nullptr, &cfg), -EINVAL);
	EXPECT_EQ(slubq_pool_config_set(std::string(SLUBQ_NAMESIZE, 'p').c_str(), &cfg), -EINVAL);
	EXPECT_EQ(slubq_pool_config_get(nullptr, &out), -EINVAL);
	EXPECT_EQ(slubq_pool_config_get("t_pool", nullptr), -EINVAL);
}

TEST(Registry, PoolConfigsFillUpThenTakeAgain)
{
	slubq_pool_config cfg{};
	cfg.queue_size = 16;
	std::vector<std::string> names;
	int rc = 0;
	while (rc == 0 && names.size() <= SLUBQ_MAX_POOL_CONFIGS) {
		names.push_back("t_pool" + std::to_string(names.size()));
		rc = slubq_pool_config_set(names.back().c_str(), &cfg);
	}
	EXPECT_EQ(rc, -ENOSPC);
	names.pop_back();
	ASSERT_FALSE(names.empty());
	// A name that has a slot still changes when the table is full.
	cfg.queue_size = 32;
	EXPECT_EQ(slubq_pool_config_set(names[0].c_str(), &cfg), 0);
	slubq_pool_config out{};
	ASSERT_EQ(slubq_pool_config_get(names[0].c_str(), &out), 0);
	EXPECT_EQ(out.queue_size, 32u);
	// A forgotten one makes room.
	ASSERT_EQ(slubq_pool_config_set(names.back().c_str(), nullptr), 0);
	names.pop_back();
	EXPECT_EQ(slubq_pool_config_set("t_pool_again", &cfg), 0);
	EXPECT_EQ(slubq_pool_config_set("t_pool_again", nullptr), 0);
	for (const auto &n : names) {
		EXPECT_EQ(slubq_pool_config_set(n.c_str(), nullptr), 0) << n;
	}
}

// registry_hold keeps the registry lock until registry_unhold: a lookup
// from another thread waits for it. A failed hold holds nothing.
TEST(Registry, HoldKeepsTheLockUntilUnhold)
{
	auto c = elastic_cache(elastic_params("t_reg_hold", 64));
	ASSERT_NE(c, nullptr);
	EXPECT_EQ(registry_hold("t_reg_nothing"), nullptr);
	EXPECT_EQ(rte_errno, ENOENT);
	EXPECT_EQ(lock_holder(), 0u) << "a failed hold kept the lock";

	ASSERT_EQ(registry_hold("t_reg_hold"), c);
	EXPECT_EQ(lock_holder(), process_token) << "held by this process";
	std::atomic<bool> found{false};
	std::thread lookup([&] { found = slubq_cache_lookup("t_reg_hold") == c; });
	// Nothing can show a lookup that waits except that it has not returned.
	usleep(100 * 1000);
	EXPECT_FALSE(found.load()) << "a lookup went past the held lock";
	registry_unhold();
	lookup.join();
	EXPECT_TRUE(found.load());
	EXPECT_EQ(lock_holder(), 0u);
}

// Memory pressure: every other elastic cache gives its empty chunks back;
// the asking cache's own, chunks with an object in use, and fixed caches'
// memory stay.
TEST(Registry, ReclaimTakesEmptyChunksOfOtherElasticCaches)
{
	auto asking = queueless("t_reg_asking");
	auto other = queueless("t_reg_other");
	auto fixed = slubq_test::fixed_cache(slubq_test::fixed_params("t_reg_fixed", 256), 1000);
	ASSERT_NE(asking, nullptr);
	ASSERT_NE(other, nullptr);
	ASSERT_NE(fixed, nullptr);
	std::vector<void *> objs(20000);
	for (slubq_cache *c : {asking.get(), other.get()}) {
		ASSERT_EQ(slubq_cache_alloc_bulk(c, objs.data(), unsigned(objs.size())), 0);
		slubq_cache_free_bulk(c, objs.data(), unsigned(objs.size()));
	}
	const std::uint64_t asking_mem = info_of(asking).mem_bytes, other_mem = info_of(other).mem_bytes;
	ASSERT_GT(asking_mem, 0u);
	ASSERT_GT(other_mem, 0u);

	EXPECT_EQ(registry_reclaim(asking), other_mem);
	EXPECT_EQ(info_of(asking).mem_bytes, asking_mem);
	EXPECT_EQ(info_of(other).mem_bytes, 0u);
	EXPECT_EQ(slubq_cache_total(fixed), 1000u);
	EXPECT_EQ(slubq_cache_available(fixed), 1000u);

	// One object in use keeps its chunk.
	void *held = slubq_cache_alloc(other);
	ASSERT_NE(held, nullptr);
	const std::uint64_t one_chunk = info_of(other).mem_bytes;
	EXPECT_EQ(registry_reclaim(nullptr), asking_mem);
	EXPECT_EQ(info_of(asking).mem_bytes, 0u);
	EXPECT_EQ(info_of(other).mem_bytes, one_chunk);
	slubq_cache_free(other, held);
	EXPECT_EQ(lock_holder(), 0u);
	for (slubq_cache *c : {asking.get(), other.get(), fixed.get()})
		EXPECT_EQ(verify(c), "") << slubq_cache_name(c);
}
