/* SPDX-License-Identifier: BSD-3-Clause */
// A DPDK primary and a secondary process of this same binary allocate and
// free from one "slubq" pool; the counts agree in both. Needs hugepages (a
// secondary cannot attach to --no-huge memory): without them every case is
// skipped, visibly. The primary uses its own --file-prefix and removes its
// hugepage and runtime files at the end.
//
// A secondary that runs random traffic next to the primary, then exits or is
// killed (SIGKILL), leaves nothing stranded and hangs nobody.
//
//   driver-multiprocess-test                      the primary (gtest)
//   driver-multiprocess-test --secondary PREFIX POOL   the secondary role
//   driver-multiprocess-test --traffic PREFIX POOL     random get/put until told to stop
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>
#include <cinttypes>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memzone.h>
#include "eal_env.hpp"
#include "pool_helpers.hpp"

using namespace driver_test;

namespace {

constexpr const char *state_zone = "t_mp_state";
constexpr unsigned pool_size = 4096, primary_holds = 100, secondary_takes = 1000, secondary_keeps = 500;

// What the two processes tell each other, in a memzone.
struct shared_state {
	slubq_cache *cache;           // the primary's mapping of the pool's cache
	unsigned avail_at_exit;       // rte_mempool_avail_count() the secondary saw last
	unsigned kept;                // objects the secondary left allocated
	void *kept_objs[secondary_keeps];
	char error[512];              // the secondary's first failure
	// --traffic role
	std::uint32_t started;        // traffic is running
	std::uint32_t stop;           // primary: stop, give everything back, exit
	std::uint32_t held;           // objects in the secondary's hands after its last call
	std::uint64_t calls;          // get/put calls made
};

std::string g_prefix;       // primary's --file-prefix
std::string g_skip_reason;  // set when the EAL is not up

std::vector<char *> argv_of(std::vector<std::string> &args)
{
	std::vector<char *> v;
	for (auto &a : args)
		v.push_back(a.data());
	v.push_back(nullptr);
	return v;
}

// ---- the secondary process ------------------------------------------------

int fail_secondary(shared_state *st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (st != nullptr && st->error[0] == '\0')
		std::vsnprintf(st->error, sizeof(st->error), fmt, ap);
	else
		std::vfprintf(stderr, fmt, ap);
	va_end(ap);
	return 1;
}

int secondary_checks(const char *pool, shared_state *&st)
{
	const rte_memzone *mz = rte_memzone_lookup(state_zone);
	if (mz == nullptr)
		return fail_secondary(nullptr, "memzone %s not found\n", state_zone);
	st = static_cast<shared_state *>(mz->addr);
	rte_mempool *mp = rte_mempool_lookup(pool);
	if (mp == nullptr)
		return fail_secondary(st, "rte_mempool_lookup(%s): %s", pool, rte_strerror(rte_errno));
	if (rte_mempool_slubq_cache(mp) != st->cache)
		return fail_secondary(st, "the pool's cache is at %p here, %p in the primary",
				      static_cast<void *>(rte_mempool_slubq_cache(mp)), static_cast<void *>(st->cache));
	unsigned expect = pool_size - primary_holds;
	if (rte_mempool_avail_count(mp) != expect)
		return fail_secondary(st, "avail %u at attach, want %u", rte_mempool_avail_count(mp), expect);
	std::vector<void *> got(secondary_takes);
	for (unsigned i = 0; i < secondary_takes; i += 50) {
		if (rte_mempool_get_bulk(mp, got.data() + i, 50) != 0)
			return fail_secondary(st, "get_bulk(50) failed after %u", i);
		expect -= 50;
		if (rte_mempool_avail_count(mp) != expect)
			return fail_secondary(st, "avail %u after get, want %u", rte_mempool_avail_count(mp), expect);
	}
	std::vector<void *> too_many(expect + 1);
	if (rte_mempool_get_bulk(mp, too_many.data(), expect + 1) != -ENOBUFS)
		return fail_secondary(st, "get_bulk(avail + 1) did not fail with -ENOBUFS");
	if (rte_mempool_avail_count(mp) != expect)
		return fail_secondary(st, "a failed get changed avail to %u", rte_mempool_avail_count(mp));
	rte_mempool_put_bulk(mp, got.data() + secondary_keeps, secondary_takes - secondary_keeps);
	expect += secondary_takes - secondary_keeps;
	if (rte_mempool_avail_count(mp) != expect)
		return fail_secondary(st, "avail %u after put, want %u", rte_mempool_avail_count(mp), expect);
	std::memcpy(st->kept_objs, got.data(), secondary_keeps * sizeof(void *));
	st->kept = secondary_keeps;
	st->avail_at_exit = rte_mempool_avail_count(mp);
	return 0;
}

int secondary_start(const char *prog, const char *prefix)
{
	std::vector<std::string> args = {prog, "--proc-type=secondary", std::string("--file-prefix=") + prefix,
					 "-l", "1", "--no-pci", "--log-level=lib.eal:warning"};
	auto argv = argv_of(args);
	if (rte_eal_init(int(args.size()), argv.data()) < 0) {
		std::fprintf(stderr, "secondary: rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 2;
	}
	return 0;
}

int secondary_main(const char *prog, const char *prefix, const char *pool)
{
	if (secondary_start(prog, prefix) != 0)
		return 2;
	shared_state *st = nullptr;
	int rc = secondary_checks(pool, st);
	rte_eal_cleanup();
	return rc;
}

// One random rte_mempool_get_bulk or put_bulk of 1..512 objects; `hands`
// holds what the caller has (held of them), up to its size.
template <typename Rng>
void random_call(rte_mempool *mp, std::vector<void *> &hands, unsigned &held, Rng &rng)
{
	unsigned n = 1 + rng() % 512;
	if (rng() & 1) {
		if (held + n <= hands.size() && rte_mempool_get_bulk(mp, hands.data() + held, n) == 0)
			held += n;
	} else {
		n = std::min(n, held);
		rte_mempool_put_bulk(mp, hands.data() + held - n, n);
		held -= n;
	}
}

// Random rte_mempool_get_bulk/put_bulk of 1..512 objects, holding up to 1024.
int secondary_traffic(const char *pool)
{
	const rte_memzone *mz = rte_memzone_lookup(state_zone);
	if (mz == nullptr)
		return fail_secondary(nullptr, "memzone %s not found\n", state_zone);
	auto *st = static_cast<shared_state *>(mz->addr);
	rte_mempool *mp = rte_mempool_lookup(pool);
	if (mp == nullptr)
		return fail_secondary(st, "rte_mempool_lookup(%s): %s", pool, rte_strerror(rte_errno));
	std::mt19937 rng{unsigned(getpid())};
	std::vector<void *> hands(1024);
	unsigned held = 0;
	__atomic_store_n(&st->started, 1u, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&st->stop, __ATOMIC_ACQUIRE)) {
		random_call(mp, hands, held, rng);
		__atomic_store_n(&st->held, held, __ATOMIC_RELAXED);
		__atomic_add_fetch(&st->calls, 1, __ATOMIC_RELAXED);
	}
	rte_mempool_put_bulk(mp, hands.data(), held);
	// DPDK's own per-lcore cache is the application's to flush on exit.
	rte_mempool_cache_flush(rte_mempool_default_cache(mp, rte_lcore_id()), mp);
	__atomic_store_n(&st->held, 0u, __ATOMIC_RELAXED);
	return 0;
}

// ---- the primary ------------------------------------------------------------

// Hugepage files and the runtime directory of our prefix.
void remove_prefix_files(const std::string &prefix)
{
	namespace fs = std::filesystem;
	std::ifstream mounts("/proc/mounts");
	std::string dev, dir, type, rest;
	std::error_code ec;
	while (mounts >> dev >> dir >> type && std::getline(mounts, rest)) {
		if (type != "hugetlbfs")
			continue;
		for (const auto &e : fs::directory_iterator(dir, ec))
			if (e.path().filename().string().rfind(prefix + "map_", 0) == 0) // EAL's "<prefix>map_<n>"
				fs::remove(e.path(), ec);
	}
	fs::remove_all(fs::path("/var/run/dpdk") / prefix, ec);
}

int run_secondary_once(const char *pool)
{
	pid_t pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", "driver-multiprocess-test", "--secondary", g_prefix.c_str(), pool,
		      static_cast<char *>(nullptr));
		_exit(127);
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// A secondary must map the primary's hugepage memory at the same addresses;
// with ASLR (and ASan's shadow) its own libraries sometimes sit there and
// rte_eal_init fails (exit 2) before touching the pool. Such a start is
// retried: it says nothing about slubq.
int run_secondary(const char *pool)
{
	int rc = 2;
	for (int attempt = 0; attempt < 8 && rc == 2; attempt++)
		rc = run_secondary_once(pool);
	return rc;
}

// Cache size, element size (13824 B: 13888-byte slots on compact slab
// headers, which the secondary reads and writes too).
struct mp_shape {
	unsigned cache, elt;
};
class MultiProcess : public ::testing::TestWithParam<mp_shape> {};

TEST_P(MultiProcess, SecondaryAllocatesAndFrees)
{
	if (!g_skip_reason.empty())
		GTEST_SKIP() << g_skip_reason;
	std::string name = "t_mp_cache" + std::to_string(GetParam().cache) + "_" + std::to_string(GetParam().elt);
	rte_mempool *mp = make_pool(name.c_str(), pool_size, GetParam().elt, GetParam().cache);
	ASSERT_NE(mp, nullptr) << rte_strerror(rte_errno);
	pool_guard g(mp);
	std::vector<void *> mine(primary_holds);
	ASSERT_EQ(rte_mempool_get_bulk(mp, mine.data(), primary_holds), 0);
	const rte_memzone *mz = rte_memzone_reserve(state_zone, sizeof(shared_state), SOCKET_ID_ANY, 0);
	ASSERT_NE(mz, nullptr);
	auto *st = static_cast<shared_state *>(mz->addr);
	std::memset(st, 0, sizeof(*st));
	st->cache = rte_mempool_slubq_cache(mp);

	int rc = run_secondary(name.c_str());
	EXPECT_EQ(rc, 0) << "secondary: " << st->error;
	EXPECT_STREQ(st->error, "");
	ASSERT_EQ(st->kept, secondary_keeps);
	// Both processes count the same.
	EXPECT_EQ(rte_mempool_avail_count(mp), st->avail_at_exit);
	EXPECT_EQ(rte_mempool_avail_count(mp), pool_size - primary_holds - secondary_keeps);
	// Objects the secondary allocated come back through the primary.
	rte_mempool_put_bulk(mp, st->kept_objs, st->kept);
	EXPECT_EQ(rte_mempool_avail_count(mp), pool_size - primary_holds);
	rte_mempool_put_bulk(mp, mine.data(), primary_holds);
	EXPECT_EQ(rte_mempool_avail_count(mp), pool_size);
	EXPECT_EQ(verify(mp), "");
	rte_memzone_free(mz);
}

// Start a --traffic secondary on pool; its pid once its traffic runs, or -1.
pid_t start_traffic(const char *pool, shared_state *st)
{
	for (int attempt = 0; attempt < 8; attempt++) {
		__atomic_store_n(&st->started, 0u, __ATOMIC_RELAXED);
		__atomic_store_n(&st->stop, 0u, __ATOMIC_RELAXED);
		__atomic_store_n(&st->held, 0u, __ATOMIC_RELAXED);
		pid_t pid = fork();
		if (pid == 0) {
			execl("/proc/self/exe", "driver-multiprocess-test", "--traffic", g_prefix.c_str(), pool,
			      static_cast<char *>(nullptr));
			_exit(127);
		}
		if (pid < 0)
			return -1;
		for (;;) {
			if (__atomic_load_n(&st->started, __ATOMIC_ACQUIRE))
				return pid;
			int status = 0;
			if (waitpid(pid, &status, WNOHANG) == pid) {
				if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
					break; // EAL could not map the primary's memory: retry
				return -1;
			}
			usleep(1000);
		}
	}
	return -1;
}

// The primary's own random traffic for ms milliseconds, then all back.
void primary_traffic(rte_mempool *mp, unsigned ms, std::mt19937 &rng)
{
	std::vector<void *> hands(1024);
	unsigned held = 0;
	const std::uint64_t end = rte_get_timer_cycles() + ms * rte_get_timer_hz() / 1000;
	while (rte_get_timer_cycles() < end) {
		random_call(mp, hands, held, rng);
	}
	rte_mempool_put_bulk(mp, hands.data(), held);
	rte_mempool_cache_flush(rte_mempool_default_cache(mp, rte_lcore_id()), mp);
}

// Every object counted as available can be got at once, each once.
void expect_all_gettable(rte_mempool *mp, unsigned expect)
{
	unsigned avail = rte_mempool_avail_count(mp);
	EXPECT_EQ(avail, expect);
	std::vector<void *> all(avail);
	ASSERT_EQ(rte_mempool_get_bulk(mp, all.data(), avail), 0) << avail << " counted, not all got";
	EXPECT_EQ(std::set<void *>(all.begin(), all.end()).size(), std::size_t(avail)) << "handed out twice";
	rte_mempool_put_bulk(mp, all.data(), avail);
	EXPECT_EQ(verify(mp), "");
}

class Traffic : public ::testing::TestWithParam<unsigned> {};

// Both processes get and put at once; the secondary exits; the primary
// gets every object back (also those the secondary's lcore queue held).
TEST_P(Traffic, SecondaryExitsPrimaryGetsAll)
{
	if (!g_skip_reason.empty())
		GTEST_SKIP() << g_skip_reason;
	std::string name = "t_mp_traffic" + std::to_string(GetParam());
	constexpr unsigned n = 8192;
	rte_mempool *mp = make_pool(name.c_str(), n, 64, GetParam());
	ASSERT_NE(mp, nullptr) << rte_strerror(rte_errno);
	pool_guard g(mp);
	const rte_memzone *mz = rte_memzone_reserve(state_zone, sizeof(shared_state), SOCKET_ID_ANY, 0);
	ASSERT_NE(mz, nullptr);
	auto *st = static_cast<shared_state *>(mz->addr);
	std::memset(st, 0, sizeof(*st));
	std::mt19937 rng(7);
	pid_t pid = start_traffic(name.c_str(), st);
	ASSERT_GT(pid, 0) << "secondary did not start: " << st->error;
	primary_traffic(mp, 300, rng);
	__atomic_store_n(&st->stop, 1u, __ATOMIC_RELEASE);
	int status = 0;
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << st->error;
	EXPECT_GT(st->calls, 0u);
	std::uint32_t parked = 0, size = 0;
	slubq_cache_queue_fill(rte_mempool_slubq_cache(mp), 1, &parked, &size);
	std::printf("secondary made %" PRIu64 " calls, left %u objects in its lcore queue\n", st->calls, parked);
	expect_all_gettable(mp, n);
	rte_memzone_free(mz);
}

INSTANTIATE_TEST_SUITE_P(CacheSizes, Traffic, ::testing::Values(0u, 256u),
			 [](const auto &info) { return "cache" + std::to_string(info.param); });

// SIGKILL of a secondary mid-traffic, 20 times: the primary never hangs,
// gets every object still counted, none twice, and loses at most what the
// dead process held in its hands (its array, one call in flight, one
// 256-object piece of a flush). Every fifth time, a new secondary takes
// over the dead one's lcore id first and runs traffic on the same pool.
TEST(Killed, SecondaryKilledMidTraffic)
{
	if (!g_skip_reason.empty())
		GTEST_SKIP() << g_skip_reason;
	const rte_memzone *mz = rte_memzone_reserve(state_zone, sizeof(shared_state), SOCKET_ID_ANY, 0);
	ASSERT_NE(mz, nullptr);
	auto *st = static_cast<shared_state *>(mz->addr);
	constexpr unsigned n = 8192, in_flight = 512, flush_piece = 256;
	std::mt19937 rng(11);
	unsigned total_lost = 0;
	// SLUBQ_KILL_ROUNDS: more rounds for a longer manual run.
	const unsigned rounds = std::getenv("SLUBQ_KILL_ROUNDS") ? unsigned(std::atoi(std::getenv("SLUBQ_KILL_ROUNDS"))) : 20;
	for (unsigned round = 0; round < rounds; round++) {
		std::memset(st, 0, sizeof(*st));
		std::string name = "t_mp_kill" + std::to_string(round);
		rte_mempool *mp = make_pool(name.c_str(), n, 64, 0);
		ASSERT_NE(mp, nullptr) << rte_strerror(rte_errno);
		pool_guard g(mp);
		pid_t pid = start_traffic(name.c_str(), st);
		ASSERT_GT(pid, 0) << "secondary did not start: " << st->error;
		primary_traffic(mp, 10 + rng() % 50, rng);
		ASSERT_EQ(kill(pid, SIGKILL), 0);
		int status = 0;
		ASSERT_EQ(waitpid(pid, &status, 0), pid);
		ASSERT_TRUE(WIFSIGNALED(status));
		const unsigned held = __atomic_load_n(&st->held, __ATOMIC_RELAXED);
		// A hang here is the failure this test is for: alarm turns it into one.
		alarm(60);
		// Counts are read without locks: exact once a lock the dead process
		// held has been taken over and its node repaired, which verify
		// (it takes every lock) makes sure of.
		EXPECT_EQ(verify(mp), "") << "round " << round;
		unsigned avail = rte_mempool_avail_count(mp);
		ASSERT_LE(avail, n) << "round " << round << ": more available than exist";
		const unsigned lost = n - avail;
		EXPECT_LE(lost, held + in_flight + in_flight + flush_piece)
			<< "round " << round << ": lost " << lost << ", the dead process held " << held;
		if (round % 5 == 4) {
			pid = start_traffic(name.c_str(), st); // same lcore id as the dead one
			ASSERT_GT(pid, 0);
			primary_traffic(mp, 50, rng);
			__atomic_store_n(&st->stop, 1u, __ATOMIC_RELEASE);
			ASSERT_EQ(waitpid(pid, &status, 0), pid);
			EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << st->error;
			EXPECT_EQ(rte_mempool_avail_count(mp), avail) << "the next user of the lcore id lost nothing";
		}
		expect_all_gettable(mp, avail);
		alarm(0);
		total_lost += lost;
	}
	std::printf("%u kills: %u objects lost in all (in the dead processes' hands)\n", rounds, total_lost);
	rte_memzone_free(mz);
}

INSTANTIATE_TEST_SUITE_P(CacheSizes, MultiProcess,
			 ::testing::Values(mp_shape{0, 256}, mp_shape{32, 256}, mp_shape{32, 13824}),
			 [](const auto &info) {
				 return "cache" + std::to_string(info.param.cache) +
					(info.param.elt == 256 ? "" : "_elt" + std::to_string(info.param.elt));
			 });

} // namespace

