/* SPDX-License-Identifier: BSD-3-Clause */
// Applying a configuration with the EAL up: topology simulation, caches
// with the configured tunables, estimates against real memory use, and
// mbuf pools refused cleanly when the slubq mempool driver is not loaded
// (pools themselves: test/integration/config).
#include <gtest/gtest.h>
#include <cstring>
#include <vector>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include "config_test_util.hpp"
#include "test_cache.hpp"

namespace {

using slubq_test::info_of;

struct loaded {
	slubq_config *cfg = nullptr;
	explicit loaded(const std::string &yaml)
	{
		char err[2048];
		EXPECT_EQ(slubq_config_load_string(yaml.c_str(), "a.yaml", &cfg, err, sizeof(err)), 0) << err;
	}
	~loaded() { slubq_config_free(cfg); }
};

} // namespace

// What the configuration calls the defaults is what slubq_cache_create()
// gives a cache whose parameters are left at 0.
TEST(ConfigApply, DefaultsAreTheLibrarys)
{
	auto lib = slubq_test::elastic_cache(slubq_test::elastic_params("cfg_lib_defaults", 100));
	ASSERT_NE(lib, nullptr);
	slubq_cache_info want = info_of(lib);
	lib.reset();

	loaded l("caches:\n  - {name: cfg_defaults, obj_size: 100}\n  - {name: cfg_q100, obj_size: 100, queue_size: 100}\n"
		 "  - {name: cfg_q16, obj_size: 100, queue_size: 16}\n");
	char err[512];
	ASSERT_EQ(slubq_config_apply(l.cfg, nullptr, 0, err, sizeof(err)), 0) << err;
	slubq_cache_info got = info_of(slubq_config_cache(l.cfg, "cfg_defaults"));
	EXPECT_EQ(got.queue_size, want.queue_size);
	EXPECT_EQ(got.batch, want.batch);
	EXPECT_EQ(got.shared_size, want.shared_size);
	EXPECT_EQ(got.alien_size, want.alien_size);
	EXPECT_EQ(got.align, want.align);
	EXPECT_EQ(got.slab_size, want.slab_size);
	EXPECT_EQ(got.slab_objs, want.slab_objs);
	// "auto" batch and shared queue follow the queue size as slubq's do.
	slubq_cache_info q100 = info_of(slubq_config_cache(l.cfg, "cfg_q100"));
	EXPECT_EQ(q100.batch, 50u);
	EXPECT_EQ(q100.shared_size, 200u);
	slubq_cache_info q16 = info_of(slubq_config_cache(l.cfg, "cfg_q16"));
	EXPECT_EQ(q16.batch, 8u);
	EXPECT_EQ(q16.shared_size, 128u);
	slubq_cache_params cp;
	ASSERT_EQ(slubq_config_cache_params(l.cfg, 1, &cp), 0);
	EXPECT_EQ(cp.queue_size, 100u);
	EXPECT_EQ(slubq_config_release(l.cfg), 0);
	EXPECT_EQ(slubq_cache_lookup("cfg_defaults"), nullptr);
}

TEST(ConfigApply, CachesGetTheirTunables)
{
	loaded l("caches:\n"
		 "  - {name: cfg_tuned, obj_size: 48, align: 64, queue_size: 0, shared_size: 0, alien_size: 0,"
		 " mem_limit: 4M, dma: true, debug: [sanity, track]}\n"
		 "  - {name: cfg_batch, obj_size: 48, queue_size: 256, batch: 16, shared_size: 100, alien_size: 30}\n");
	char err[512];
	ASSERT_EQ(slubq_config_apply(l.cfg, nullptr, 0, err, sizeof(err)), 0) << err;
	slubq_cache_info a = info_of(slubq_config_cache(l.cfg, "cfg_tuned"));
	EXPECT_EQ(a.queue_size, 0u);
	EXPECT_EQ(a.shared_size, 0u);
	EXPECT_EQ(a.alien_size, 0u);
	EXPECT_EQ(a.mem_limit, 4u << 20);
	EXPECT_EQ(a.align, 64u);
	EXPECT_EQ(a.flags & (SLUBQ_F_DMA | SLUBQ_F_DEBUG), unsigned(SLUBQ_F_DMA | SLUBQ_F_SANITY | SLUBQ_F_TRACK));
	slubq_cache_info b = info_of(slubq_config_cache(l.cfg, "cfg_batch"));
	EXPECT_EQ(b.queue_size, 256u);
	EXPECT_EQ(b.batch, 16u);
	EXPECT_EQ(b.shared_size, 100u);
	EXPECT_EQ(b.alien_size, 30u);
	EXPECT_EQ(slubq_config_apply(l.cfg, nullptr, 0, err, sizeof(err)), -EEXIST);
	EXPECT_EQ(slubq_config_cache(l.cfg, "nope"), nullptr);
	EXPECT_EQ(rte_errno, ENOENT);
}

