/* SPDX-License-Identifier: BSD-3-Clause */
#include "common/assert.hpp"

#include <cstdio>
#include <cstdlib>
#include "common/log.hpp"

namespace slubq {

void assert_fail(const char *cond, const char *file, unsigned line, const char *func)
{
	SLUBQ_LOG(CRIT, "%s:%u: %s: assertion failed: %s", file, line, func, cond);
	// rte_log may be filtered or go to syslog only: say it on stderr too.
	std::fprintf(stderr, "SLUBQ: %s:%u: %s: assertion failed: %s\n", file, line, func, cond);
	std::abort();
}

} // namespace slubq
