/* SPDX-License-Identifier: BSD-3-Clause */
// The "slubq" mempool ops: geometry (exactly n objects, unaligned chunks,
// no object across an IOVA discontinuity), exhaustion and all-or-nothing
// dequeue with exact counts after every operation (with and without the
// rte_mempool cache), several lcores, non-EAL threads, simulated sockets,
// per-pool overrides, registration.
#include <gtest/gtest.h>
#include <dlfcn.h>
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>
#include <thread>
#include <vector>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_memory.h>
#include <rte_memzone.h>
#include "eal_env.hpp"
#include "lcore_job.hpp"
#include "pool_helpers.hpp"

using namespace driver_test;

namespace {

unsigned ops_named_slubq()
{
	unsigned k = 0;
	for (unsigned i = 0; i < rte_mempool_ops_table.num_ops; i++)
		k += std::strcmp(rte_mempool_ops_table.ops[i].name, "slubq") == 0;
	return k;
}

slubq_cache_info info_of(rte_mempool *mp)
{
	slubq_cache_info info;
	std::memset(&info, 0, sizeof(info));
	slubq_cache_get_info(rte_mempool_slubq_cache(mp), &info);
	return info;
}

// Every object: its IOVA is the memory's, and the IOVA stays contiguous
// across the whole slot (it does not straddle a discontinuity).
struct iova_check {
	unsigned objs = 0, bad = 0;
};
void check_obj_iova(rte_mempool *mp, void *arg, void *obj, unsigned)
{
	auto *ck = static_cast<iova_check *>(arg);
	ck->objs++;
	rte_iova_t iova = rte_mempool_virt2iova(obj);
	if (iova == RTE_BAD_IOVA)
		return;
	char *first = static_cast<char *>(obj) - mp->header_size;
	char *last = static_cast<char *>(obj) + mp->elt_size + mp->trailer_size - 1;
	rte_iova_t lo = rte_mem_virt2iova(first), hi = rte_mem_virt2iova(last);
	if (rte_mem_virt2iova(obj) != iova || hi - lo != rte_iova_t(last - first))
		ck->bad++;
}

} // namespace

TEST(Driver, RegisteredOnceUnderOneName)
{
	EXPECT_EQ(ops_named_slubq(), 1u);
	// A second copy of the plugin (DPDK's plugin directory and -d from
	// another path) must not take a second slot of the ops table.
	const char *so = std::getenv("SLUBQ_DRIVER_SO");
	if (so == nullptr)
		GTEST_SKIP() << "SLUBQ_DRIVER_SO not set (run through meson test)";
	namespace fs = std::filesystem;
	fs::path dir = fs::path(so).parent_path() / "second-copy";
	fs::create_directories(dir);
	fs::copy_file(so, dir / "librte_mempool_slubq_copy.so", fs::copy_options::overwrite_existing);
	unsigned before = rte_mempool_ops_table.num_ops;
	void *h = dlopen((dir / "librte_mempool_slubq_copy.so").c_str(), RTLD_NOW);
	ASSERT_NE(h, nullptr) << dlerror();
	EXPECT_EQ(rte_mempool_ops_table.num_ops, before);
	EXPECT_EQ(ops_named_slubq(), 1u);
	rte_mempool *mp = make_pool("t_twice", 100, 64, 0);
	ASSERT_NE(mp, nullptr);
	EXPECT_EQ(rte_mempool_avail_count(mp), 100u);
	rte_mempool_free(mp);
}

