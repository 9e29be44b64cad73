/* SPDX-License-Identifier: BSD-3-Clause */
// The /slubq/* commands in this very process, through its own telemetry
// socket and slubq-top's client: exact values for known traffic, the
// budget that keeps a reply of many lcores inside telemetry's limit, and
// slubq-top's sampler.
#include <atomic>
#include <barrier>
#include <mutex>
#include <filesystem>
#include <thread>
#include <vector>
#include <gtest/gtest.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <unistd.h>
#include "eal_env.hpp"
#include "lcore_job.hpp"
#include "sampler.hpp"
#include "slubq.h"
#include "telemetry_client.hpp"
#include "test_cache.hpp"
#include "cache/cache.hpp"
#include "registry/registry.hpp"
#include "telemetry/telemetry_commands.hpp"

using namespace slubq_top;

namespace {

// Several processes may share a runtime directory (--in-memory uses the
// default prefix): ours is the socket whose greeting carries our pid.
bool connect_own(telemetry_client &cl)
{
	std::error_code ec;
	for (const auto &e : std::filesystem::directory_iterator(rte_eal_get_runtime_dir(), ec)) {
		if (e.path().filename().string().rfind("dpdk_telemetry.v2", 0) != 0)
			continue;
		try {
			cl.connect(e.path().string());
			if (cl.greeting().value("pid", 0L) == long(getpid()))
				return true;
		} catch (const connection_error &) {
		}
		cl.close();
	}
	return false;
}

slubq_test::test_cache make(const char *name, std::uint32_t queue)
{
	slubq_cache_params p = slubq_test::elastic_params(name, 64);
	p.queue_size = queue;
	return slubq_test::elastic_cache(p);
}

class TelemetrySocket : public ::testing::Test {
protected:
	telemetry_client cl;
	void SetUp() override
	{
		if (!connect_own(cl))
			GTEST_SKIP() << "no telemetry socket of this process in " << rte_eal_get_runtime_dir();
	}
};

} // namespace

