/* SPDX-License-Identifier: BSD-3-Clause */
#include "eal_env.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

namespace slubq_test {

bool hugepages_available(unsigned pages)
{
	if (std::getenv("SLUBQ_TEST_NO_HUGE") != nullptr)
		return false;
	std::ifstream mounts("/proc/mounts");
	std::string line;
	bool mounted = false;
	while (std::getline(mounts, line))
		if (line.find(" hugetlbfs ") != std::string::npos)
			mounted = true;
	if (!mounted)
		return false;
	std::ifstream mi("/proc/meminfo");
	while (std::getline(mi, line)) {
		unsigned long v;
		if (std::sscanf(line.c_str(), "HugePages_Free: %lu", &v) == 1)
			return v >= pages;
	}
	return false;
}

std::vector<std::string> eal_args(const std::string &prog, const std::string &lcores, unsigned mem_mb,
				  const std::vector<std::string> &extra)
{
	std::vector<std::string> a = {prog};
	if (lcores.find('@') != std::string::npos || lcores.find('(') != std::string::npos)
		a.push_back("--lcores=" + lcores);
	else
		a.push_back("-l" + lcores);
	a.push_back("--no-pci");
	a.push_back("--log-level=lib.eal:warning");
	if (hugepages_available(mem_mb / 2 + 8)) {
		a.push_back("--in-memory");
	} else {
		a.push_back("--no-huge");
		a.push_back("-m");
		a.push_back(std::to_string(mem_mb));
		a.push_back("--file-prefix=slubq-test-" + std::to_string(getpid()));
	}
	for (const auto &e : extra)
		a.push_back(e);
	return a;
}

void eal_start(const std::string &prog, const std::string &lcores, unsigned mem_mb,
	       const std::vector<std::string> &extra)
{
	auto args = eal_args(prog, lcores, mem_mb, extra);
	std::vector<char *> argv;
	std::ostringstream shown;
	for (auto &s : args) {
		argv.push_back(s.data());
		shown << s << ' ';
	}
	std::fprintf(stderr, "EAL: %s\n", shown.str().c_str());
	if (rte_eal_init(int(argv.size()), argv.data()) < 0) {
		std::fprintf(stderr, "rte_eal_init failed: %s\n", rte_strerror(rte_errno));
		std::exit(1);
	}
}

void eal_stop()
{
	std::string dir = rte_eal_get_runtime_dir();
	rte_eal_cleanup();
	std::string own = "/slubq-test-" + std::to_string(getpid());
	if (dir.size() > own.size() && dir.compare(dir.size() - own.size(), own.size(), own) == 0)
		std::filesystem::remove_all(dir);
}

std::vector<unsigned> worker_lcores()
{
	std::vector<unsigned> v;
	unsigned lc;
	RTE_LCORE_FOREACH_WORKER(lc)
		v.push_back(lc);
	return v;
}

} // namespace slubq_test