TEST(ConfigApply, SimulatedTopologyAndRelease)
{
	loaded l("topology:\n  map: {0: [0], 1: [1]}\ncaches:\n  - {name: cfg_two, obj_size: 64}\n");
	char err[512];
	ASSERT_EQ(slubq_config_apply(l.cfg, nullptr, 0, err, sizeof(err)), 0) << err;
	EXPECT_TRUE(slubq_topology_is_simulated());
	EXPECT_EQ(slubq_topology_sockets(), 2u);
	EXPECT_EQ(slubq_topology_lcore_socket(1), 1u);
	EXPECT_EQ(info_of(slubq_config_cache(l.cfg, "cfg_two")).nr_sockets, 2u);
	ASSERT_EQ(slubq_config_release(l.cfg), 0);
	EXPECT_FALSE(slubq_topology_is_simulated());
	EXPECT_EQ(slubq_cache_lookup("cfg_two"), nullptr);
	// Released: it can be applied again.
	ASSERT_EQ(slubq_config_apply(l.cfg, nullptr, 0, err, sizeof(err)), 0) << err;
	EXPECT_TRUE(slubq_topology_is_simulated());
}

// The cache estimate is what the cache really takes: allocate the
// `objects` it names on this lcore and compare the memory it grew.
TEST(ConfigApply, CacheEstimateHoldsItsObjects)
{
	loaded l("caches:\n  - {name: cfg_est, obj_size: 200, objects: 20000, queue_size: 64}\n");
	char err[512];
	ASSERT_EQ(slubq_config_apply(l.cfg, nullptr, 0, err, sizeof(err)), 0) << err;
	slubq_cache *c = slubq_config_cache(l.cfg, "cfg_est");
	unsigned socket = slubq_topology_lcore_socket(rte_lcore_id());
	slubq_config_estimate e;
	ASSERT_EQ(slubq_config_cache_estimate(l.cfg, 0, socket, &e), 0);
	std::vector<void *> objs(20000);
	for (std::size_t i = 0; i < objs.size(); i += 50)
		ASSERT_EQ(slubq_cache_alloc_bulk(c, &objs[i], 50), 0);
	slubq_cache_info info = info_of(c);
	EXPECT_LE(info.mem_bytes, e.obj_bytes);
	// ... and no more than one chunk above what the objects alone need.
	std::uint64_t slabs = (20000 + e.slab_objs - 1) / e.slab_objs;
	EXPECT_GE(info.mem_bytes, slabs * e.slab_size);
	EXPECT_EQ(info.slab_objs, e.slab_objs);
	for (std::size_t i = 0; i < objs.size(); i += 50)
		slubq_cache_free_bulk(c, &objs[i], 50);
}

