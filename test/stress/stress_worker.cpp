/* SPDX-License-Identifier: BSD-3-Clause */
// A stress worker: allocate a burst, stamp each object, send the burst to a
// random lcore's ring (any that does not fit is checked and freed here),
// then check and free what arrived in its own ring. It never waits for
// anything but the others' "done" at the end, and it yields when idle, so
// that more lcores than CPUs (--lcores=(0-7)@(0,1)) make progress.
#include <random>
#include <sched.h>
#include <rte_cycles.h>
#include <rte_pause.h>
#include "stress.hpp"

namespace stress {

namespace {

constexpr unsigned max_burst = 32;

struct worker {
	shared_state &sh;
	unsigned lcore;
	worker_stats &st;
	std::uint64_t seq = 0;
	std::mt19937_64 rng;

	worker(shared_state &s, unsigned lc) : sh(s), lcore(lc), st(s.stats[lc]), rng(lc * 7919 + 1) {}

	void take(void *obj)
	{
		auto *s = static_cast<stamp *>(obj);
		std::uint64_t id = (std::uint64_t(lcore) << 48) | ++seq;
		if (__atomic_exchange_n(&s->state, alive, __ATOMIC_ACQ_REL) == alive)
			st.duplicated++; // the allocator handed out an object someone holds
		s->id = id;
		s->check = check_of(id);
		st.id_sum_alloc += id;
	}

	// Check and release one object we were sent (id) or keep (id = its own).
	void release(void *obj, std::uint64_t id)
	{
		auto *s = static_cast<stamp *>(obj);
		if (s->id != id || s->check != check_of(id))
			st.duplicated++; // someone else wrote it: held twice
		if (__atomic_exchange_n(&s->state, dead, __ATOMIC_ACQ_REL) != alive)
			st.duplicated++;
		st.id_sum_free += id;
	}

	void free_checked(message *m, unsigned n)
	{
		void *objs[max_burst * 2];
		for (unsigned i = 0; i < n; i++) {
			release(m[i].obj, m[i].id);
			objs[i] = m[i].obj;
		}
		slubq::free(sh.cache, objs, n);
		st.freed += n;
	}

	// Returns the objects handled (0: idle).
	unsigned drain_inbox()
	{
		message m[max_burst * 2];
		unsigned n = rte_ring_dequeue_burst_elem(sh.ring[lcore], m, sizeof(message), RTE_DIM(m), nullptr);
		if (n)
			free_checked(m, n);
		return n;
	}

	void produce()
	{
		unsigned n = 1 + unsigned(rng() % max_burst);
		void *objs[max_burst];
		if (slubq::alloc(sh.cache, objs, n) != 0) {
			st.alloc_fail++;
			return;
		}
		st.allocated += n;
		message m[max_burst];
		for (unsigned i = 0; i < n; i++) {
			take(objs[i]);
			m[i] = {objs[i], static_cast<stamp *>(objs[i])->id};
		}
		// A random lcore; another if its ring is full (its owner may be off-CPU).
		unsigned k = 0;
		for (int tries = 0; tries < 3 && k == 0; tries++) {
			unsigned dest = sh.workers[rng() % sh.nr_workers];
			k = rte_ring_enqueue_burst_elem(sh.ring[dest], m, sizeof(message), n, nullptr);
		}
		st.sent += k;
		if (k < n)
			free_checked(m + k, n - k); // the ring was full
	}

	// Leave the cache alone for a while (its queue stays parked, for the
	// others to reclaim), then use it again.
	void park()
	{
		const std::uint64_t until = rte_get_timer_cycles() + (rng() % 5000) * rte_get_timer_hz() / 1000000;
		while (rte_get_timer_cycles() < until && !sh.stop.load(std::memory_order_relaxed)) {
			st.progress.fetch_add(1, std::memory_order_relaxed);
			sched_yield();
		}
	}

	void run()
	{
		while (!sh.stop.load(std::memory_order_relaxed)) {
			produce();
			drain_inbox();
			st.progress.fetch_add(1, std::memory_order_relaxed);
			if (sh.park && rng() % 4096 == 0)
				park();
		}
		// Nobody sends once every worker is done: then an empty inbox stays empty.
		sh.done.fetch_add(1, std::memory_order_acq_rel);
		for (;;) {
			bool all_done = sh.done.load(std::memory_order_acquire) == sh.nr_workers;
			if (drain_inbox() == 0) {
				if (all_done)
					break;
				rte_pause();
				sched_yield(); // let a preempted sender run
			}
			st.progress.fetch_add(1, std::memory_order_relaxed);
		}
		st.finished.store(true, std::memory_order_release);
	}
};

} // namespace

int worker_main(void *arg)
{
	worker w(*static_cast<shared_state *>(arg), rte_lcore_id());
	w.run();
	return 0;
}

} // namespace stress
