/* SPDX-License-Identifier: BSD-3-Clause */
// Debugging mbuf pools on the "slubq" ops (issue 17 item 1): poison of the
// data buffer only (the header survives free -> alloc), use after free
// found at the next allocation and by verify, double and foreign frees,
// the invariants of a freed mbuf, owner tracking through librte_mempool
// and librte_mbuf, the leak report (API and log when the pool is freed),
// the per-lcore cache switched off, and SLUBQ_MEMPOOL_CONFIG's debug key.
#include <gtest/gtest.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#include <unistd.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include "slubq_debug.h"
#include "pool_helpers.hpp"
#include "../debug/debug_test_util.hpp"

using namespace driver_test;
using debug_test::log_capture;
using debug_test::ptr;

namespace {

constexpr unsigned nb_mbufs = 64;
constexpr std::uint32_t all_checks = SLUBQ_F_POISON | SLUBQ_F_TRACK | SLUBQ_F_SANITY;

// rte_pktmbuf_pool_create (per-lcore cache 32) with debug flags through
// the named configuration the YAML loader also uses.
rte_mempool *mbuf_pool(const char *name, std::uint32_t flags, unsigned n = nb_mbufs)
{
	slubq_pool_config cfg{};
	cfg.flags = flags;
	if (slubq_pool_config_set(name, &cfg) < 0)
		return nullptr;
	rte_mempool *mp = rte_pktmbuf_pool_create_by_ops(name, n, 32, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY,
							 RTE_MEMPOOL_SLUBQ_OPS_NAME);
	slubq_pool_config_set(name, nullptr);
	return mp;
}

std::uint64_t errors(rte_mempool *mp) { return debug_test::errors(rte_mempool_slubq_cache(mp)); }

bool inside(std::uintptr_t addr, const void *fn)
{
	auto lo = reinterpret_cast<std::uintptr_t>(fn);
	return addr > lo && addr < lo + 4096;
}

// Known functions, so that the recorded callers can be checked.
__attribute__((noinline)) int leak_three(rte_mempool *mp, rte_mbuf **m)
{
	int rc = rte_pktmbuf_alloc_bulk(mp, m, 3);
	asm volatile("" ::: "memory"); // no tail call: this frame is the caller
	return rc;
}
__attribute__((noinline)) void free_one(rte_mbuf *m)
{
	rte_pktmbuf_free(m);
	asm volatile("" ::: "memory");
}

} // namespace

TEST(MbufDebug, PerLcoreCacheOffOnlyInDebugMode)
{
	rte_mempool *mp = mbuf_pool("t_dbg_cache", SLUBQ_F_TRACK);
	ASSERT_NE(mp, nullptr) << rte_strerror(rte_errno);
	pool_guard g(mp);
	// cache_size stays (the pool's private data is found past the caches);
	// the caches pass every get/put to the driver.
	EXPECT_EQ(mp->cache_size, 32u);
	EXPECT_EQ(rte_pktmbuf_data_room_size(mp), RTE_MBUF_DEFAULT_BUF_SIZE);
	rte_mbuf *m[5];
	ASSERT_EQ(rte_pktmbuf_alloc_bulk(mp, m, 5), 0);
	EXPECT_EQ(rte_mempool_default_cache(mp, rte_lcore_id())->len, 0u);
	EXPECT_EQ(slubq_cache_available(rte_mempool_slubq_cache(mp)), nb_mbufs - 5u);
	rte_pktmbuf_free_bulk(m, 5);
	EXPECT_EQ(rte_mempool_default_cache(mp, rte_lcore_id())->len, 0u);
	EXPECT_EQ(slubq_cache_available(rte_mempool_slubq_cache(mp)), nb_mbufs);
	rte_mempool *plain = mbuf_pool("t_dbg_plain", 0);
	ASSERT_NE(plain, nullptr);
	pool_guard g2(plain);
	ASSERT_EQ(rte_pktmbuf_alloc_bulk(plain, m, 5), 0);
	rte_pktmbuf_free_bulk(m, 5);
	EXPECT_GT(rte_mempool_default_cache(plain, rte_lcore_id())->len, 0u); // untouched without debug
	slubq_leak l;
	EXPECT_EQ(slubq_cache_leaks(rte_mempool_slubq_cache(plain), &l, 1, nullptr), -ENOTSUP);
}

