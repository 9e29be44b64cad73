/* SPDX-License-Identifier: BSD-3-Clause */
// Per-lcore alien buffers and memoryless-socket adoption on simulated 2-
// and 4-socket topologies (several worker lcores on the machine's CPUs:
// SLUBQ_TEST_LCORES in test/meson.build). Exact counts at every quiescent
// point, verify clean, the node-lock counters, and at the end one lcore
// gets the whole pool (nothing stranded in a parked lcore's buffers).
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <set>
#include <vector>
#include <gtest/gtest.h>
#include <rte_lcore.h>
#include "eal_env.hpp"
#include "lcore_job.hpp"
#include "slubq.hpp"
#include "test_cache.hpp"
#include "cache/cache.hpp"

namespace {

constexpr std::uint32_t burst = 32;

// One lcore's work in a round: allocate `allocs` objects in bursts, or free
// `to_free` in bursts.
struct job {
	slubq_cache *c = nullptr;
	std::uint32_t allocs = 0;
	std::vector<void *> got;
	std::vector<void *> to_free;
	int rc = 0;
};

void run_job(job &j)
{
	j.got.resize(j.allocs);
	for (std::uint32_t i = 0; i < j.allocs && j.rc == 0; i += burst)
		j.rc = slubq::alloc(j.c, j.got.data() + i, std::min(burst, j.allocs - i));
	for (std::size_t i = 0; i < j.to_free.size(); i += burst)
		slubq::free(j.c, j.to_free.data() + i, std::uint32_t(std::min<std::size_t>(burst, j.to_free.size() - i)));
	j.to_free.clear();
}

// Run jobs[i] on lcores[i], all at once, and wait for every one.
void run_all(const std::vector<unsigned> &lcores, std::vector<job> &jobs)
{
	slubq_test::on_lcores(lcores, [&](std::size_t i) { run_job(jobs[i]); });
}

std::uint64_t node_locks(const slubq_cache *c)
{
	slubq_stats st;
	slubq_cache_stats(c, -1, &st);
	return st.node_locks;
}

std::uint64_t node_lock_sum(const slubq_cache *c)
{
	const slubq_cache_info info = slubq_test::info_of(c);
	std::uint64_t n = 0;
	for (unsigned s = 0; s < info.nr_sockets; s++)
		n += info.node[s].lock_acquisitions;
	return n;
}

std::uint64_t alien_waiting(const slubq_cache *c)
{
	const slubq_cache_info info = slubq_test::info_of(c);
	std::uint64_t n = 0;
	for (unsigned s = 0; s < info.nr_sockets; s++)
		n += info.node[s].alien_count;
	return n;
}

// Every object at once from the calling (main) lcore, then back; the
// pointers are all different.
void expect_whole_pool_gettable(slubq_cache *c)
{
	const std::uint64_t total = slubq_cache_total(c);
	std::vector<void *> all(total);
	ASSERT_EQ(slubq_cache_alloc_bulk(c, all.data(), unsigned(total)), 0);
	EXPECT_EQ(std::set<void *>(all.begin(), all.end()).size(), total);
	EXPECT_EQ(slubq_cache_available(c), 0u);
	EXPECT_EQ(alien_waiting(c), 0u); // every alien buffer and queue came back
	slubq_cache_free_bulk(c, all.data(), unsigned(total));
	EXPECT_EQ(slubq_cache_available(c), total);
}

class Sockets : public ::testing::Test {
protected:
	void SetUp() override
	{
		workers = slubq_test::worker_lcores();
		if (workers.size() < 4)
			GTEST_SKIP() << "needs 4 worker lcores (SLUBQ_TEST_LCORES)";
		workers.resize(4);
	}
	void TearDown() override
	{
		cache.reset(); // also after a failed ASSERT
		slubq_topology_reset();
	}
	// Main lcore on socket 0, worker i on socket socket_of[i].
	void simulate(unsigned sockets, const std::vector<int> &socket_of)
	{
		std::vector<int> map(RTE_MAX_LCORE, 0);
		for (std::size_t i = 0; i < socket_of.size(); i++)
			map[workers[i]] = socket_of[i];
		ASSERT_EQ(slubq_topology_simulate(sockets, map.data()), 0);
		ASSERT_EQ(slubq_topology_sockets(), sockets);
	}
	static slubq_cache_params params(const char *name, std::uint32_t queue, std::uint32_t alien)
	{
		slubq_cache_params p = slubq_test::fixed_params(name, 64);
		p.queue_size = queue;
		p.alien_size = alien;
		return p;
	}
	// A fixed cache of n objects spread over the sockets, destroyed at
	// TearDown (nullptr when it cannot be made).
	slubq_cache *fixed(const char *name, std::uint32_t queue, std::uint32_t alien, std::uint32_t n)
	{
		cache = slubq_test::fixed_cache(params(name, queue, alien), n);
		return cache;
	}
	std::vector<unsigned> workers;
	slubq_test::test_cache cache;
};

} // namespace

