/* SPDX-License-Identifier: BSD-3-Clause */
// Helpers for the debug tests: caches with debug flags, a verify that
// returns its report, and a capture of what slubq logs (rte_log).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <rte_log.h>
#include "slubq.hpp"
#include "test_cache.hpp"

namespace debug_test {

inline slubq_test::test_cache make(const char *name, std::uint32_t flags, std::uint32_t obj_size = 64,
				  std::uint32_t queue = 0)
{
	slubq_cache_params p = slubq_test::elastic_params(name, obj_size);
	p.flags = flags;
	p.queue_size = queue;
	return slubq_test::elastic_cache(p);
}

using slubq_test::verify;

inline std::uint64_t errors(const slubq_cache *c)
{
	slubq_stats st;
	slubq_cache_stats(c, -1, &st);
	return st.debug_errors;
}

// Everything rte_log writes while it lives (then echoed to stderr, so the
// test log shows the real reports).
class log_capture {
public:
	log_capture()
	{
		f_ = open_memstream(&buf_, &len_);
		rte_openlog_stream(f_);
	}
	~log_capture()
	{
		std::string s = text();
		rte_openlog_stream(nullptr);
		std::fclose(f_);
		std::free(buf_);
		std::fputs(s.c_str(), stderr);
	}
	log_capture(const log_capture &) = delete;
	log_capture &operator=(const log_capture &) = delete;

	std::string text()
	{
		std::fflush(f_);
		return std::string(buf_, len_);
	}

private:
	FILE *f_;
	char *buf_ = nullptr;
	std::size_t len_ = 0;
};

// printf("%p") of an object, as the reports write it.
inline std::string ptr(const void *p)
{
	char b[32];
	std::snprintf(b, sizeof(b), "%p", p);
	return b;
}

} // namespace debug_test