int main(int argc, char **argv)
{
	if (argc == 4 && std::strcmp(argv[1], "--secondary") == 0)
		return secondary_main(argv[0], argv[2], argv[3]);
	if (argc == 4 && std::strcmp(argv[1], "--traffic") == 0) {
		if (secondary_start(argv[0], argv[2]) != 0)
			return 2;
		int rc = secondary_traffic(argv[3]);
		rte_eal_cleanup();
		return rc;
	}
	::testing::InitGoogleTest(&argc, argv);
	bool eal_up = false;
	if (!slubq_test::hugepages_available(64)) {
		g_skip_reason = "needs free hugepages: a secondary process cannot attach to --no-huge memory";
		std::fprintf(stderr, "SKIP: %s\n", g_skip_reason.c_str());
	} else {
		g_prefix = "slubq-mp-" + std::to_string(getpid());
		std::vector<std::string> args = {argv[0], "-l", "0", "--no-pci", "--file-prefix=" + g_prefix,
						 "--log-level=lib.eal:warning"};
		auto eargv = argv_of(args);
		if (rte_eal_init(int(args.size()), eargv.data()) < 0) {
			g_skip_reason = std::string("rte_eal_init (hugepages, primary): ") + rte_strerror(rte_errno);
			std::fprintf(stderr, "FAIL: %s\n", g_skip_reason.c_str());
			remove_prefix_files(g_prefix);
			return 1;
		}
		eal_up = true;
	}
	int rc = RUN_ALL_TESTS();
	if (eal_up) {
		rte_eal_cleanup();
		remove_prefix_files(g_prefix);
	}
	return rc;
}