// A fixed pool populated on socket 0 only: an lcore of socket 1 adopts
// socket 0, fills its queue from it in batches and keeps the objects it
// frees (no node lock per allocation, no remote allocation).
TEST_F(Sockets, RemoteAllocationCachesInTheQueue)
{
	simulate(2, {1, 1, 1, 1});
	const std::uint32_t n = 4096;
	cache = slubq_test::fixed_cache(params("t_sock_remote", 256, 64), n, 0);
	slubq_cache *c = cache;
	ASSERT_NE(c, nullptr);
	slubq_cache_info info;
	ASSERT_EQ(slubq_cache_get_info(c, &info), 0);
	ASSERT_EQ(info.nr_sockets, 2u);
	ASSERT_EQ(info.node[0].objects, n);
	ASSERT_EQ(info.node[1].objects, 0u);

	const unsigned w = workers[0];
	const std::uint64_t locks_before = info.node[0].lock_acquisitions + info.node[1].lock_acquisitions;
	// 64 rounds of 128 allocations (4 calls of 32) then 128 frees: 256 calls.
	const unsigned rounds = 64;
	for (unsigned r = 0; r < rounds; r++) {
		std::vector<job> jobs(1);
		jobs[0].c = c;
		jobs[0].allocs = 128;
		run_all({w}, jobs);
		ASSERT_EQ(jobs[0].rc, 0);
		for (void *o : jobs[0].got)
			ASSERT_EQ(slubq::slab_of(c->geo, o)->socket, 0u);
		EXPECT_EQ(slubq_cache_available(c), n - 128u);
		jobs[0].to_free = jobs[0].got;
		jobs[0].allocs = 0;
		run_all({w}, jobs);
		EXPECT_EQ(slubq_cache_available(c), n);
	}
	const unsigned alloc_calls = rounds * 128 / burst;
	std::uint32_t count = 0, size = 0;
	ASSERT_EQ(slubq_cache_queue_fill(c, w, &count, &size), 1);
	EXPECT_GT(count, 0u); // its queue holds socket 0's objects
	ASSERT_EQ(slubq_cache_get_info(c, &info), 0);
	const std::uint64_t locks = info.node[0].lock_acquisitions + info.node[1].lock_acquisitions - locks_before;
	EXPECT_LT(locks, alloc_calls / 8) << locks << " node locks for " << alloc_calls << " allocation calls";
	std::printf("remote allocation: %" PRIu64 " node locks for %u allocation calls, queue fill %u\n", locks,
		    alloc_calls, count);
	slubq_stats st;
	ASSERT_EQ(slubq_cache_stats(c, int(w), &st), 0);
	EXPECT_EQ(st.remote_allocs, 0u);
	EXPECT_EQ(st.alien_sent, 0u); // socket 0's objects stay in the adopting lcore's queue
	EXPECT_EQ(st.alloc_fast + st.alloc_slow, rounds * 128u);
	EXPECT_EQ(st.free_fast + st.free_slow, rounds * 128u);
	EXPECT_EQ(info.node[0].alien_count + info.node[1].alien_count, 0u);
	EXPECT_EQ(slubq_test::verify(c), "");
	expect_whole_pool_gettable(c);
	EXPECT_EQ(slubq_test::verify(c), "");
}

