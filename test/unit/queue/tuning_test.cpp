/* SPDX-License-Identifier: BSD-3-Clause */
// Lcore queue: run-time resize of queue size, batch, shared and alien
// sizes while a second lcore keeps allocating and freeing.
#include <gtest/gtest.h>
#include <atomic>
#include <set>
#include <vector>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include "eal_env.hpp"
#include "lcore_job.hpp"
#include "slubq.hpp"
#include "test_cache.hpp"
#include "cache/cache.hpp"

namespace {

struct worker_ctx {
	slubq_cache *c;
	std::atomic<bool> stop{false};
	std::atomic<std::uint64_t> ops{0};
	std::atomic<int> errors{0};
	std::atomic<std::uint32_t> last_limit{0};
};

void worker(worker_ctx *w)
{
	std::vector<void *> held;
	void *burst[64];
	std::uint32_t i = 0;
	while (!w->stop.load(std::memory_order_relaxed)) {
		std::uint32_t n = 1 + (i++ * 7) % 64;
		if (held.size() < 4000 && slubq::alloc(w->c, burst, n) == 0)
			held.insert(held.end(), burst, burst + n);
		std::uint32_t k = std::min<std::uint32_t>(std::uint32_t(held.size()), 1 + (i * 13) % 64);
		slubq::free(w->c, held.data() + held.size() - k, k);
		held.resize(held.size() - k);
		w->ops.fetch_add(n + k, std::memory_order_relaxed);
		w->last_limit.store(w->c->queues[rte_lcore_id()].limit, std::memory_order_relaxed);
	}
	slubq::free(w->c, held.data(), std::uint32_t(held.size()));
}

slubq_test::test_cache make(const char *name, std::uint32_t queue_size)
{
	slubq_cache_params p = slubq_test::elastic_params(name, 64);
	p.queue_size = queue_size;
	return slubq_test::elastic_cache(p);
}

} // namespace

TEST(Tuning, ResizeWhileAnotherLcoreWorks)
{
	auto workers = slubq_test::worker_lcores();
	if (workers.empty())
		GTEST_SKIP() << "needs a worker lcore";
	auto c = make("t_tune", 256);
	ASSERT_NE(c, nullptr);
	worker_ctx w;
	w.c = c;
	slubq_test::lcore_job job(workers[0], [&w] {
		worker(&w);
		return 0;
	});
	// Stops the worker on every way out (a failed ASSERT too) before job waits for it.
	struct stop_at_exit {
		worker_ctx &w;
		~stop_at_exit() { w.stop = true; }
	} stopper{w};
	const std::uint32_t sizes[] = {32, 1024, 8, 0, 512, 64, 2048, 128};
	for (std::uint32_t sz : sizes) {
		ASSERT_EQ(slubq_cache_set(c, SLUBQ_TUNE_QUEUE_SIZE, sz), 0);
		if (sz > 1) {
			ASSERT_EQ(slubq_cache_set(c, SLUBQ_TUNE_BATCH, sz / 4 ? sz / 4 : 1), 0);
		}
		ASSERT_EQ(slubq_cache_set(c, SLUBQ_TUNE_SHARED_SIZE, sz * 2), 0);
		std::uint64_t start = w.ops.load();
		// The worker picks the new size up at its next slow path.
		std::uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz() * 5;
		while ((w.last_limit.load() != sz || w.ops.load() < start + 10000) && rte_get_timer_cycles() < deadline)
			rte_pause();
		EXPECT_EQ(w.last_limit.load(), sz) << "queue size " << sz << " not picked up";
		std::uint32_t count, size;
		if (slubq_cache_queue_fill(c, workers[0], &count, &size) == 1) {
			EXPECT_LE(count, std::max(size, sz));
		}
		uint64_t v;
		ASSERT_EQ(slubq_cache_get(c, SLUBQ_TUNE_QUEUE_SIZE, &v), 0);
		EXPECT_EQ(v, sz);
	}
	w.stop = true;
	job.wait();
	EXPECT_GT(w.ops.load(), 0u);
	// Everything came back and nothing is held twice.
	EXPECT_EQ(slubq_test::verify(c), "");
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c));
	EXPECT_EQ(c.reset(), 0);
}

TEST(Tuning, BadValuesRefused)
{
	auto c = make("t_tune_bad", 64);
	ASSERT_NE(c, nullptr);
	EXPECT_EQ(slubq_cache_set(c, SLUBQ_TUNE_BATCH, 65), -EINVAL);
	EXPECT_EQ(slubq_cache_set(c, SLUBQ_TUNE_BATCH, 0), -EINVAL);
	EXPECT_EQ(slubq_cache_set(c, SLUBQ_TUNE_QUEUE_SIZE, SLUBQ_MAX_QUEUE + 1), -EINVAL);
	EXPECT_EQ(slubq_cache_set(c, slubq_tunable(99), 1), -EINVAL);
	// Shrinking the queue below the batch lowers the batch with it.
	EXPECT_EQ(slubq_cache_set(c, SLUBQ_TUNE_QUEUE_SIZE, 8), 0);
	uint64_t b;
	slubq_cache_get(c, SLUBQ_TUNE_BATCH, &b);
	EXPECT_LE(b, 8u);
	enum slubq_tunable k;
	EXPECT_EQ(slubq_tunable_from_name("alien", &k), 0);
	EXPECT_EQ(k, SLUBQ_TUNE_ALIEN_SIZE);
	EXPECT_EQ(slubq_tunable_from_name("nope", &k), -EINVAL);
}

TEST(Tuning, QueueOffUsesTheNode)
{
	auto c = make("t_queue_off", SLUBQ_QUEUE_OFF);
	ASSERT_NE(c, nullptr);
	void *v[16];
	ASSERT_EQ(slubq::alloc(c, v, 16), 0);
	slubq::free(c, v, 16);
	std::uint32_t count = 99;
	slubq_cache_queue_fill(c, rte_lcore_id(), &count, nullptr);
	EXPECT_EQ(count, 0u);
	slubq_stats st;
	slubq_cache_stats(c, -1, &st);
	EXPECT_EQ(st.alloc_fast, 0u);
	EXPECT_EQ(slubq_cache_available(c), slubq_cache_total(c));
}