TEST(Driver, PopulateDefaultYieldsExactlyN)
{
	struct shape { unsigned n, elt, cache, flags; };
	for (shape s : {shape{1, 64, 0, 0}, shape{7, 2048, 0, 0}, shape{29, 2176, 0, 0}, shape{1000, 2176, 32, 0},
			shape{4097, 200, 0, 0}, shape{300, 70000, 0, 0}, shape{999, 100, 0, RTE_MEMPOOL_F_NO_IOVA_CONTIG},
			shape{999, 100, 0, RTE_MEMPOOL_F_NO_CACHE_ALIGN}}) {
		SCOPED_TRACE("n=" + std::to_string(s.n) + " elt=" + std::to_string(s.elt) + " flags=" +
			     std::to_string(s.flags));
		rte_mempool *mp = make_pool("t_exact", s.n, s.elt, s.cache, nullptr, nullptr, s.flags);
		ASSERT_NE(mp, nullptr) << rte_strerror(rte_errno);
		pool_guard g(mp);
		EXPECT_EQ(mp->populated_size, s.n);
		EXPECT_EQ(rte_mempool_avail_count(mp), s.n);
		EXPECT_EQ(slubq_cache_total(rte_mempool_slubq_cache(mp)), s.n);
		iova_check ck;
		rte_mempool_obj_iter(mp, check_obj_iova, &ck);
		EXPECT_EQ(ck.objs, s.n);
		EXPECT_EQ(ck.bad, 0u);
		EXPECT_EQ(verify(mp), "");
	}
	// The pool's memory is gone with the pool, and so is its cache.
	EXPECT_EQ(slubq_cache_lookup("mp:t_exact"), nullptr);
}

// Elements of 13761-13824 B (13888-byte slots: 2 MiB = 151 x 13888 + 64)
// get the compact slab header: 151 objects per 2 MiB slab, every one
// served, freed, its IOVA right (the compact header keeps none of its
// own), and the lists and bitmaps consistent throughout.
TEST(Driver, CompactSlabsServeEveryObject)
{
	const unsigned n = 1000;
	rte_mempool *mp = make_pool("t_compact", n, 13824, 0);
	ASSERT_NE(mp, nullptr) << rte_strerror(rte_errno);
	pool_guard g(mp);
	ASSERT_EQ(mp->header_size + mp->elt_size + mp->trailer_size, 13888u);
	slubq_cache_info info = info_of(mp);
	if (info.slab_size == (2u << 20)) {
		EXPECT_EQ(info.slab_objs, 151u);
	}
	std::vector<void *> objs(n);
	ASSERT_EQ(rte_mempool_get_bulk(mp, objs.data(), n), 0);
	void *more = nullptr;
	EXPECT_LT(rte_mempool_get(mp, &more), 0); // all n are out
	EXPECT_EQ(verify(mp), "");
	std::set<void *> seen(objs.begin(), objs.end());
	EXPECT_EQ(seen.size(), std::size_t(n));
	const slubq_cache *c = rte_mempool_slubq_cache(mp);
	unsigned bad_iova = 0;
	for (void *o : objs)
		if (rte_mempool_virt2iova(o) != RTE_BAD_IOVA &&
		    slubq_cache_virt2iova(c, o) != rte_mempool_virt2iova(o))
			bad_iova++;
	EXPECT_EQ(bad_iova, 0u);
	// Back in two halves, odd ones first: slabs move between the lists.
	std::vector<void *> odd, even;
	for (unsigned i = 0; i < n; i++)
		(i % 2 ? odd : even).push_back(objs[i]);
	rte_mempool_put_bulk(mp, odd.data(), unsigned(odd.size()));
	EXPECT_EQ(verify(mp), "");
	rte_mempool_put_bulk(mp, even.data(), unsigned(even.size()));
	EXPECT_EQ(rte_mempool_avail_count(mp), n);
	EXPECT_EQ(verify(mp), "");
}

