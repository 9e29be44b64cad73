/* SPDX-License-Identifier: BSD-3-Clause */
// Caches for tests: parameters on either source, a fixed cache populated
// with exactly n objects, a cache's info and verify's report, and
// test_cache, which destroys the cache it owns (and frees a fixed cache's
// memory) when it goes out of scope, also after a failed ASSERT, so that
// its name is free for the next test.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <rte_malloc.h>
#include "slubq.h"

namespace slubq_test {

// c's info; all zero when slubq_cache_get_info refuses (the checks on it fail then).
inline slubq_cache_info info_of(const slubq_cache *c)
{
	slubq_cache_info info;
	if (slubq_cache_get_info(c, &info) != 0)
		std::memset(&info, 0, sizeof(info));
	return info;
}

// "" when slubq_cache_verify finds nothing, else its count and report.
inline std::string verify(slubq_cache *c)
{
	char buf[8192];
	int n = slubq_cache_verify(c, buf, sizeof(buf));
	return n == 0 ? std::string() : std::to_string(n) + " problems:\n" + buf;
}

// Defaults, on the elastic source, with this name and object size.
inline slubq_cache_params elastic_params(const char *name, std::uint32_t obj_size)
{
	slubq_cache_params p;
	slubq_cache_params_init(&p);
	p.name = name;
	p.obj_size = obj_size;
	return p;
}

// Defaults, on the fixed source, with this name and object size.
inline slubq_cache_params fixed_params(const char *name, std::uint32_t obj_size)
{
	slubq_cache_params p = elastic_params(name, obj_size);
	p.source = SLUBQ_SOURCE_FIXED;
	return p;
}

// A cache on the fixed source, populated with exactly n objects from one
// rte_malloc buffer (spread over the cache's sockets, or all on logical
// socket `socket`). NULL (nothing left behind) on failure; else *buf is the
// memory to rte_free after the cache is destroyed.
inline slubq_cache *make_fixed(const slubq_cache_params &p, std::uint32_t n, void **buf, int socket = -1)
{
	size_t min_chunk, align;
	ssize_t mem = slubq_cache_calc_mem_size(&p, n, 0, &min_chunk, &align);
	slubq_cache *c = mem > 0 ? slubq_cache_create(&p) : nullptr;
	*buf = c != nullptr ? rte_malloc(nullptr, size_t(mem), align) : nullptr;
	if (*buf == nullptr ||
	    slubq_cache_populate(c, *buf, RTE_BAD_IOVA, size_t(mem), socket, n, nullptr, nullptr) != int(n)) {
		if (c != nullptr)
			slubq_cache_destroy(c);
		rte_free(*buf);
		return nullptr;
	}
	return c;
}

// A cache a test owns, used where a slubq_cache * is.
class test_cache {
public:
	test_cache() = default;
	explicit test_cache(slubq_cache *c, void *mem = nullptr) : c_(c), mem_(mem) {}
	test_cache(test_cache &&o) noexcept : c_(std::exchange(o.c_, nullptr)), mem_(std::exchange(o.mem_, nullptr)) {}
	test_cache &operator=(test_cache &&o) noexcept
	{
		if (this != &o) {
			reset();
			c_ = std::exchange(o.c_, nullptr);
			mem_ = std::exchange(o.mem_, nullptr);
		}
		return *this;
	}
	~test_cache() { reset(); }

	// Destroy the cache now (then free its memory): slubq_cache_destroy's
	// result, 0 when there was none.
	int reset()
	{
		int rc = c_ != nullptr ? slubq_cache_destroy(c_) : 0;
		c_ = nullptr;
		rte_free(mem_);
		mem_ = nullptr;
		return rc;
	}
	slubq_cache *get() const { return c_; }
	void *memory() const { return mem_; } // a fixed cache's, from fixed_cache()
	operator slubq_cache *() const & { return c_; }
	operator slubq_cache *() const && = delete; // would dangle: the temporary destroys it
	slubq_cache *operator->() const { return c_; }

private:
	slubq_cache *c_ = nullptr;
	void *mem_ = nullptr; // a fixed cache's memory
};

// slubq_cache_create(p); holds nullptr on failure (rte_errno says why).
inline test_cache elastic_cache(const slubq_cache_params &p) { return test_cache(slubq_cache_create(&p)); }

// make_fixed(p, n, socket); holds nullptr on failure.
inline test_cache fixed_cache(const slubq_cache_params &p, std::uint32_t n, int socket = -1)
{
	void *mem = nullptr;
	slubq_cache *c = make_fixed(p, n, &mem, socket);
	return test_cache(c, mem);
}

} // namespace slubq_test