// Four lcores allocate on their sockets and free what another one
// allocated (always of another socket), round after round. Every remote
// free goes through an alien buffer, the home node's lock is taken once
// per buffer, and every count is exact whenever the lcores are quiet.
class RemoteFrees : public Sockets, public ::testing::WithParamInterface<unsigned> {};

TEST_P(RemoteFrees, ExactCountsNothingLostNothingDuplicated)
{
	const unsigned sockets = GetParam();
	std::vector<int> socket_of(4);
	for (unsigned i = 0; i < 4; i++)
		socket_of[i] = int(i % sockets);
	simulate(sockets, socket_of);
	const std::uint32_t n = 16384, alien = 128, per_round = 500; // not a multiple of the alien size: some wait
	slubq_cache *c = fixed("t_sock_frees", 256, alien, n);
	ASSERT_NE(c, nullptr);
	ASSERT_EQ(slubq_cache_total(c), n);
	const std::uint64_t locks_before = node_locks(c);
	EXPECT_EQ(locks_before, node_lock_sum(c));

	std::vector<job> jobs(4);
	for (auto &j : jobs) {
		j.c = c;
		j.allocs = per_round;
	}
	const unsigned rounds = 24;
	std::uint64_t remote_frees = 0;
	for (unsigned r = 0; r < rounds; r++) {
		run_all(workers, jobs);
		std::set<void *> held;
		for (unsigned i = 0; i < 4; i++) {
			ASSERT_EQ(jobs[i].rc, 0) << "round " << r << " lcore " << workers[i];
			for (void *o : jobs[i].got) {
				EXPECT_EQ(slubq::slab_of(c->geo, o)->socket, unsigned(socket_of[i]));
				held.insert(o);
			}
		}
		ASSERT_EQ(held.size(), 4u * per_round) << "an object was handed out twice";
		ASSERT_EQ(slubq_cache_available(c), n - 4u * per_round);
		// Lcore i frees what lcore i + k allocated: always another socket.
		const unsigned k = sockets == 2 ? 1 + 2 * (r % 2) : 1 + r % 3;
		for (unsigned i = 0; i < 4; i++)
			jobs[i].to_free = jobs[(i + k) % 4].got;
		remote_frees += 4u * per_round;
		// The next round allocates while these are freed.
		run_all(workers, jobs);
		for (unsigned i = 0; i < 4; i++)
			ASSERT_EQ(jobs[i].rc, 0);
		ASSERT_EQ(slubq_cache_available(c), n - 4u * per_round) << "round " << r;
		for (unsigned i = 0; i < 4; i++) {
			jobs[i].to_free = jobs[i].got;
			jobs[i].allocs = 0;
		}
		run_all(workers, jobs); // local frees: back to no object held
		ASSERT_EQ(slubq_cache_available(c), n) << "round " << r;
		for (auto &j : jobs)
			j.allocs = per_round;
	}
	EXPECT_EQ(slubq_test::verify(c), "");

	slubq_stats st;
	ASSERT_EQ(slubq_cache_stats(c, -1, &st), 0);
	EXPECT_EQ(st.alien_sent, remote_frees);
	EXPECT_EQ(st.remote_allocs, 0u);
	EXPECT_GE(st.alien_flushes, (remote_frees - alien_waiting(c)) / alien);
	EXPECT_EQ(st.alien_received + alien_waiting(c), remote_frees);
	const std::uint64_t locks = st.node_locks - locks_before;
	const std::uint64_t objects = 2 * 4u * per_round * rounds * 2; // allocations + frees
	EXPECT_LT(locks * 32, objects) << locks << " node locks for " << objects << " objects";
	std::printf("%u sockets: %" PRIu64 " node locks for %" PRIu64 " objects, %" PRIu64 " alien flushes for %" PRIu64
		    " remote frees\n", sockets, locks, objects, st.alien_flushes, remote_frees);
	EXPECT_EQ(st.node_locks, node_lock_sum(c));

	// The workers are parked with objects in their queues and alien
	// buffers: the main lcore still gets every object in one call.
	EXPECT_GT(alien_waiting(c), 0u);
	expect_whole_pool_gettable(c);
	EXPECT_EQ(slubq_test::verify(c), "");
}