TEST(Driver, UnalignedChunkStillHoldsN)
{
	const unsigned n = 1000;
	rte_mempool *mp = rte_mempool_create_empty("t_unaligned", n, 2176, 0, 0, SOCKET_ID_ANY, 0);
	ASSERT_NE(mp, nullptr);
	pool_guard g(mp);
	ASSERT_EQ(rte_mempool_set_ops_byname(mp, "slubq", nullptr), 0);
	std::size_t pg_sz = 0;
	ASSERT_EQ(rte_mempool_get_page_size(mp, &pg_sz), 0);
	std::uint32_t pg_shift = pg_sz ? std::uint32_t(__builtin_ctzll(pg_sz)) : 0;
	std::size_t min_chunk = 0, align = 0;
	const rte_mempool_ops &ops = rte_mempool_ops_table.ops[mp->ops_index];
	ssize_t mem = ops.calc_mem_size(mp, n, pg_shift, &min_chunk, &align);
	ASSERT_GT(mem, 0);
	ASSERT_GE(align, 4096u);
	// calc_mem_size asks for aligned chunks (populate_default reserves them
	// so); a chunk that starts off alignment loses its head, up to one slab.
	// Reserve more, then hand in `mem` + one slab starting off alignment.
	const std::size_t len = std::size_t(mem) + align;
	const rte_memzone *mz = rte_memzone_reserve_aligned("t_unaligned_mz", len + align, SOCKET_ID_ANY, 0, align);
	ASSERT_NE(mz, nullptr);
	char *start = static_cast<char *>(mz->addr) + align / 2 + RTE_CACHE_LINE_SIZE;
	int got = pg_sz ? rte_mempool_populate_virt(mp, start, len, pg_sz, nullptr, nullptr)
			: rte_mempool_populate_iova(mp, start, RTE_BAD_IOVA, len, nullptr, nullptr);
	EXPECT_EQ(got, int(n));
	EXPECT_EQ(rte_mempool_avail_count(mp), n);
	iova_check ck;
	rte_mempool_obj_iter(mp, check_obj_iova, &ck);
	EXPECT_EQ(ck.bad, 0u);
	// Every object lies inside the chunk handed in.
	std::vector<void *> objs(n);
	ASSERT_EQ(rte_mempool_get_bulk(mp, objs.data(), n), 0);
	for (void *o : objs) {
		char *first = static_cast<char *>(o) - mp->header_size;
		EXPECT_GE(first, start);
		EXPECT_LE(static_cast<char *>(o) + mp->elt_size + mp->trailer_size, start + len);
	}
	rte_mempool_put_bulk(mp, objs.data(), n);
	EXPECT_EQ(verify(mp), "");
	rte_mempool_free(mp);
	g.mp = nullptr;
	rte_memzone_free(mz);
}

// Anonymous memory comes in pages of 4 KiB: fine where IOVA is VA, a clear
// error where IOVA is PA (the cache's slabs would straddle those pages).
TEST(Driver, PopulateAnon)
{
	rte_mempool *mp = rte_mempool_create_empty("t_anon", 500, 2176, 0, 0, SOCKET_ID_ANY, 0);
	ASSERT_NE(mp, nullptr);
	pool_guard g(mp);
	ASSERT_EQ(rte_mempool_set_ops_byname(mp, "slubq", nullptr), 0);
	int got = rte_mempool_populate_anon(mp);
	if (rte_eal_iova_mode() == RTE_IOVA_VA) {
		EXPECT_EQ(got, 500);
		EXPECT_EQ(rte_mempool_avail_count(mp), 500u);
		EXPECT_EQ(verify(mp), "");
	} else {
		EXPECT_EQ(got, 0);
		EXPECT_EQ(rte_errno, EINVAL);
		EXPECT_EQ(mp->populated_size, 0u);
	}
}

class DriverCache : public ::testing::TestWithParam<unsigned> {};

