/* SPDX-License-Identifier: BSD-3-Clause */
// mbuf pools from YAML on the slubq mempool driver, loaded the way a DPDK
// application loads it (EAL option -d librte_mempool_slubq.so, found on
// LD_LIBRARY_PATH): counts, memory against the sizing calculator, the
// tunables the driver was given, every mbuf usable, release.
#include <gtest/gtest.h>
#include <dlfcn.h>
#include <cstring>
#include <string>
#include <vector>
#include <unistd.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include "slubq_config.h"

extern "C" int c_api_pool_count(void);

namespace {

struct loaded {
	slubq_config *cfg = nullptr;
	explicit loaded(const std::string &file)
	{
		char err[2048];
		std::string path = std::string(SLUBQ_CONFIG_DIR) + "/" + file;
		EXPECT_EQ(slubq_config_load_file(path.c_str(), &cfg, err, sizeof(err)), 0) << err;
	}
	~loaded() { slubq_config_free(cfg); }
};

// The slubq cache behind a pool, through the driver's public function.
slubq_cache *cache_of(const rte_mempool *mp)
{
	void *plugin = dlopen("librte_mempool_slubq.so", RTLD_NOW | RTLD_NOLOAD);
	if (plugin == nullptr)
		return nullptr;
	auto fn = reinterpret_cast<slubq_cache *(*)(const rte_mempool *)>(dlsym(plugin, "rte_mempool_slubq_cache"));
	dlclose(plugin);
	return fn ? fn(mp) : nullptr;
}

void sum_chunk(rte_mempool *, void *opaque, rte_mempool_memhdr *memhdr, unsigned)
{
	*static_cast<std::uint64_t *>(opaque) += memhdr->len;
}

// The driver's slabs only match the calculator's when pages do not limit
// them: hugepages, or IOVA as VA.
bool pages_as_sized()
{
	return rte_eal_has_hugepages() || rte_eal_iova_mode() == RTE_IOVA_VA;
}

// Everything a pool promises: its count, its memory, its tunables, and
// every one of its mbufs, no more.
void check_pool(slubq_config *cfg, const char *pool, unsigned socket, const slubq_pool_config &want)
{
	SCOPED_TRACE(std::string(pool) + " on socket " + std::to_string(socket));
	int idx = slubq_config_pool_find(cfg, pool);
	ASSERT_GE(idx, 0);
	slubq_config_estimate e;
	ASSERT_EQ(slubq_config_pool_estimate(cfg, unsigned(idx), socket, &e), 0);
	rte_mempool *mp = slubq_config_mempool(cfg, pool, socket);
	ASSERT_NE(mp, nullptr);
	char name[64];
	ASSERT_GT(slubq_config_mempool_name(cfg, unsigned(idx), socket, name, sizeof(name)), 0);
	EXPECT_STREQ(mp->name, name);
	EXPECT_EQ(rte_mempool_lookup(name), mp);
	EXPECT_STREQ(rte_mempool_get_ops(mp->ops_index)->name, "slubq");
	EXPECT_EQ(mp->size, e.count);
	EXPECT_EQ(rte_mempool_avail_count(mp), e.count);
	// The estimate is for hugepages: there the pool takes exactly its
	// bytes, in its slabs. Without them the driver also keeps room for a
	// chunk aligned only to a 4 KiB page (a slab less a page) and picks
	// the slab size that needs least memory with that room, so no more
	// than the estimated slabs and their room (docs/driver.md, "Memory").
	const bool sized = rte_eal_has_hugepages();
	if (pages_as_sized()) {
		std::uint64_t bytes = 0;
		rte_mempool_mem_iter(mp, sum_chunk, &bytes);
		std::uint64_t page = std::uint64_t(sysconf(_SC_PAGESIZE));
		if (sized)
			EXPECT_EQ(bytes, e.obj_bytes);
		else
			EXPECT_LE(bytes, e.obj_bytes + (e.slab_size > page ? e.slab_size - page : 0));
	}
	slubq_cache *c = cache_of(mp);
	ASSERT_NE(c, nullptr);
	slubq_cache_info info;
	ASSERT_EQ(slubq_cache_get_info(c, &info), 0);
	EXPECT_EQ(info.queue_size, want.queue_size);
	EXPECT_EQ(info.batch, want.batch);
	EXPECT_EQ(info.shared_size, want.shared_size);
	EXPECT_EQ(info.alien_size, want.alien_size);
	EXPECT_EQ(info.slot_size, e.slot_size);
	if (sized) {
		EXPECT_EQ(info.slab_size, e.slab_size);
		EXPECT_EQ(info.slab_objs, e.slab_objs);
	}
	std::vector<rte_mbuf *> m(e.count);
	ASSERT_EQ(rte_pktmbuf_alloc_bulk(mp, m.data(), unsigned(e.count)), 0);
	rte_mbuf *extra = rte_pktmbuf_alloc(mp);
	EXPECT_EQ(extra, nullptr);
	for (rte_mbuf *x : m)
		rte_pktmbuf_free(x);
	EXPECT_EQ(rte_mempool_avail_count(mp), e.count);
}

} // namespace