TEST(ConfigApply, PoolsNeedTheSlubqDriver)
{
	if (slubq::config::slubq_ops_registered())
		GTEST_SKIP() << "the slubq mempool driver is loaded in this process (DPDK plugin directory?)";
	loaded l("topology:\n  map: {0: [0], 1: [1]}\ncaches:\n  - {name: cfg_pre, obj_size: 64}\npools:\n  - name: cfg_rx\n");
	char err[512];
	EXPECT_EQ(slubq_config_apply(l.cfg, nullptr, 0, err, sizeof(err)), -ENOTSUP);
	EXPECT_EQ(rte_errno, ENOTSUP);
	EXPECT_NE(std::strstr(err, "mempool driver 'slubq' is not registered"), nullptr) << err;
	EXPECT_NE(std::strstr(err, "-d librte_mempool_slubq.so"), nullptr) << err;
	// All or nothing: the cache and the simulated topology are gone.
	EXPECT_EQ(slubq_cache_lookup("cfg_pre"), nullptr);
	EXPECT_FALSE(slubq_topology_is_simulated());
	slubq_pool_config pc;
	EXPECT_EQ(slubq_pool_config_get("cfg_rx_s0", &pc), -ENOENT);
	// Sockets outside the topology are refused before anything happens.
	int bad[] = {0, 5};
	EXPECT_EQ(slubq_config_apply(l.cfg, bad, 2, err, sizeof(err)), -EINVAL);
	EXPECT_STREQ(err, "a.yaml: socket 5 is not in the topology (2 sockets)");
	// A socket filter without any of the pool's sockets creates no pool.
	loaded one("topology:\n  map: {0: [0], 1: [1]}\npools:\n  - {name: cfg_p1, sockets: [1]}\n");
	int only0[] = {0};
	EXPECT_EQ(slubq_config_apply(one.cfg, only0, 1, err, sizeof(err)), 0) << err;
}

TEST(ConfigApply, PoolQueriesThroughTheCApi)
{
	loaded l("topology:\n  map: {0: [0, 1], 1: [2, 3]}\n"
		 "sizing: {ports: [{socket: 0}, {socket: 1, rx_queues: 2}], burst: 16,"
		 " rings: [{name: r1, size: 512, socket: 1}]}\n"
		 "pools:\n  - {name: rx, priv_size: 16, queue_size: 128, batch: 32, no_alien: true, debug: track}\n");
	slubq_config_pool p;
	ASSERT_EQ(slubq_config_pool_count(l.cfg), 1u);
	ASSERT_EQ(slubq_config_pool_get(l.cfg, 0, &p), 0);
	EXPECT_STREQ(p.name, "rx");
	EXPECT_EQ(p.priv_size, 16);
	EXPECT_EQ(p.data_room, RTE_MBUF_DEFAULT_BUF_SIZE);
	EXPECT_EQ(p.nr_sockets, 2u);
	EXPECT_EQ(p.tunables.queue_size, 128u);
	EXPECT_EQ(p.tunables.batch, 32u);
	EXPECT_EQ(p.tunables.shared_size, 256u);
	EXPECT_EQ(p.tunables.flags, unsigned(SLUBQ_F_NO_ALIEN | SLUBQ_F_TRACK));
	// socket 1: rx 2 x 1024 + tx 1024 + 2 x 128 + 2 x 16 + ring 512 = 3872 (no alien) x 1.2
	EXPECT_EQ(p.count[1], (3872u * 120 + 99) / 100);
	EXPECT_EQ(slubq_config_pool_find(l.cfg, "rx"), 0);
	EXPECT_EQ(slubq_config_pool_find(l.cfg, "tx"), -ENOENT);
	slubq_config_sizing sz;
	ASSERT_EQ(slubq_config_sizing_get(l.cfg, -1, &sz), 0);
	EXPECT_EQ(sz.nr_ports, 2u);
	EXPECT_EQ(sz.port[1].rx_queues, 2u);
	EXPECT_EQ(sz.port[1].tx_queues, 1u);
	EXPECT_EQ(sz.nr_lcores, 4u);
	EXPECT_EQ(sz.burst, 16u);
	ASSERT_EQ(sz.nr_rings, 1u);
	EXPECT_STREQ(sz.ring[0].name, "r1");
	char name[8];
	EXPECT_EQ(slubq_config_mempool_name(l.cfg, 0, 0, name, 4), -ENOSPC);
	EXPECT_EQ(slubq_config_mempool_name(l.cfg, 0, 0, name, sizeof(name)), 5);
	EXPECT_STREQ(name, "rx_s0");
	EXPECT_EQ(slubq_config_mempool_name(l.cfg, 0, 2, name, sizeof(name)), -ENOENT);
	char dumped[8192];
	int n = slubq_config_dump(l.cfg, dumped, sizeof(dumped));
	ASSERT_GT(n, 0);
	ASSERT_LT(std::size_t(n), sizeof(dumped));
	EXPECT_NE(std::strstr(dumped, "count: auto  # 2804 on socket 0, 4647 on socket 1"), nullptr) << dumped;
}