TEST(MbufDebug, UseAfterFreeOfTheDataBufferFoundAtAllocation)
{
	rte_mempool *mp = mbuf_pool("t_dbg_uaf", all_checks);
	ASSERT_NE(mp, nullptr) << rte_strerror(rte_errno);
	pool_guard g(mp);
	rte_mbuf *m = rte_pktmbuf_alloc(mp);
	ASSERT_NE(m, nullptr);
	void *buf_addr = m->buf_addr;
	free_one(m);
	// The header survived the free (rte_pktmbuf_init's fields), the buffer is poisoned.
	EXPECT_EQ(m->buf_addr, buf_addr);
	EXPECT_EQ(m->pool, mp);
	EXPECT_EQ(rte_mbuf_refcnt_read(m), 1);
	auto *data = static_cast<std::uint8_t *>(m->buf_addr);
	EXPECT_EQ(data[0], 0x6b);
	EXPECT_EQ(data[m->buf_len - 1], 0xa5);
	EXPECT_EQ(verify(mp), "");
	// A write after free: 4 bytes at offset 300 of the buffer.
	std::memset(data + 300, 0, 4);
	std::string v = verify(mp);
	EXPECT_NE(v.find("write after free"), std::string::npos) << v;
	// verify repaired it; write again and let the allocation find it.
	std::memset(data + 300, 0, 4);
	std::uint64_t before = errors(mp);
	log_capture log;
	std::vector<rte_mbuf *> all(nb_mbufs);
	ASSERT_EQ(rte_pktmbuf_alloc_bulk(mp, all.data(), nb_mbufs), 0);
	EXPECT_EQ(errors(mp), before + 1);
	std::string t = log.text();
	const std::uint32_t at = std::uint32_t(data + 300 - reinterpret_cast<std::uint8_t *>(m));
	char want[200];
	std::snprintf(want, sizeof(want), "allocation of %s by lcore %u", ptr(m).c_str(), rte_lcore_id());
	EXPECT_NE(t.find(want), std::string::npos) << t;
	std::snprintf(want, sizeof(want), "write after free: poison overwritten at byte %u of", at);
	EXPECT_NE(t.find(want), std::string::npos) << t;
	std::snprintf(want, sizeof(want), "4 byte(s) changed up to byte %u, in the mbuf data buffer", at + 3);
	EXPECT_NE(t.find(want), std::string::npos) << t;
	EXPECT_NE(t.find("; last free: lcore"), std::string::npos) << t;
	// Handed out all the same, header intact.
	for (rte_mbuf *x : all) {
		EXPECT_EQ(x->pool, mp);
		EXPECT_EQ(x->buf_addr, reinterpret_cast<char *>(x) + sizeof(rte_mbuf));
	}
	slubq_obj_info info;
	ASSERT_EQ(slubq_debug_object_info(rte_mempool_slubq_cache(mp), m, &info), 0);
	// free_one, or this program's out-of-line copy of the inline rte_pktmbuf_free
	// (the compiler's choice): the first frame outside DPDK's libraries and slubq.
	EXPECT_TRUE(inside(info.free_caller, reinterpret_cast<const void *>(&free_one)) ||
		    inside(info.free_caller, reinterpret_cast<const void *>(&rte_pktmbuf_free)))
		<< std::hex << info.free_caller;
	rte_pktmbuf_free_bulk(all.data(), nb_mbufs);
	EXPECT_EQ(verify(mp), "");
}

TEST(MbufDebug, DoubleAndForeignFreesAreReportedAndDropped)
{
	rte_mempool *mp = mbuf_pool("t_dbg_dfree", SLUBQ_F_SANITY | SLUBQ_F_TRACK);
	rte_mempool *other = mbuf_pool("t_dbg_other", 0);
	ASSERT_NE(mp, nullptr);
	ASSERT_NE(other, nullptr);
	pool_guard g(mp), g2(other);
	rte_mbuf *m = rte_pktmbuf_alloc(mp);
	rte_mbuf *o = rte_pktmbuf_alloc(other);
	ASSERT_NE(m, nullptr);
	ASSERT_NE(o, nullptr);
	log_capture log;
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(m); // refcnt is still 1: DPDK hands it to the pool again
	rte_mempool_put(mp, o); // another pool's mbuf
	EXPECT_EQ(errors(mp), 2u);
	std::string t = log.text();
	EXPECT_NE(t.find("free of " + ptr(m) + " by lcore"), std::string::npos) << t;
	EXPECT_NE(t.find("double free: the object is already free"), std::string::npos) << t;
	// (Another pool's slabs have another size: its slab header is not where ours would be.)
	EXPECT_NE(t.find("free of " + ptr(o) + " by lcore"), std::string::npos) << t;
	EXPECT_NE(t.find("not an object of this cache (foreign pointer"), std::string::npos) << t;
	EXPECT_EQ(rte_mempool_avail_count(mp), nb_mbufs); // counted once
	EXPECT_EQ(verify(mp), "");
	rte_pktmbuf_free(o);
}