TEST_F(TelemetrySocket, ExactValuesForKnownTraffic)
{
	auto workers = slubq_test::worker_lcores();
	ASSERT_FALSE(workers.empty());
	unsigned w = workers[0];
	auto c = make("ut_tel_exact", 64);
	ASSERT_NE(c, nullptr);
	// The worker allocates 100 and frees 40 of them: it holds 60.
	std::vector<void *> held(100);
	ASSERT_EQ(slubq_test::on_lcore(w, [&] {
		int rc = slubq_cache_alloc_bulk(c, held.data(), 100);
		if (rc == 0) {
			slubq_cache_free_bulk(c, held.data(), 40);
			held.erase(held.begin(), held.begin() + 40);
		}
		return rc;
	}), 0);

	json list = cl.query("/slubq/list");
	ASSERT_TRUE(list.is_array());
	EXPECT_NE(std::find(list.begin(), list.end(), "ut_tel_exact"), list.end());

	json info = cl.query("/slubq/info,ut_tel_exact");
	slubq_cache_info ci;
	ASSERT_EQ(slubq_cache_get_info(c, &ci), 0);
	EXPECT_EQ(info["in_use"], 60);
	EXPECT_EQ(info["objects"], ci.total);
	EXPECT_EQ(info["available"], ci.available);
	EXPECT_EQ(info["queue_size"], 64);
	EXPECT_EQ(info["mem_bytes"], ci.mem_bytes);
	std::uint32_t count = 0, size = 0;
	ASSERT_EQ(slubq_cache_queue_fill(c, w, &count, &size), 1);
	json q = info["lcores"][std::to_string(w)];
	EXPECT_EQ(q["count"], count);
	EXPECT_EQ(q["size"], size);

	json stats = cl.query("/slubq/stats,ut_tel_exact");
	json lw = stats["lcores"][std::to_string(w)];
	EXPECT_EQ(lw["alloc_fast"].get<std::uint64_t>() + lw["alloc_slow"].get<std::uint64_t>(), 100u);
	EXPECT_EQ(lw["free_fast"].get<std::uint64_t>() + lw["free_slow"].get<std::uint64_t>(), 40u);
	EXPECT_EQ(stats["total"]["alloc_fast"], lw["alloc_fast"]);
	EXPECT_EQ(stats["lcores"].size(), 1u) << stats.dump();
	// Node-lock counters: per node in info, cache-wide in stats, the native values.
	slubq_stats cs;
	ASSERT_EQ(slubq_cache_stats(c, -1, &cs), 0);
	std::uint64_t node_sum = 0;
	for (unsigned s = 0; s < ci.nr_sockets; s++) {
		json n = info["nodes"][std::to_string(s)];
		ASSERT_TRUE(n.contains("lock_acquisitions")) << n.dump();
		EXPECT_EQ(n["lock_acquisitions"], ci.node[s].lock_acquisitions);
		node_sum += n["lock_acquisitions"].get<std::uint64_t>();
	}
	EXPECT_GT(cs.node_locks, 0u); // the worker's first refill
	EXPECT_EQ(node_sum, cs.node_locks);
	EXPECT_EQ(stats["total"]["node_locks"], cs.node_locks);

	// Through slubq-top's sampler: the same numbers.
	snapshot s = take_snapshot(cl, "ut_tel_exact");
	ASSERT_EQ(s.caches.size(), 1u);
	EXPECT_EQ(s.caches[0].in_use, 60u);
	EXPECT_EQ(s.caches[0].total.alloc_fast + s.caches[0].total.alloc_slow, 100u);

	// set: exact reply; the owner applies it at its next slow path.
	json r = cl.query("/slubq/set,ut_tel_exact,queue=16");
	EXPECT_EQ(r["previous"], 64);
	EXPECT_EQ(r["value"], 16);
	EXPECT_EQ(r["tunable_batch"], 8);
	slubq_test::on_lcore(w, [&] { slubq_cache_free_bulk(c, held.data(), unsigned(held.size())); });
	EXPECT_EQ(cl.query("/slubq/info,ut_tel_exact")["lcores"][std::to_string(w)]["size"], 16);
	EXPECT_EQ(cl.query("/slubq/info,ut_tel_exact")["in_use"], 0);
	// The smaller queue flushed to the node: more node locks.
	EXPECT_GT(cl.query("/slubq/stats,ut_tel_exact")["total"]["node_locks"].get<std::uint64_t>(), cs.node_locks);
	EXPECT_THROW(cl.query("/slubq/set,ut_tel_exact,batch=17"), command_error);
	EXPECT_EQ(c.reset(), 0);
	EXPECT_THROW(cl.query("/slubq/info,ut_tel_exact"), command_error);
}

TEST_F(TelemetrySocket, ShrinkGivesBackWholeChunks)
{
	// Without lcore queues every free goes straight to the slabs, so all
	// memory is free after the traffic and shrink returns all of it.
	auto c = make("ut_tel_shrink", SLUBQ_QUEUE_OFF);
	ASSERT_NE(c, nullptr);
	std::vector<void *> objs(1000);
	ASSERT_EQ(slubq_cache_alloc_bulk(c, objs.data(), 1000), 0);
	slubq_cache_free_bulk(c, objs.data(), 1000);
	std::uint64_t mem = cl.query("/slubq/info,ut_tel_shrink")["mem_bytes"];
	EXPECT_GT(mem, 0u);
	json r = cl.query("/slubq/shrink,ut_tel_shrink");
	EXPECT_EQ(r["freed_bytes"], mem);
	EXPECT_EQ(r["mem_bytes"], 0);
	EXPECT_EQ(cl.query("/slubq/stats,ut_tel_shrink")["total"]["slabs_freed"].get<std::uint64_t>(),
		  cl.query("/slubq/stats,ut_tel_shrink")["total"]["slabs_grown"].get<std::uint64_t>());
}

