/* SPDX-License-Identifier: BSD-3-Clause */
// The examples in config/: each loads, dumps to YAML that loads back to
// the same configuration, and sizes to the values computed by hand below.
#include <gtest/gtest.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include "cache/cache.hpp"
#include "slubq_defaults.h"
#include "config_test_util.hpp"

using namespace slubq::config;
using config_test::example;

namespace {

config load_ok(const std::string &name)
{
	config c;
	std::vector<std::string> errors;
	int rc = load_file(example(name), c, errors);
	EXPECT_EQ(rc, 0) << (errors.empty() ? "" : errors[0]);
	return c;
}

const estimate &pool_at(const config &c, const std::string &name, unsigned socket)
{
	for (std::size_t i = 0; i < c.pools.size(); i++)
		if (c.pools[i].name == name)
			return c.pool_est[i][socket];
	ADD_FAILURE() << "no pool " << name;
	static estimate none;
	return none;
}

const estimate &cache_at(const config &c, const std::string &name, unsigned socket)
{
	for (std::size_t i = 0; i < c.caches.size(); i++)
		if (c.caches[i].name == name)
			return c.cache_est[i][socket];
	ADD_FAILURE() << "no cache " << name;
	static estimate none;
	return none;
}

constexpr std::uint64_t KiB = 1024, MiB = 1024 * KiB;
std::uint64_t div_up(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

// Overhead as docs/config.md counts it: the mempool's header memzone
// (no rte_mempool cache), slubq's cache descriptor, one node per socket
// with its shared queue and alien queues, and the queue arrays of the
// socket's lcores. Pointer stacks hold at least 64 pointers.
std::uint64_t stack(std::uint64_t n) { return n ? std::max<std::uint64_t>(n, 64) * 8 : 0; }
std::uint64_t node_part(unsigned S, std::uint64_t shared, std::uint64_t alien)
{
	return sizeof(slubq::node) + stack(shared) + (S - 1) * stack(alien);
}
std::uint64_t pool_overhead(unsigned S, unsigned L, std::uint64_t queue, std::uint64_t shared, std::uint64_t alien)
{
	std::uint64_t header = RTE_ALIGN_CEIL(sizeof(rte_mempool) + RTE_ALIGN_CEIL(sizeof(rte_pktmbuf_pool_private), 64), 64);
	return header + sizeof(slubq_cache) + S * node_part(S, shared, alien) + L * stack(queue);
}

void expect_pool(const estimate &e, std::uint64_t count, std::uint32_t slot, std::uint32_t slab,
		 std::uint32_t per_slab, std::uint64_t obj_bytes, std::uint64_t overhead)
{
	EXPECT_TRUE(e.present);
	EXPECT_EQ(e.count, count);
	EXPECT_EQ(e.slot_size, slot);
	EXPECT_EQ(e.slab_size, slab);
	EXPECT_EQ(e.slab_objs, per_slab);
	EXPECT_EQ(e.obj_bytes, obj_bytes);
	EXPECT_EQ(e.overhead_bytes, overhead);
	EXPECT_EQ(e.total_bytes, obj_bytes + overhead);
	EXPECT_EQ(e.hugepages, div_up(obj_bytes + overhead, 2 * MiB));
}

} // namespace

TEST(ConfigExamples, EveryExampleLoadsAndRoundTrips)
{
	for (const auto &name : config_test::examples()) {
		SCOPED_TRACE(name);
		config c = load_ok(name);
		std::string first = dump(c);
		config again;
		std::vector<std::string> errors;
		ASSERT_EQ(load_string(first, "dump of " + name, again, errors), 0) << first << (errors.empty() ? "" : errors[0]);
		EXPECT_EQ(dump(again), first);
		ASSERT_EQ(again.pools.size(), c.pools.size());
		for (std::size_t i = 0; i < c.pools.size(); i++)
			for (unsigned s = 0; s < SLUBQ_MAX_SOCKETS; s++)
				EXPECT_EQ(again.pool_est[i][s].total_bytes, c.pool_est[i][s].total_bytes);
	}
}

// default.yaml's `defaults` and sizing inputs are the built-in ones
// (slubq_defaults.h, config_model.hpp): the file says what a file without
// those keys gets.
TEST(ConfigExamples, DefaultYamlHoldsTheDefaults)
{
	config c = load_ok("default.yaml");
	config empty;
	std::vector<std::string> errors;
	ASSERT_EQ(load_string("version: 1\n", "empty.yaml", empty, errors), 0);
	const tunables &t = c.defaults, &d = empty.defaults;
	EXPECT_EQ(t.queue_size, std::uint32_t(SLUBQ_DEFAULT_QUEUE_SIZE));
	EXPECT_EQ(t.batch, 0u);               // auto
	EXPECT_EQ(t.shared_size, UINT32_MAX); // auto
	EXPECT_EQ(t.alien_size, std::uint32_t(SLUBQ_DEFAULT_ALIEN_SIZE));
	EXPECT_EQ(t.align, std::uint32_t(SLUBQ_DEFAULT_ALIGN));
	EXPECT_EQ(t.queue_size, d.queue_size);
	EXPECT_EQ(t.batch, d.batch);
	EXPECT_EQ(t.shared_size, d.shared_size);
	EXPECT_EQ(t.alien_size, d.alien_size);
	EXPECT_EQ(t.align, d.align);
	EXPECT_EQ(t.slab_objs, d.slab_objs);
	EXPECT_EQ(t.mem_limit, d.mem_limit);
	EXPECT_EQ(t.debug, d.debug);
	EXPECT_EQ(t.dma, d.dma);
	EXPECT_EQ(t.no_alien, d.no_alien);
	EXPECT_EQ(c.sz.rx_desc, empty.sz.rx_desc);
	EXPECT_EQ(c.sz.tx_desc, empty.sz.tx_desc);
	EXPECT_EQ(c.sz.rx_queues, empty.sz.rx_queues);
	EXPECT_EQ(c.sz.tx_queues, empty.sz.tx_queues);
	EXPECT_EQ(c.sz.burst, empty.sz.burst);
	EXPECT_EQ(c.sz.headroom_pct, empty.sz.headroom_pct);
	EXPECT_EQ(c.sz.hugepage_size, empty.sz.hugepage_size);
}

// default.yaml: two ports on socket 0 (1 rx + 1 tx queue of 1024), the
// EAL's lcores, queue 1024 (slubq's default), burst 32, headroom 20 %.
TEST(ConfigSizing, DefaultYaml)
{
	config c = load_ok("default.yaml");
	const unsigned L = rte_lcore_count(); // the test runs with the EAL up: its lcores
	ASSERT_EQ(c.topo.nr_sockets, 1u);
	const estimate &e = pool_at(c, "mbuf_pool", 0);
	EXPECT_EQ(e.rx, 2u * 1 * 1024);
	EXPECT_EQ(e.tx, 2u * 1 * 1024);
	EXPECT_EQ(e.queues, L * 1024ull);
	EXPECT_EQ(e.bursts, L * 32ull);
	EXPECT_EQ(e.rings, 0u);
	EXPECT_EQ(e.alien, 0u); // one socket
	std::uint64_t need = 4096 + L * 1056ull;
	EXPECT_EQ(e.need, need);
	std::uint64_t count = div_up(need * 120, 100);
	// mbuf 128 + data room 2176 = 2304, + 64 B mempool header = 2368 = 37
	// cache lines (odd: no spreading pad). The slab that needs least memory
	// for a few thousand of them is a 2 MiB one of 885 (header 96 + 14 bitmap
	// words = 208 -> 256; 256 + 885 x 2368 = 2095936, the 885 a 2 MiB page
	// holds without a header). Memory: full slabs, then a short one.
	std::uint64_t rem = count % 885;
	expect_pool(e, count, 2368, 2 * MiB, 885, count / 885 * 2 * MiB + (rem ? 256 + rem * 2368 : 0),
		    pool_overhead(1, L, 1024, 2048, 256));
}

// fwd-single-socket.yaml: 2 ports x 2 queue pairs x 1024 descriptors,
// lcores 0-1, queue 256 (batch 64), burst 32, headroom 20 %.
TEST(ConfigSizing, ForwarderSingleSocket)
{
	config c = load_ok("fwd-single-socket.yaml");
	const estimate &e = pool_at(c, "fwd_mbufs", 0);
	// rx 2 x 2 x 1024 = 4096, tx 4096, queues 2 x 256 = 512, bursts 2 x 32 = 64
	EXPECT_EQ(e.need, 8768u);
	// 8768 x 1.2 = 10521.6 -> 10522 = 11 x 885 + 787: 11 slabs of 2 MiB, then
	// a short one of 256 + 787 x 2368 (see DefaultYaml)
	expect_pool(e, 10522, 2368, 2 * MiB, 885, 11 * 2 * MiB + 256 + 787 * 2368, pool_overhead(1, 2, 256, 512, 256));

	// fwd_flows: 192-byte objects aligned 64 in 64 KiB slabs: 340 fit
	// (header 64 + 6 bitmap words = 112 -> 128; 128 + 340 x 192 = 65408).
	// 50000 in use + 2 lcore queues of 256 = 50512 -> 149 slabs -> 5 chunks of 2 MiB.
	const estimate &k = cache_at(c, "fwd_flows", 0);
	EXPECT_EQ(k.count, 50512u);
	EXPECT_EQ(k.slab_objs, 340u);
	EXPECT_EQ(k.obj_bytes, 5 * 2 * MiB);
	EXPECT_EQ(k.overhead_bytes, sizeof(slubq_cache) + node_part(1, 512, 256) + 2 * stack(256));
}

// pipeline-two-socket.yaml: synthetic 2 x 4 cores, per socket one port
// (1 rx queue of 2048, 4 tx queues of 1024), 4 lcores, queue 512, burst
// 64, rings 4096 + 2048, alien 512, headroom 25 %.
TEST(ConfigSizing, PipelineTwoSocket)
{
	config c = load_ok("pipeline-two-socket.yaml");
	ASSERT_EQ(c.topo.nr_sockets, 2u);
	for (unsigned s = 0; s < 2; s++) {
		SCOPED_TRACE(s);
		const estimate &e = pool_at(c, "pkt", s);
		// 2048 + 4096 + 4 x 512 + 4 x 64 + 6144 + 1 x 512 = 15104
		EXPECT_EQ(e.rx, 2048u);
		EXPECT_EQ(e.tx, 4096u);
		EXPECT_EQ(e.queues, 2048u);
		EXPECT_EQ(e.bursts, 256u);
		EXPECT_EQ(e.rings, 6144u);
		EXPECT_EQ(e.alien, 512u);
		EXPECT_EQ(e.need, 15104u);
		// 128 + 64 priv + 2176 = 2368 (+ 64 header = 2432 = 38 lines, even:
		// spread to 39 lines = 2496). 15104 x 1.25 = 18880. 1 MiB slabs hold
		// 420 (header 96 + 7 bitmap words -> 192; 192 + 420 x 2496 = 1048512),
		// 2 MiB ones 840 (256 + 840 x 2496): the same per object, but the
		// short last slab's header is 64 B smaller in 1 MiB ones:
		// 18880 = 44 x 420 + 400 -> 44 MiB + 192 + 400 x 2496.
		expect_pool(e, 18880, 2496, MiB, 420, 44 * MiB + 192 + 400 * 2496, pool_overhead(2, 4, 512, 1024, 512));
		// sessions: 320 B, 204 per slab; 200000 + 4 x 128 + 512 = 201024 ->
		// 986 slabs -> 31 chunks of 2 MiB (32 slabs each).
		const estimate &k = cache_at(c, "sessions", s);
		EXPECT_EQ(k.count, 201024u);
		EXPECT_EQ(k.slab_objs, 204u);
		EXPECT_EQ(k.obj_bytes, 31 * 2 * MiB);
	}
	char name[32];
	slubq_config *cfg;
	ASSERT_EQ(slubq_config_load_file(example("pipeline-two-socket.yaml").c_str(), &cfg, nullptr, 0), 0);
	EXPECT_EQ(slubq_config_mempool_name(cfg, 0, 1, name, sizeof(name)), 6);
	EXPECT_STREQ(name, "pkt_s1");
	slubq_config_free(cfg);
}

// dma-heavy.yaml: map of 2 sockets x 3 lcores, queue 128, alien 64,
// headroom 10 %; port 0 on socket 0 (2 x 4096 each way), port 1 on
// socket 1 (4 x 4096 each way).
TEST(ConfigSizing, DmaHeavy)
{
	config c = load_ok("dma-heavy.yaml");
	ASSERT_EQ(c.topo.nr_sockets, 2u);
	// jumbo: 128 + 64 + 9344 = 9536, + 64 = 9600 = 150 lines -> 151 = 9664.
	// A 512 KiB slab holds 54 (128 + 54 x 9664 = 521984), a 2 MiB one 216
	// (header and 4 bitmap words in 128 B; 128 + 216 x 9664 = 2087552): the
	// same per object, so the short last slab decides.
	// socket 0: 8192 + 8192 + 3 x 128 + 3 x 32 + 64 = 16928 x 1.1 -> 18621
	// = 344 x 54 + 45 (2 MiB: 86 x 216 + 45, the same bytes: the smaller slab)
	expect_pool(pool_at(c, "jumbo", 0), 18621, 9664, 512 * KiB, 54, 344 * 512 * KiB + 128 + 45 * 9664,
		    pool_overhead(2, 3, 128, 256, 64));
	// socket 1: 16384 + 16384 + 384 + 96 + 64 = 33312 x 1.1 -> 36644 = 169 x 216 + 140
	// (512 KiB: 678 x 54 + 32, 4864 B more)
	expect_pool(pool_at(c, "jumbo", 1), 36644, 9664, 2 * MiB, 216, 169 * 2 * MiB + 128 + 140 * 9664,
		    pool_overhead(2, 3, 128, 256, 64));
	// hdr: fixed 8192 mbufs of 128 + 256 = 384 (+ 64 = 448, 7 lines). One
	// 2 MiB slab would hold them all, but the two simulated sockets share
	// the memory, so the pool is cut into at least two slabs to be dealt to
	// both: 2 MiB slabs of 4679 (header 96 + 74 bitmap words = 688 -> 704;
	// 704 + 4679 x 448 = 2096896), one full, then 3513 in a short one.
	// Its own sizing: no ports, lcores 0 and 3 (one per socket).
	for (unsigned s = 0; s < 2; s++) {
		const estimate &e = pool_at(c, "hdr", s);
		EXPECT_EQ(e.need, 128u + 32 + 64);
		expect_pool(e, 8192, 448, 2 * MiB, 4679, 2 * MiB + 704 + 3513 * 448, pool_overhead(2, 1, 128, 256, 64));
	}
	// dma_desc: 64 B, 1020 per 64 KiB slab (128 B header + 128 bitmap bytes =
	// 256 + 1020 x 64 = 65536). 65536 + 3 x 128 + 64 = 65984 -> 65 slabs; DMA chunks are
	// 1 MiB (16 slabs) -> 5 chunks.
	const estimate &d = cache_at(c, "dma_desc", 0);
	EXPECT_EQ(d.count, 65984u);
	EXPECT_EQ(d.slab_objs, 1020u);
	EXPECT_EQ(d.obj_bytes, 5 * MiB);
	// crypto_ctx: 1024 B with sanity records of 48 B per slot in the slab:
	// 61 per 64 KiB slab (first slot at 136 + 61 x 48 -> 3072; 3072 + 61 x 1024
	// = 65536). 8192 + 384 + 64 = 8640 -> 142 slabs -> 9 chunks of 1 MiB.
	const estimate &k = cache_at(c, "crypto_ctx", 1);
	EXPECT_EQ(k.count, 8640u);
	EXPECT_EQ(k.slab_objs, 61u);
	EXPECT_EQ(k.obj_bytes, 9 * MiB);
	// Hugepage advisories depend on what others hold; nothing else is expected.
	for (const auto &w : c.warnings)
		EXPECT_EQ(w.rfind("pools and caches need", 0), 0u) << w;
}

TEST(ConfigSizing, CountBelowNeedAndMemLimitWarn)
{
	config c;
	std::vector<std::string> errors;
	ASSERT_EQ(load_string("topology: {map: {0: [0]}}\n"
			      "sizing: {ports: [{socket: 0}]}\n"
			      "caches: [{name: k, obj_size: 1000, objects: 10000, mem_limit: 1M}]\n"
			      "pools: [{name: p, count: 1000}]\n",
			      "w.yaml", c, errors),
		  0);
	ASSERT_EQ(c.warnings.size(), 2u);
	// need: 1024 rx + 1024 tx + 1024 queue (the default) + 32 burst = 3104
	EXPECT_EQ(c.warnings[0], "pool p on socket 0: count 1000 is below the 3104 objects its sizing inputs need");
	EXPECT_EQ(c.warnings[1].rfind("cache k: its objects need ", 0), 0u) << c.warnings[1];
}

TEST(ConfigSizing, HugepageShortfall)
{
	// Per real socket; simulated sockets share the machine's pages.
	auto w = hugepage_shortfalls({10, 300}, {100, 200}, 2 * MiB, false);
	ASSERT_EQ(w.size(), 1u);
	EXPECT_EQ(w[0], "pools and caches need 300 hugepages of 2 MiB on socket 1, only 200 are free");
	EXPECT_TRUE(hugepage_shortfalls({10, 200}, {100, 200}, 2 * MiB, true).empty());
	w = hugepage_shortfalls({250, 100}, {300}, 2 * MiB, true);
	ASSERT_EQ(w.size(), 1u);
	EXPECT_EQ(w[0], "pools and caches need 350 hugepages of 2 MiB (all simulated sockets), only 300 are free");
	// A configuration that cannot fit in any machine of today warns.
	config c;
	std::vector<std::string> errors;
	ASSERT_EQ(load_string("pools: [{name: huge, count: 100000000, data_room: 9000}]\n", "h.yaml", c, errors), 0);
	ASSERT_FALSE(c.warnings.empty());
	EXPECT_NE(c.warnings.back().find("hugepages of 2 MiB on socket 0, only"), std::string::npos) << c.warnings.back();
}

// mempools: rules keep exactly the keys they set through a dump and back.
TEST(ConfigExamples, MempoolRulesRoundTrip)
{
	const std::string text = "mempools:\n"
				 "  - match: \"mb_pool_*\"\n"
				 "    queue_size: off\n"
				 "    debug: [track, sanity]\n"
				 "    fault_injection: {every_n: 100, seed: 7}\n"
				 "  - {match: mbuf_pool, queue_size: 512, batch: auto, shared_size: 64, alien_size: 32,\n"
				 "     slab_objs: 16, no_alien: true}\n";
	config c;
	std::vector<std::string> errors;
	ASSERT_EQ(load_string(text, "r.yaml", c, errors), 0) << (errors.empty() ? "" : errors[0]);
	ASSERT_EQ(c.mempools.size(), 2u);
	const mempool_rule &a = c.mempools[0], &b = c.mempools[1];
	EXPECT_EQ(a.match, "mb_pool_*");
	EXPECT_EQ(a.queue_size, 0u);
	EXPECT_FALSE(a.batch.has_value());
	EXPECT_FALSE(a.shared_size.has_value());
	EXPECT_EQ(a.debug, std::uint32_t(SLUBQ_F_TRACK | SLUBQ_F_SANITY));
	EXPECT_TRUE(a.faults);
	EXPECT_EQ(a.fault_every_n, 100u);
	EXPECT_EQ(a.fault_ppm, 0u);
	EXPECT_EQ(a.fault_seed, 7u);
	EXPECT_EQ(a.pos.line, 2u);
	EXPECT_EQ(b.queue_size, 512u);
	EXPECT_EQ(b.batch, 0u);
	EXPECT_EQ(b.shared_size, 64u);
	EXPECT_EQ(b.alien_size, 32u);
	EXPECT_EQ(b.slab_objs, 16u);
	EXPECT_EQ(b.no_alien, true);
	EXPECT_FALSE(b.faults);
	std::string first = dump(c);
	config again;
	ASSERT_EQ(load_string(first, "dump", again, errors), 0) << first;
	EXPECT_EQ(dump(again), first);
	EXPECT_NE(first.find("fault_injection: {every_n: 100, probability_ppm: 0, seed: 7}"), std::string::npos) << first;
	EXPECT_EQ(first.find("shared_size", first.find("mb_pool_*")), first.find("shared_size: 64")) << first;
}