TEST(MbufDebug, FreedMbufInvariantsChecked)
{
	rte_mempool *mp = mbuf_pool("t_dbg_inv", SLUBQ_F_SANITY);
	ASSERT_NE(mp, nullptr);
	pool_guard g(mp);
	rte_mbuf *m = rte_pktmbuf_alloc(mp);
	ASSERT_NE(m, nullptr);
	log_capture log;
	m->nb_segs = 2; // a chain head given back with rte_mempool_put, not rte_pktmbuf_free
	rte_mempool_put(mp, m);
	EXPECT_EQ(errors(mp), 1u);
	std::string t = log.text();
	EXPECT_NE(t.find("mbuf freed in a state DPDK forbids (refcnt 1, next (nil), nb_segs 2, direct"),
		  std::string::npos) << t;
	EXPECT_EQ(rte_mempool_avail_count(mp), nb_mbufs); // reported, still freed
	m = rte_pktmbuf_alloc(mp);
	m->nb_segs = 1;
	rte_pktmbuf_free(m); // a proper free: nothing more
	EXPECT_EQ(errors(mp), 1u);
}

TEST(MbufDebug, LeakReportNamesLcoreAndCaller)
{
	rte_mempool *mp = mbuf_pool("t_dbg_leak", SLUBQ_F_TRACK);
	ASSERT_NE(mp, nullptr);
	rte_mbuf *kept = rte_pktmbuf_alloc(mp); // allocated and freed: not a leak
	rte_pktmbuf_free(kept);
	rte_mbuf *m[3];
	ASSERT_EQ(leak_three(mp, m), 0);
	slubq_cache *c = rte_mempool_slubq_cache(mp);
	slubq_leak l[8];
	std::uint64_t out = 0;
	ASSERT_EQ(slubq_cache_leaks(c, l, 2, &out), 2);
	EXPECT_EQ(out, 3u);
	ASSERT_EQ(slubq_cache_leaks(c, l, 8, &out), 3);
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(l[i].alloc_lcore, rte_lcore_id());
		EXPECT_TRUE(inside(l[i].alloc_caller, reinterpret_cast<const void *>(&leak_three)) ||
			    inside(l[i].alloc_caller, reinterpret_cast<const void *>(&rte_pktmbuf_alloc_bulk)))
			<< std::hex << l[i].alloc_caller;
		EXPECT_NE(l[i].alloc_tsc, 0u);
		if (i > 0) {
			EXPECT_LE(l[i - 1].alloc_tsc, l[i].alloc_tsc); // oldest first
		}
	}
	// Freeing the pool logs the report (before rte_mempool takes the objects back).
	log_capture log;
	rte_mempool_free(mp);
	std::string t = log.text();
	EXPECT_NE(t.find("cache mp:t_dbg_leak: 3 object(s) still allocated (leaked?); the oldest:"), std::string::npos)
		<< t;
	char want[64];
	std::snprintf(want, sizeof(want), "leak 1 of 3: %s allocated by lcore %u, caller 0x",
		      ptr(l[0].obj).c_str(), rte_lcore_id());
	EXPECT_NE(t.find(want), std::string::npos) << t;
	EXPECT_NE(t.find("leak 3 of 3"), std::string::npos) << t;
}

TEST(MbufDebug, NonMbufPoolIsNotPoisoned)
{
	slubq_pool_config cfg{};
	cfg.flags = SLUBQ_F_POISON | SLUBQ_F_SANITY;
	log_capture log;
	rte_mempool *mp = make_pool("t_dbg_raw", 64, 128, 0, &cfg);
	ASSERT_NE(mp, nullptr) << rte_strerror(rte_errno);
	pool_guard g(mp);
	EXPECT_NE(log.text().find("debug poison applies to pktmbuf pools only"), std::string::npos) << log.text();
	std::vector<void *> objs(64);
	ASSERT_EQ(rte_mempool_get_bulk(mp, objs.data(), 64), 0);
	for (void *o : objs)
		std::memset(o, 0x42, 128); // what an obj_init would write
	rte_mempool_put_bulk(mp, objs.data(), 64);
	ASSERT_EQ(rte_mempool_get_bulk(mp, objs.data(), 64), 0);
	for (void *o : objs)
		EXPECT_EQ(static_cast<std::uint8_t *>(o)[0], 0x42);
	rte_mempool_put_bulk(mp, objs.data(), 64);
}