TEST_F(TelemetrySocket, ManyLcoresStayWithinTheReplyLimit)
{
	// Non-EAL threads registered as lcores each get a queue and counters:
	// more than a 16 KiB reply can hold per lcore.
	constexpr unsigned threads = 100;
	auto c = make("ut_tel_many", 32);
	ASSERT_NE(c, nullptr);
	std::barrier sync(threads + 1);
	std::vector<std::thread> ts;
	std::atomic<unsigned> registered{0};
	for (unsigned i = 0; i < threads; i++)
		ts.emplace_back([&] {
			if (rte_thread_register() == 0) {
				registered++;
				void *o[3];
				if (slubq_cache_alloc_bulk(c, o, 3) == 0)
					slubq_cache_free_bulk(c, o, 3);
			}
			sync.arrive_and_wait(); // all registered and done
			sync.arrive_and_wait(); // the test has looked
			rte_thread_unregister();
		});
	sync.arrive_and_wait();
	unsigned active = registered.load();
	EXPECT_GT(active, 60u) << "free lcore ids for registered threads";
	json stats, info;
	ASSERT_NO_THROW(stats = cl.query("/slubq/stats,ut_tel_many"));
	ASSERT_NO_THROW(info = cl.query("/slubq/info,ut_tel_many"));
	sync.arrive_and_wait();
	for (auto &t : ts)
		t.join();
	// Every lcore is either listed or counted as left out, never dropped
	// silently; the total still counts them all.
	unsigned listed = unsigned(stats["lcores"].size());
	unsigned omitted = stats.value("lcores_omitted", 0u);
	EXPECT_EQ(listed + omitted, active) << stats.dump().size() << " bytes";
	EXPECT_GT(omitted, 0u) << "the budget was not needed: make the test harder";
	EXPECT_EQ(stats["total"]["alloc_fast"].get<std::uint64_t>() + stats["total"]["alloc_slow"].get<std::uint64_t>(),
		  3u * active);
	EXPECT_LT(stats.dump().size(), 16u * 1024);
	// Queue fill fits for every lcore.
	EXPECT_EQ(info["lcores"].size(), active);
	// One lcore on request, even when the full list is cut.
	std::string last = stats["lcores"].items().begin().key();
	EXPECT_EQ(cl.query("/slubq/stats,ut_tel_many," + last)["lcores"].size(), 1u);
}

TEST_F(TelemetrySocket, ListIsEmptyWithoutCaches)
{
	// No cache of ours is left; whatever else exists is a name each.
	json list = cl.query("/slubq/list");
	ASSERT_TRUE(list.is_array());
	for (const auto &n : list)
		EXPECT_EQ(n.get<std::string>().rfind("ut_tel_", 0), std::string::npos);
}