// Exhaustion, all-or-nothing, exact counts after every call.
TEST_P(DriverCache, ExhaustionAllOrNothingExactCounts)
{
	const unsigned n = 2048, cache = GetParam();
	rte_mempool *mp = make_pool("t_exhaust", n, 256, cache);
	ASSERT_NE(mp, nullptr);
	pool_guard g(mp);
	std::vector<void *> held;
	auto expect_counts = [&](const char *after) {
		EXPECT_EQ(rte_mempool_avail_count(mp), n - held.size()) << "after " << after;
		EXPECT_EQ(rte_mempool_in_use_count(mp), held.size()) << "after " << after;
	};
	expect_counts("populate");
	void *batch[64];
	for (unsigned k = 1; held.size() < n; k = k % 61 + 1) {
		unsigned want = std::min<unsigned>(k, n - unsigned(held.size()));
		ASSERT_EQ(rte_mempool_get_bulk(mp, batch, want), 0);
		held.insert(held.end(), batch, batch + want);
		expect_counts("get");
	}
	EXPECT_EQ(std::set<void *>(held.begin(), held.end()).size(), n) << "an object handed out twice";
	EXPECT_EQ(rte_mempool_get(mp, batch), -ENOBUFS);
	expect_counts("failed get");
	rte_mempool_put_bulk(mp, held.data() + n - 10, 10);
	held.resize(n - 10);
	expect_counts("put 10");
	EXPECT_EQ(rte_mempool_get_bulk(mp, batch, 11), -ENOBUFS);
	expect_counts("failed get of 11");
	ASSERT_EQ(rte_mempool_get_bulk(mp, batch, 10), 0);
	held.insert(held.end(), batch, batch + 10);
	expect_counts("get 10");
	for (std::size_t i = 0; i < held.size(); i += 37) {
		std::size_t k = std::min<std::size_t>(37, held.size() - i);
		rte_mempool_put_bulk(mp, held.data() + i, unsigned(k));
	}
	held.clear();
	expect_counts("put all");
	// Bulks bigger than any queue: still all or nothing.
	std::vector<void *> all(n + 1);
	EXPECT_EQ(rte_mempool_get_bulk(mp, all.data(), n + 1), -ENOBUFS);
	expect_counts("failed get of n + 1");
	ASSERT_EQ(rte_mempool_get_bulk(mp, all.data(), n), 0);
	held.assign(all.begin(), all.begin() + n);
	expect_counts("get n");
	rte_mempool_put_bulk(mp, held.data(), n);
	held.clear();
	expect_counts("put n");
	EXPECT_EQ(verify(mp), "");
}

namespace {

struct random_run {
	rte_mempool *mp;
	unsigned seed;
	unsigned ops;
	std::atomic<unsigned> *failures;
	std::vector<void *> held; // left allocated at the end
};

// Random bulk gets and puts; touches every object it holds (a write the
// allocator must never overlap with another owner's).
int random_gets_and_puts(void *arg)
{
	auto *r = static_cast<random_run *>(arg);
	std::mt19937 rng(r->seed);
	void *batch[48];
	for (unsigned i = 0; i < r->ops; i++) {
		unsigned k = rng() % 48 + 1;
		if (rng() % 2 && r->held.size() + k <= 400) {
			if (rte_mempool_get_bulk(r->mp, batch, k) == 0) {
				for (unsigned j = 0; j < k; j++)
					*static_cast<unsigned *>(batch[j]) = r->seed;
				r->held.insert(r->held.end(), batch, batch + k);
			}
		} else if (r->held.size() >= k) {
			for (unsigned j = 0; j < k; j++) {
				batch[j] = r->held[r->held.size() - 1 - j];
				if (*static_cast<unsigned *>(batch[j]) != r->seed)
					r->failures->fetch_add(1);
			}
			r->held.resize(r->held.size() - k);
			rte_mempool_put_bulk(r->mp, batch, k);
		}
	}
	return 0;
}

} // namespace

// Worker lcores and non-EAL threads (LCORE_ID_ANY: no rte_mempool cache,
// slubq's locked path) at once; counts exact once they stop.
TEST_P(DriverCache, LcoresAndNonEalThreads)
{
	const unsigned n = 4096;
	rte_mempool *mp = make_pool("t_threads", n, 64, GetParam());
	ASSERT_NE(mp, nullptr);
	pool_guard g(mp);
	std::atomic<unsigned> failures{0};
	std::vector<unsigned> workers = slubq_test::worker_lcores();
	ASSERT_FALSE(workers.empty()) << "needs a worker lcore";
	std::vector<random_run> runs(workers.size() + 3);
	for (unsigned i = 0; i < runs.size(); i++)
		runs[i] = random_run{mp, 1000 + i, 20000, &failures, {}};
	for (unsigned i = 0; i < workers.size(); i++)
		ASSERT_EQ(rte_eal_remote_launch(random_gets_and_puts, &runs[i], workers[i]), 0);
	std::vector<std::thread> threads;
	for (std::size_t i = workers.size(); i + 1 < runs.size(); i++)
		threads.emplace_back([&runs, i] {
			EXPECT_EQ(rte_lcore_id(), LCORE_ID_ANY);
			random_gets_and_puts(&runs[i]);
		});
	random_gets_and_puts(&runs.back()); // the main lcore too
	for (auto &t : threads)
		t.join();
	rte_eal_mp_wait_lcore();
	EXPECT_EQ(failures.load(), 0u) << "an object was handed to two owners";
	std::vector<void *> held;
	for (auto &r : runs)
		held.insert(held.end(), r.held.begin(), r.held.end());
	EXPECT_EQ(std::set<void *>(held.begin(), held.end()).size(), held.size());
	EXPECT_EQ(rte_mempool_avail_count(mp), n - held.size());
	rte_mempool_put_bulk(mp, held.data(), unsigned(held.size()));
	EXPECT_EQ(rte_mempool_avail_count(mp), n);
	EXPECT_EQ(verify(mp), "");
}

