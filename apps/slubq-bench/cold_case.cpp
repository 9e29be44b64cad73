/* SPDX-License-Identifier: BSD-3-Clause */
// Case "cold": a pool of about 1M 64-byte objects (256K with --quick) is
// emptied, freed in a random order, then emptied again in bursts of 32
// with each object's first cache line written, as a driver initialising
// mbufs would. Only the second emptying, touch included, is timed: it
// shows the order in which a pool hands memory back out. A FIFO ring
// returns the objects in the shuffled order (a cache miss each); slubq's
// slabs return them by address, so the hardware prefetcher streams them.
#include "bench.hpp"
#include "pools.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace slubq_bench {

namespace {

constexpr unsigned burst = 32;

template <bool native>
bool fill(const pool &p, std::vector<void *> &objs, bool touch)
{
	for (std::size_t i = 0; i < objs.size(); i += burst) {
		unsigned n = unsigned(std::min<std::size_t>(burst, objs.size() - i));
		if (get<native>(p, objs.data() + i, n) != 0)
			return false;
		if (touch)
			for (unsigned k = 0; k < n; k++) {
				auto *line = static_cast<std::uint64_t *>(objs[i + k]);
				for (unsigned w = 0; w < 8; w++)
					line[w] = w;
			}
	}
	benchmark::ClobberMemory();
	return true;
}

template <bool native>
void drain(const pool &p, const std::vector<void *> &objs)
{
	for (std::size_t i = 0; i < objs.size(); i += burst)
		put<native>(p, objs.data() + i, unsigned(std::min<std::size_t>(burst, objs.size() - i)));
}

template <bool native>
void run_cold(benchmark::State &st, pool *p, unsigned n)
{
	std::vector<void *> objs(n);
	std::mt19937_64 rng(42);
	for (auto _ : st) {
		st.PauseTiming();
		if (!fill<native>(*p, objs, false)) {
			st.SkipWithError("pool too small");
			break;
		}
		std::shuffle(objs.begin(), objs.end(), rng);
		drain<native>(*p, objs);
		st.ResumeTiming();
		bool ok = fill<native>(*p, objs, true);
		st.PauseTiming();
		if (!ok) {
			st.SkipWithError("get failed");
			break;
		}
		drain<native>(*p, objs);
		st.ResumeTiming();
	}
	per_object(st, double(st.iterations()) * n);
}

} // namespace

void register_cold(const options &o)
{
	const unsigned n = o.smoke ? 16384 : o.quick ? 262144 : 1048576;
	const char *kinds[] = {baseline_kind, "slubq_native", "slubq_ops_c512", "slubq_ops_c0"};
	for (const char *kind : kinds) {
		// Each pool is made when its run starts and freed after it, so
		// that only one of them holds its ~100 MB at a time.
		std::string k = kind;
		auto fn = [k, n, o](benchmark::State &st) {
			pool *p = make_pool(k, n, o.obj_size);
			if (p == nullptr) {
				st.SkipWithError("pool unavailable");
				return;
			}
			with_api(*p, [&](auto native) { run_cold<decltype(native)::value>(st, p, n); });
			free_pool(p);
		};
		benchmark::RegisterBenchmark(run_name("cold", "64B", k).c_str(), fn)
			->Iterations(o.smoke ? 1 : o.quick ? 3 : 10)
			->Unit(benchmark::kMillisecond);
	}
}

} // namespace slubq_bench
