/* SPDX-License-Identifier: BSD-3-Clause */
// A DPDK primary and a secondary process of this same binary allocate and
// free from one "slubq" pool; the counts agree in both. Needs hugepages (a
// secondary cannot attach to --no-huge memory): without them every case is
// skipped, visibly. The primary uses its own --file-prefix and removes its
// hugepage and runtime files at the end.
//
//   driver-multiprocess-test                      the primary (gtest)
//   driver-multiprocess-test --secondary PREFIX POOL   the secondary role
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>
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

int secondary_main(const char *prog, const char *prefix, const char *pool)
{
	std::vector<std::string> args = {prog, "--proc-type=secondary", std::string("--file-prefix=") + prefix,
					 "-l", "1", "--no-pci", "--log-level=lib.eal:warning"};
	auto argv = argv_of(args);
	if (rte_eal_init(int(args.size()), argv.data()) < 0) {
		std::fprintf(stderr, "secondary: rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 2;
	}
	shared_state *st = nullptr;
	int rc = secondary_checks(pool, st);
	rte_eal_cleanup();
	return rc;
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

class MultiProcess : public ::testing::TestWithParam<unsigned> {};

TEST_P(MultiProcess, SecondaryAllocatesAndFrees)
{
	if (!g_skip_reason.empty())
		GTEST_SKIP() << g_skip_reason;
	std::string name = "t_mp_cache" + std::to_string(GetParam());
	rte_mempool *mp = make_pool(name.c_str(), pool_size, 256, GetParam());
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

INSTANTIATE_TEST_SUITE_P(CacheSizes, MultiProcess, ::testing::Values(0u, 32u),
			 [](const auto &info) { return "cache" + std::to_string(info.param); });

} // namespace

int main(int argc, char **argv)
{
	if (argc == 4 && std::strcmp(argv[1], "--secondary") == 0)
		return secondary_main(argv[0], argv[2], argv[3]);
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