// Telemetry holds a cache while it reads it. Clients hammer /slubq/info
// and /slubq/stats through the socket (calling the handlers directly
// would leak their replies' containers: only the socket's JSON writer
// frees them) while the main thread destroys and creates caches (a
// destroyed cache's memory is soon the next one's): every reply is the
// cache that was named, whole, or "unknown cache" — never another cache,
// a half-built one, or freed memory (it used to be read: wrong names,
// "cannot read", crashes on a half-built cache's nodes).
TEST_F(TelemetrySocket, ReadersRacingDestroySeeTheNamedCacheOrNone)
{
	constexpr unsigned clients = 4, rounds = 300;
	std::atomic<bool> done{false};
	std::atomic<unsigned> replies{0}, found{0}, bad{0};
	std::mutex m;
	std::string first_bad;
	auto wrong = [&](const std::string &what) {
		bad++;
		std::lock_guard<std::mutex> lk(m);
		if (first_bad.empty())
			first_bad = what;
	};
	auto client = [&](unsigned id) {
		telemetry_client own;
		if (!connect_own(own)) {
			wrong("client " + std::to_string(id) + " could not connect");
			return;
		}
		for (unsigned i = id; !done.load(std::memory_order_relaxed); i++) {
			const std::string name = "ut_tel_race" + std::to_string(i % 2);
			const std::string cmd = std::string((i / 2) % 2 ? "/slubq/stats," : "/slubq/info,") + name;
			try {
				json r = own.query(cmd);
				if (!r.is_object() || r.value("cache", std::string()) != name)
					wrong(cmd + " -> " + r.dump());
				else
					found++;
			} catch (const command_error &e) {
				if (std::string(e.what()).find("unknown cache") == std::string::npos)
					wrong(cmd + " -> error " + e.what());
			} catch (const std::exception &e) {
				wrong(cmd + " -> " + e.what());
				return;
			}
			replies++;
		}
	};
	std::vector<std::thread> threads;
	for (unsigned i = 0; i < clients; i++)
		threads.emplace_back(client, i);
	for (unsigned r = 0; r < rounds; r++) {
		const std::string name = "ut_tel_race" + std::to_string(r % 2);
		auto c = make(name.c_str(), 64);
		void *o[8];
		if (c == nullptr || slubq_cache_alloc_bulk(c, o, 8) != 0) { // nodes with slabs, counts to read
			ADD_FAILURE() << "round " << r << ": " << rte_strerror(rte_errno);
			break;
		}
		slubq_cache_free_bulk(c, o, 8);
		EXPECT_EQ(c.reset(), 0);
	}
	done = true; // each client finishes the query it has in flight
	for (auto &t : threads)
		t.join();
	EXPECT_EQ(bad.load(), 0u) << first_bad;
	EXPECT_GT(replies.load(), 0u);
	std::printf("%u replies, %u of them a live cache, during %u create/destroy rounds\n", replies.load(),
		    found.load(), rounds);
}

// The same, deterministic: a command in progress on a cache (/slubq/set,
// held up on the cache's tuning lock, which the test takes first) holds
// the cache — the registry lock stays taken while it works — so a destroy
// issued meanwhile waits for it and never frees what it reads. (Before,
// the command let go of the registry right after the lookup.)
TEST(TelemetryHold, DestroyWaitsForACommandInProgress)
{
	auto c = make("ut_tel_hold", 64);
	ASSERT_NE(c, nullptr);
	slubq::registry *r = slubq::registry_get();
	ASSERT_NE(r, nullptr);
	auto registry_held = [r] { return __atomic_load_n(&r->lock.holder, __ATOMIC_ACQUIRE) != 0; };
	(void)slubq::plock_acquire(c->tune_lock); // the command waits here, inside its read
	std::atomic<int> set_rc{1};
	std::thread cmd([&] {
		rte_tel_data *d = rte_tel_data_alloc();
		set_rc = slubq::tel::run_command("/slubq/set", "ut_tel_hold,queue=32", d);
		rte_tel_data_free(d);
	});
	// Held, and still held 50 ms later (a bare lookup holds it for a
	// moment only). The bound only ends a failing run.
	bool holds = false;
	for (int i = 0; i < 200 && !holds; i++) {
		if (registry_held()) {
			usleep(50 * 1000);
			holds = registry_held();
		} else {
			usleep(10 * 1000);
		}
	}
	EXPECT_TRUE(holds) << "the command does not hold the cache while it works on it";
	std::atomic<bool> destroyed{false};
	std::atomic<int> destroy_rc{1};
	std::thread destroyer([&] {
		destroy_rc = c.reset();
		destroyed = true;
	});
	if (holds) {
		usleep(50 * 1000);
		EXPECT_FALSE(destroyed.load()) << "destroyed under a command in progress";
	}
	slubq::plock_release(c->tune_lock);
	cmd.join();
	destroyer.join();
	EXPECT_EQ(set_rc.load(), 0);
	EXPECT_EQ(destroy_rc.load(), 0);
	EXPECT_EQ(slubq_cache_lookup("ut_tel_hold"), nullptr);
}