INSTANTIATE_TEST_SUITE_P(CacheSizes, DriverCache, ::testing::Values(0u, 32u),
			 [](const auto &info) { return "cache" + std::to_string(info.param); });

namespace {

} // namespace

// Two simulated sockets: objects allocated on one and freed on the other go
// home through the alien queues; counts stay exact.
TEST(Driver, SimulatedSocketsCrossFrees)
{
	std::vector<unsigned> workers = slubq_test::worker_lcores();
	ASSERT_FALSE(workers.empty()) << "needs a worker lcore";
	std::vector<int> map(RTE_MAX_LCORE, 0);
	map[workers[0]] = 1;
	ASSERT_EQ(slubq_topology_simulate(2, map.data()), 0);
	const unsigned n = 8192;
	rte_mempool *mp = make_pool("t_sockets", n, 128, 0);
	slubq_topology_reset();
	ASSERT_NE(mp, nullptr);
	pool_guard g(mp);
	slubq_cache_info info = info_of(mp);
	ASSERT_EQ(info.nr_sockets, 2u);
	EXPECT_GT(info.node[0].objects, 0u);
	EXPECT_GT(info.node[1].objects, 0u);
	std::atomic<unsigned> failures{0};
	random_run r{mp, 7, 1500, &failures, {}};
	r.held.resize(r.ops);
	ASSERT_EQ(slubq_test::on_lcore(workers[0], [&] { return rte_mempool_get_bulk(mp, r.held.data(), r.ops); }), 0);
	EXPECT_EQ(rte_mempool_avail_count(mp), n - 1500);
	for (unsigned i = 0; i < r.held.size(); i += 32) {
		rte_mempool_put_bulk(mp, r.held.data() + i, std::min(32u, unsigned(r.held.size()) - i));
		EXPECT_EQ(rte_mempool_avail_count(mp), n - 1500 + std::min(1500u, i + 32));
	}
	slubq_stats st;
	ASSERT_EQ(slubq_cache_stats(rte_mempool_slubq_cache(mp), -1, &st), 0);
	EXPECT_GT(st.alien_sent, 0u) << "remote frees did not take the alien queues";
	EXPECT_EQ(verify(mp), "");
	// The whole pool is still reachable from one lcore.
	std::vector<void *> all(n);
	ASSERT_EQ(rte_mempool_get_bulk(mp, all.data(), n), 0);
	rte_mempool_put_bulk(mp, all.data(), n);
	EXPECT_EQ(rte_mempool_avail_count(mp), n);
}

TEST(Driver, DefaultsFollowPoolSize)
{
	unsigned lcores = rte_lcore_count();
	struct expect { unsigned n, cache, queue; };
	// Queue: 1024 without an rte_mempool cache, 3 x its size with one, at
	// most n / (4 x lcores), off below 32.
	for (expect e : {expect{100000, 0, 1024}, expect{100000, 32, 96}, expect{100000, 250, 750},
			 expect{40 * 4 * lcores, 0, 40}, expect{20 * 4 * lcores, 0, 0}}) {
		SCOPED_TRACE("n=" + std::to_string(e.n) + " cache=" + std::to_string(e.cache));
		rte_mempool *mp = make_pool("t_defaults", e.n, 64, e.cache);
		ASSERT_NE(mp, nullptr);
		pool_guard g(mp);
		slubq_cache_info info = info_of(mp);
		EXPECT_EQ(info.queue_size, e.queue);
		if (e.queue) {
			EXPECT_EQ(info.batch, e.queue / 2);
		}
	}
}