TEST(ConfigPools, DriverIsLoadedWithDashD)
{
	char err[512];
	slubq_config *cfg;
	ASSERT_EQ(slubq_config_load_string("pools: [{name: cfg_probe, count: 64}]\n", "p.yaml", &cfg, err, sizeof(err)), 0);
	int rc = slubq_config_apply(cfg, nullptr, 0, err, sizeof(err));
	EXPECT_EQ(rc, 1) << err << " (SLUBQ_TEST_EAL and LD_LIBRARY_PATH must load librte_mempool_slubq.so)";
	slubq_config_free(cfg);
	EXPECT_EQ(rte_mempool_lookup("cfg_probe"), nullptr); // freed with its configuration
}

TEST(ConfigPools, SingleSocketForwarder)
{
	loaded l("fwd-single-socket.yaml");
	char err[1024];
	ASSERT_EQ(slubq_config_apply(l.cfg, nullptr, 0, err, sizeof(err)), 1) << err;
	slubq_config_pool p;
	ASSERT_EQ(slubq_config_pool_get(l.cfg, 0, &p), 0);
	slubq_pool_config recorded;
	ASSERT_EQ(slubq_pool_config_get("fwd_mbufs", &recorded), 0);
	EXPECT_EQ(std::memcmp(&recorded, &p.tunables, sizeof(recorded)), 0);
	check_pool(l.cfg, "fwd_mbufs", 0, p.tunables);
	EXPECT_NE(slubq_config_cache(l.cfg, "fwd_flows"), nullptr);
	ASSERT_EQ(slubq_config_release(l.cfg), 0);
	EXPECT_EQ(rte_mempool_lookup("fwd_mbufs"), nullptr);
	EXPECT_EQ(slubq_pool_config_get("fwd_mbufs", &recorded), -ENOENT);
	EXPECT_EQ(slubq_cache_lookup("fwd_flows"), nullptr);
}

TEST(ConfigPools, SimulatedTwoSocketPipeline)
{
	loaded l("pipeline-two-socket.yaml");
	char err[1024];
	int only1[] = {1};
	ASSERT_EQ(slubq_config_apply(l.cfg, only1, 1, err, sizeof(err)), 1) << err;
	EXPECT_EQ(slubq_config_mempool(l.cfg, "pkt", 0), nullptr);
	EXPECT_EQ(slubq_topology_sockets(), 2u);
	slubq_config_pool p;
	ASSERT_EQ(slubq_config_pool_get(l.cfg, 0, &p), 0);
	check_pool(l.cfg, "pkt", 1, p.tunables);
	ASSERT_EQ(slubq_config_release(l.cfg), 0);
	ASSERT_EQ(slubq_config_apply(l.cfg, nullptr, 0, err, sizeof(err)), 2) << err;
	check_pool(l.cfg, "pkt", 0, p.tunables);
	check_pool(l.cfg, "pkt", 1, p.tunables);
}

TEST(ConfigPools, CApiFromC)
{
	EXPECT_EQ(c_api_pool_count(), 2);
}
