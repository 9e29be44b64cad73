/* SPDX-License-Identifier: BSD-3-Clause */
// Jobs on worker lcores: a lambda run on one lcore and its result, jobs on
// several lcores at once, and a job that runs in the background while the
// test works on the main lcore.
#pragma once

#include <functional>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

namespace slubq_test {

// fn started on worker lcore `lcore` (rte_eal_remote_launch); wait(), or
// the destructor, waits for it. Throws std::runtime_error when the lcore
// cannot take it (not a worker, or busy): a test's mistake, reported by
// gtest as a failure.
class lcore_job {
public:
	lcore_job(unsigned lcore, std::function<int()> fn);
	~lcore_job();
	lcore_job(const lcore_job &) = delete;
	lcore_job &operator=(const lcore_job &) = delete;

	// fn's result (the same one on every call).
	int wait();

private:
	static int run(void *self);
	unsigned lcore_;
	std::function<int()> fn_;
	bool waited_ = false;
	int rc_ = 0;
};

// Run fn() on worker lcore `lcore`, wait for it, and return what it returned.
template <class F> auto on_lcore(unsigned lcore, F &&fn) -> std::invoke_result_t<F &>
{
	using result = std::invoke_result_t<F &>;
	if constexpr (std::is_void_v<result>) {
		lcore_job(lcore, [&] {
			fn();
			return 0;
		}).wait();
	} else {
		std::optional<result> r;
		lcore_job(lcore, [&] {
			r.emplace(fn());
			return 0;
		}).wait();
		return std::move(*r);
	}
}

// Run fn(i) on lcores[i] for every i, all at once, and wait for every one.
void on_lcores(const std::vector<unsigned> &lcores, const std::function<void(std::size_t)> &fn);

} // namespace slubq_test
