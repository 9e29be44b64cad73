/* SPDX-License-Identifier: BSD-3-Clause */
#include "lcore_job.hpp"

#include <memory>
#include <stdexcept>
#include <string>
#include <rte_launch.h>

namespace slubq_test {

lcore_job::lcore_job(unsigned lcore, std::function<int()> fn) : lcore_(lcore), fn_(std::move(fn))
{
	if (rte_eal_remote_launch(run, this, lcore) != 0)
		throw std::runtime_error("lcore " + std::to_string(lcore) + " cannot take a job");
}

lcore_job::~lcore_job() { wait(); }

int lcore_job::run(void *self) { return static_cast<lcore_job *>(self)->fn_(); }

int lcore_job::wait()
{
	if (!waited_) {
		rc_ = rte_eal_wait_lcore(lcore_);
		waited_ = true;
	}
	return rc_;
}

void on_lcores(const std::vector<unsigned> &lcores, const std::function<void(std::size_t)> &fn)
{
	// Started one after another, then all waited for (the destructors).
	std::vector<std::unique_ptr<lcore_job>> jobs;
	for (std::size_t i = 0; i < lcores.size(); i++)
		jobs.push_back(std::make_unique<lcore_job>(lcores[i], [&fn, i] {
			fn(i);
			return 0;
		}));
}

} // namespace slubq_test