TEST(Driver, PerPoolOverrides)
{
	// By name (what the YAML loader does), in shared memory.
	slubq_pool_config named{};
	named.queue_size = 64;
	named.batch = 16;
	ASSERT_EQ(slubq_pool_config_set("t_named", &named), 0);
	{
		rte_mempool *mp = make_pool("t_named", 10000, 64, 0);
		ASSERT_NE(mp, nullptr);
		pool_guard g(mp);
		slubq_cache_info info = info_of(mp);
		EXPECT_EQ(info.queue_size, 64u);
		EXPECT_EQ(info.batch, 16u);
	}
	// mp->pool_config (rte_mempool_set_ops_byname); the named one wins.
	slubq_pool_config own{};
	own.queue_size = 128;
	own.alien_size = 32;
	{
		rte_mempool *mp = make_pool("t_named", 10000, 64, 0, &own);
		ASSERT_NE(mp, nullptr);
		pool_guard g(mp);
		slubq_cache_info info = info_of(mp);
		EXPECT_EQ(info.queue_size, 64u);
		EXPECT_EQ(info.alien_size, 32u);
	}
	ASSERT_EQ(slubq_pool_config_set("t_named", nullptr), 0);
	{
		rte_mempool *mp = make_pool("t_own", 10000, 64, 0, &own);
		ASSERT_NE(mp, nullptr);
		pool_guard g(mp);
		EXPECT_EQ(info_of(mp).queue_size, 128u);
		EXPECT_EQ(info_of(mp).batch, 64u);
	}
	// The environment, for stock applications.
	setenv("SLUBQ_MEMPOOL_CONFIG", "other:queue=32;t_env:queue=off;*:shared=96", 1);
	{
		rte_mempool *mp = make_pool("t_env", 10000, 64, 0);
		ASSERT_NE(mp, nullptr);
		pool_guard g(mp);
		slubq_cache_info info = info_of(mp);
		EXPECT_EQ(info.queue_size, 0u);
		EXPECT_EQ(info.shared_size, 96u);
	}
	// Bad overrides: a clear error, no pool, no cache left behind.
	for (const char *bad : {"t_bad:queue=many", "t_bad:colour=red", "t_bad", "t_bad:queue=64,batch=128"}) {
		SCOPED_TRACE(bad);
		setenv("SLUBQ_MEMPOOL_CONFIG", bad, 1);
		int rc = 0;
		EXPECT_EQ(make_pool("t_bad", 1000, 64, 0, nullptr, &rc), nullptr);
		EXPECT_EQ(rc, -EINVAL);
		EXPECT_EQ(slubq_cache_lookup("mp:t_bad"), nullptr);
	}
	unsetenv("SLUBQ_MEMPOOL_CONFIG");
	rte_mempool *mp = make_pool("t_bad", 1000, 64, 0);
	EXPECT_NE(mp, nullptr);
	rte_mempool_free(mp);
}

// What /slubq/info shows under "config": the sources that applied, in
// order, and the environment's entries; forgotten with the pool.
TEST(Driver, OriginOfTheTunables)
{
	slubq_pool_origin o;
	slubq_pool_config own{};
	own.queue_size = 128;
	{
		rte_mempool *mp = make_pool("t_orig", 10000, 64, 0, &own);
		ASSERT_NE(mp, nullptr);
		pool_guard g(mp);
		ASSERT_EQ(slubq_pool_origin_get("mp:t_orig", &o), 0);
		EXPECT_STREQ(o.sources, "defaults,pool_config");
		EXPECT_STREQ(o.file, "");
		EXPECT_STREQ(o.env, "");
	}
	EXPECT_EQ(slubq_pool_origin_get("mp:t_orig", &o), -ENOENT);
	slubq_pool_config named{};
	named.batch = 16;
	ASSERT_EQ(slubq_pool_config_set("t_orig", &named), 0);
	setenv("SLUBQ_MEMPOOL_CONFIG", "*:shared=96;other:queue=32;t_orig:alien=40", 1);
	{
		rte_mempool *mp = make_pool("t_orig", 10000, 64, 0);
		ASSERT_NE(mp, nullptr);
		pool_guard g(mp);
		ASSERT_EQ(slubq_pool_origin_get("mp:t_orig", &o), 0);
		EXPECT_STREQ(o.sources, "defaults,named,env");
		EXPECT_STREQ(o.env, "*:shared=96;t_orig:alien=40");
		EXPECT_EQ(info_of(mp).alien_size, 40u);
	}
	unsetenv("SLUBQ_MEMPOOL_CONFIG");
	ASSERT_EQ(slubq_pool_config_set("t_orig", nullptr), 0);
	EXPECT_EQ(slubq_pool_origin_get("mp:t_orig", &o), -ENOENT);
	EXPECT_EQ(slubq_pool_origin_set("", &o), -EINVAL);
}