INSTANTIATE_TEST_SUITE_P(Simulated, RemoteFrees, ::testing::Values(2u, 4u),
			 [](const auto &i) { return std::to_string(i.param) + "sockets"; });

// Remote frees wait in the freeing lcore's alien buffer (counted as
// available and as alien_count of its node) until shrink sends them home.
TEST_F(Sockets, ShrinkEmptiesAlienBuffers)
{
	simulate(2, {1, 1, 1, 1});
	slubq_cache *c = fixed("t_sock_shrink", 256, 256, 4096);
	ASSERT_NE(c, nullptr);
	const std::uint64_t total = slubq_cache_total(c);
	// A worker of socket 1 allocates 100; it and the main lcore (socket 0)
	// each free 50 of another socket: 50 wait in each one's buffer.
	std::vector<job> jobs(1);
	jobs[0].c = c;
	jobs[0].allocs = 100;
	run_all({workers[0]}, jobs);
	ASSERT_EQ(jobs[0].rc, 0);
	std::vector<void *> mine(100);
	ASSERT_EQ(slubq::alloc(c, mine.data(), 100), 0); // socket 0's
	slubq::free(c, jobs[0].got.data(), 50);
	jobs[0].to_free.assign(mine.begin(), mine.begin() + 50);
	jobs[0].allocs = 0;
	run_all({workers[0]}, jobs);
	slubq_cache_info info;
	ASSERT_EQ(slubq_cache_get_info(c, &info), 0);
	EXPECT_EQ(info.node[0].alien_count, 50u); // the main lcore's buffer for socket 1
	EXPECT_EQ(info.node[1].alien_count, 50u); // the worker's buffer for socket 0
	EXPECT_EQ(slubq_cache_available(c), total - 100);
	slubq_stats st;
	ASSERT_EQ(slubq_cache_stats(c, -1, &st), 0);
	EXPECT_EQ(st.alien_sent, 100u);
	EXPECT_EQ(st.alien_flushes, 0u);
	EXPECT_EQ(st.alien_received, 0u);
	EXPECT_EQ(slubq_test::verify(c), "");

	slubq_cache_shrink(c); // ours now, the parked worker's by reclaim
	ASSERT_EQ(slubq_cache_get_info(c, &info), 0);
	EXPECT_EQ(info.node[0].alien_count, 0u);
	EXPECT_EQ(info.node[1].alien_count, 0u);
	EXPECT_EQ(slubq_cache_available(c), total - 100);
	ASSERT_EQ(slubq_cache_stats(c, -1, &st), 0);
	EXPECT_EQ(st.alien_received, 100u);
	EXPECT_EQ(slubq_test::verify(c), "");

	slubq::free(c, jobs[0].got.data() + 50, 50);
	slubq::free(c, mine.data() + 50, 50);
	EXPECT_EQ(slubq_cache_available(c), total);
	expect_whole_pool_gettable(c);
	EXPECT_EQ(slubq_test::verify(c), "");
}

// The node-lock counters: per node in node info, cache-wide in stats
// (their sum), growing with the locks taken.
TEST_F(Sockets, NodeLockCountersGrow)
{
	simulate(2, {1, 1, 1, 1});
	slubq_cache_params p = params("t_sock_locks", 64, 64);
	p.source = SLUBQ_SOURCE_ELASTIC;
	cache = slubq_test::elastic_cache(p);
	slubq_cache *c = cache;
	ASSERT_NE(c, nullptr);
	slubq_cache_info before, after;
	ASSERT_EQ(slubq_cache_get_info(c, &before), 0);
	EXPECT_EQ(node_locks(c), node_lock_sum(c));
	// 1000 objects on socket 0 (the main lcore): refills lock node 0.
	std::vector<void *> objs(1000);
	ASSERT_EQ(slubq::alloc(c, objs.data(), 1000), 0);
	ASSERT_EQ(slubq_cache_get_info(c, &after), 0);
	EXPECT_GT(after.node[0].lock_acquisitions, before.node[0].lock_acquisitions);
	EXPECT_EQ(after.node[1].lock_acquisitions, before.node[1].lock_acquisitions);
	// A socket 1 lcore frees them: their alien buffers go home to node 0.
	std::vector<job> jobs(1);
	jobs[0].c = c;
	jobs[0].to_free = objs;
	const std::uint64_t node0 = after.node[0].lock_acquisitions;
	run_all({workers[0]}, jobs);
	ASSERT_EQ(slubq_cache_get_info(c, &after), 0);
	EXPECT_GE(after.node[0].lock_acquisitions, node0 + 1000 / 64);
	EXPECT_EQ(node_locks(c), node_lock_sum(c));
	slubq_cache_shrink(c);
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c));
	EXPECT_EQ(slubq_test::verify(c), "");
}

