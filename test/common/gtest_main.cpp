/* SPDX-License-Identifier: BSD-3-Clause */
// gtest main for tests that need the EAL: EAL options come from
// eal_env (hugepages when free, else --no-huge); SLUBQ_TEST_LCORES
// overrides the lcore list.
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>
#include <gtest/gtest.h>
#include <rte_eal.h>
#include "eal_env.hpp"

int main(int argc, char **argv)
{
	::testing::InitGoogleTest(&argc, argv);
	const char *lc = std::getenv("SLUBQ_TEST_LCORES");
	// SLUBQ_TEST_EAL: extra EAL options, space-separated (e.g. log levels).
	std::vector<std::string> extra;
	if (const char *e = std::getenv("SLUBQ_TEST_EAL")) {
		std::istringstream in(e);
		for (std::string w; in >> w;)
			extra.push_back(w);
	}
	slubq_test::eal_start(argv[0], lc ? lc : "0-1", 512, extra);
	int rc = RUN_ALL_TESTS();
	slubq_test::eal_stop();
	return rc;
}