TEST(Driver, CacheLookupAndInfo)
{
	rte_mempool *ring = rte_mempool_create("t_ring", 64, 64, 0, 0, nullptr, nullptr, nullptr, nullptr,
					       SOCKET_ID_ANY, 0);
	ASSERT_NE(ring, nullptr);
	EXPECT_EQ(rte_mempool_slubq_cache(ring), nullptr);
	EXPECT_EQ(rte_errno, EINVAL);
	rte_mempool_free(ring);
	EXPECT_EQ(rte_mempool_slubq_cache(nullptr), nullptr);

	rte_mempool *mp = rte_mempool_create_empty("t_info", 100, 64, 0, 0, SOCKET_ID_ANY, 0);
	ASSERT_NE(mp, nullptr);
	pool_guard g(mp);
	ASSERT_EQ(rte_mempool_set_ops_byname(mp, "slubq", nullptr), 0);
	EXPECT_EQ(rte_mempool_slubq_cache(mp), nullptr);
	EXPECT_EQ(rte_errno, ENOENT);
	ASSERT_EQ(rte_mempool_populate_default(mp), 100);
	slubq_cache *c = rte_mempool_slubq_cache(mp);
	ASSERT_NE(c, nullptr);
	EXPECT_EQ(slubq_cache_lookup("mp:t_info"), c);
	rte_mempool_info mi;
	ASSERT_EQ(rte_mempool_ops_get_info(mp, &mi), 0);
	EXPECT_EQ(mi.contig_block_size, 1u);
	void *blocks[100];
	ASSERT_EQ(rte_mempool_ops_table.ops[mp->ops_index].dequeue_contig_blocks(mp, blocks, 10), 0);
	EXPECT_EQ(rte_mempool_avail_count(mp), 90u);
	EXPECT_EQ(rte_mempool_ops_table.ops[mp->ops_index].dequeue_contig_blocks(mp, blocks, 91), -ENOBUFS);
	EXPECT_EQ(rte_mempool_avail_count(mp), 90u);
	rte_mempool_put_bulk(mp, blocks, 10);
	EXPECT_EQ(rte_mempool_avail_count(mp), 100u);
}

TEST(Driver, MbufPool)
{
	rte_mempool *mp = rte_pktmbuf_pool_create_by_ops("t_mbufs", 1024, 32, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
							 SOCKET_ID_ANY, "slubq");
	ASSERT_NE(mp, nullptr) << rte_strerror(rte_errno);
	pool_guard g(mp);
	rte_mbuf *m[64];
	ASSERT_EQ(rte_pktmbuf_alloc_bulk(mp, m, 64), 0);
	for (rte_mbuf *x : m) {
		EXPECT_EQ(x->pool, mp);
		EXPECT_EQ(x->buf_iova, rte_mempool_virt2iova(x) + sizeof(rte_mbuf));
		EXPECT_EQ(rte_mbuf_refcnt_read(x), 1);
	}
	EXPECT_EQ(rte_mempool_avail_count(mp), 1024u - 64);
	rte_pktmbuf_free_bulk(m, 64);
	EXPECT_EQ(rte_mempool_avail_count(mp), 1024u);
}