// An lcore whose allocation fails sends its own alien buffers home first:
// the objects it freed for another socket are not lost to it.
TEST_F(Sockets, FailedAllocationSendsOwnAlienBuffersHome)
{
	simulate(2, {1, 1, 1, 1});
	slubq_cache *c = fixed("t_sock_own", 1024, 1024, 1024);
	ASSERT_NE(c, nullptr);
	const std::uint64_t total = slubq_cache_total(c);
	std::vector<void *> all(total);
	ASSERT_EQ(slubq::alloc(c, all.data(), std::uint32_t(total)), 0); // the main lcore, socket 0
	std::vector<void *> local, remote;
	for (void *o : all)
		(slubq::slab_of(c->geo, o)->socket == 0 ? local : remote).push_back(o);
	ASSERT_FALSE(remote.empty());
	ASSERT_LT(remote.size(), 1024u); // below the alien size: they stay in our buffer
	for (std::size_t i = 0; i < remote.size(); i += burst)
		slubq::free(c, remote.data() + i, std::uint32_t(std::min<std::size_t>(burst, remote.size() - i)));
	slubq::free(c, local.data(), std::uint32_t(local.size()));
	slubq_cache_info info;
	ASSERT_EQ(slubq_cache_get_info(c, &info), 0);
	EXPECT_EQ(info.node[0].alien_count, remote.size());
	EXPECT_EQ(slubq_cache_available(c), total);
	// Every object again, from the same lcore: its buffer must go home first.
	ASSERT_EQ(slubq::alloc(c, all.data(), std::uint32_t(total)), 0);
	EXPECT_EQ(std::set<void *>(all.begin(), all.end()).size(), total);
	ASSERT_EQ(slubq_cache_get_info(c, &info), 0);
	EXPECT_EQ(info.node[0].alien_count, 0u);
	slubq::free(c, all.data(), std::uint32_t(total));
	EXPECT_EQ(slubq_cache_available(c), total);
	EXPECT_EQ(slubq_test::verify(c), "");
}

// A tuned alien size reaches the lcores' buffers at their next slow path:
// a buffer already over it goes home then (not only at its next send).
TEST_F(Sockets, TunedAlienSizeReachesTheBuffers)
{
	simulate(2, {1, 1, 1, 1});
	slubq_cache *c = fixed("t_sock_tune", 256, 256, 4096);
	ASSERT_NE(c, nullptr);
	std::vector<job> jobs(1);
	jobs[0].c = c;
	jobs[0].allocs = 101;
	run_all({workers[0]}, jobs); // socket 1's objects
	ASSERT_EQ(jobs[0].rc, 0);
	slubq::free(c, jobs[0].got.data(), 100); // into the main lcore's buffer for socket 1
	slubq_cache_info info;
	ASSERT_EQ(slubq_cache_get_info(c, &info), 0);
	ASSERT_EQ(info.node[0].alien_count, 100u);
	ASSERT_EQ(slubq_cache_set(c, SLUBQ_TUNE_ALIEN_SIZE, 32), 0);
	slubq::free(c, jobs[0].got.data() + 100, 1); // the next slow path
	ASSERT_EQ(slubq_cache_get_info(c, &info), 0);
	EXPECT_EQ(info.alien_size, 32u);
	EXPECT_EQ(info.node[0].alien_count, 1u);
	slubq_stats st;
	ASSERT_EQ(slubq_cache_stats(c, -1, &st), 0);
	EXPECT_EQ(st.alien_received, 100u);
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c));
	EXPECT_EQ(slubq_test::verify(c), "");
}