TEST(MbufDebug, EnvironmentSwitchesDebugPerPool)
{
	setenv("SLUBQ_MEMPOOL_CONFIG", "t_dbg_env:debug=poison+track;other:debug=sanity", 1);
	rte_mempool *mp = mbuf_pool("t_dbg_env", 0);
	ASSERT_NE(mp, nullptr);
	pool_guard g(mp);
	slubq_cache_info info;
	slubq_cache_get_info(rte_mempool_slubq_cache(mp), &info);
	EXPECT_EQ(info.flags & SLUBQ_F_DEBUG, std::uint32_t(SLUBQ_F_POISON | SLUBQ_F_TRACK));
	EXPECT_EQ(rte_mempool_default_cache(mp, rte_lcore_id())->size, 0u);
	for (const char *bad : {"t_dbg_bad:debug=red_zone", "t_dbg_bad:debug=all", "t_dbg_bad:debug=leaks",
				"t_dbg_bad:debug="}) {
		setenv("SLUBQ_MEMPOOL_CONFIG", bad, 1);
		EXPECT_EQ(mbuf_pool("t_dbg_bad", 0), nullptr) << bad;
	}
	unsetenv("SLUBQ_MEMPOOL_CONFIG");
}

namespace {

// This test binary again, running only LeakReportAtProcessExit in the
// given mode; its output (logs included) and exit status.
std::string run_child(const char *mode, int &status)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1); // (in popen's shell, it would be the shell)
	self[n > 0 ? n : 0] = '\0';
	std::string cmd = std::string("SLUBQ_TEST_EXIT_CHILD=") + mode + " '" + self +
			  "' --gtest_filter=MbufDebug.LeakReportAtProcessExit 2>&1";
	FILE *p = popen(cmd.c_str(), "r");
	std::string out;
	char buf[4096];
	for (std::size_t k; p != nullptr && (k = std::fread(buf, 1, sizeof(buf), p)) > 0;)
		out.append(buf, k);
	status = p != nullptr ? pclose(p) : -1;
	return out;
}

} // namespace

// A pool never freed: the report comes at exit, while the EAL's memory is
// still there (or a line says why there is none).
TEST(MbufDebug, LeakReportAtProcessExit)
{
	if (const char *mode = std::getenv("SLUBQ_TEST_EXIT_CHILD")) {
		rte_mempool *mp = mbuf_pool("t_dbg_exit", SLUBQ_F_TRACK);
		ASSERT_NE(mp, nullptr);
		rte_mbuf *m[3];
		ASSERT_EQ(leak_three(mp, m), 0);
		if (std::strcmp(mode, "cleanup") == 0)
			rte_eal_cleanup();
		std::exit(0); // neither the pool nor (in mode "leak") the EAL is released
	}
	int status = 0;
	std::string out = run_child("leak", status);
	EXPECT_EQ(status, 0) << out;
	EXPECT_NE(out.find("mempool t_dbg_exit: process exit, the pool was never freed"), std::string::npos) << out;
	EXPECT_NE(out.find("cache mp:t_dbg_exit: 3 object(s) still allocated"), std::string::npos) << out;
	EXPECT_NE(out.find("leak 3 of 3: 0x"), std::string::npos) << out;
	EXPECT_NE(out.find("allocated by lcore 0, caller 0x"), std::string::npos) << out;
	// After rte_eal_cleanup(): the report if the memory is still mapped (DPDK
	// 22.11 leaves it), else why there is none; never a crash.
	out = run_child("cleanup", status);
	EXPECT_EQ(status, 0) << out;
	EXPECT_TRUE(out.find("cache mp:t_dbg_exit: 3 object(s) still allocated") != std::string::npos ||
		    out.find("mempool t_dbg_exit: no leak report at exit: rte_eal_cleanup() released its memory") !=
			    std::string::npos)
		<< out;
}
