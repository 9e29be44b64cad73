/* SPDX-License-Identifier: BSD-3-Clause */
// slubq_malloc: size classes, alignment, zmalloc/realloc semantics, large
// blocks, threads without an lcore id, cross-lcore frees, shrink, and the
// class caches in the registry.
#include <gtest/gtest.h>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include "cache_names.hpp"
#include "eal_env.hpp"
#include "lcore_job.hpp"
#include "test_cache.hpp"
#include "slubq_malloc.hpp"

namespace {

using slubq_test::verify;

constexpr std::uint32_t classes[] = {8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192};

std::uint32_t class_for(std::size_t size)
{
	for (std::uint32_t c : classes)
		if (size <= c)
			return c;
	return 0;
}

std::uintptr_t align_of_class(std::uint32_t c) { return c & (0u - c); }

bool aligned(const void *p, std::uintptr_t a) { return (reinterpret_cast<std::uintptr_t>(p) & (a - 1)) == 0; }

// Fill with a byte pattern unique to the object; check it later.
void stamp(void *p, std::size_t n, unsigned id)
{
	std::memset(p, int(id * 37 + 11) & 0xff, n);
}

bool stamped(const void *p, std::size_t n, unsigned id)
{
	auto *b = static_cast<const unsigned char *>(p);
	for (std::size_t i = 0; i < n; i++)
		if (b[i] != ((id * 37 + 11) & 0xff))
			return false;
	return true;
}

} // namespace

TEST(SizeClass, LookupIsTheSmallestClassThatFits)
{
	for (std::size_t size = 1; size <= SLUBQ_MALLOC_MAX_CLASS; size++)
		ASSERT_EQ(slubq::class_size[slubq::size_class_of(size)], class_for(size)) << "size " << size;
}

// Every class, through the C entry points and the inline C++ path: the
// promised alignment, the class size as usable size, no two live objects
// overlapping, contents intact until freed.
TEST(Malloc, EveryClassRoundTripsWithItsAlignment)
{
	for (int path = 0; path < 2; path++) {
		std::uint32_t prev = 0;
		for (std::uint32_t c : classes) {
			for (std::size_t size : {std::size_t(prev + 1), std::size_t((prev + c) / 2 + 1), std::size_t(c)}) {
				std::vector<void *> v(300);
				for (unsigned i = 0; i < v.size(); i++) {
					v[i] = path ? slubq::kmalloc(size) : slubq_malloc(size, SOCKET_ID_ANY);
					ASSERT_NE(v[i], nullptr) << "size " << size;
					ASSERT_TRUE(aligned(v[i], align_of_class(c))) << v[i] << " size " << size;
					ASSERT_EQ(slubq_malloc_usable_size(v[i]), c);
					stamp(v[i], c, i);
				}
				std::set<void *> distinct(v.begin(), v.end());
				EXPECT_EQ(distinct.size(), v.size());
				for (unsigned i = 0; i < v.size(); i++) {
					ASSERT_TRUE(stamped(v[i], c, i)) << "object " << i << " of class " << c << " overwritten";
					if (path)
						slubq::kfree(v[i]);
					else
						slubq_free(v[i]);
				}
			}
			prev = c;
		}
	}
	for (std::uint32_t c : classes)
		EXPECT_EQ(verify(slubq_malloc_cache(c, 0)), "") << "class " << c;
}

TEST(Malloc, BadArguments)
{
	rte_errno = 0;
	EXPECT_EQ(slubq_malloc(0, SOCKET_ID_ANY), nullptr);
	EXPECT_EQ(rte_errno, EINVAL);
	rte_errno = 0;
	EXPECT_EQ(slubq_malloc(64, 97), nullptr);
	EXPECT_EQ(rte_errno, EINVAL);
	rte_errno = 0;
	EXPECT_EQ(slubq_malloc(100000, 97), nullptr);
	EXPECT_EQ(rte_errno, EINVAL);
	slubq_free(nullptr); // ignored
	EXPECT_EQ(slubq_malloc_usable_size(nullptr), 0u);
	EXPECT_EQ(slubq_malloc_cache(0, 0), nullptr);
	EXPECT_EQ(slubq_malloc_cache(SLUBQ_MALLOC_MAX_CLASS + 1, 0), nullptr);
	// The caller's own real socket, by number, is the same as SOCKET_ID_ANY.
	void *p = slubq_malloc(64, int(rte_socket_id()));
	ASSERT_NE(p, nullptr);
	slubq_free(p);
	// Far too big: ENOMEM, nothing leaks.
	rte_errno = 0;
	EXPECT_EQ(slubq_malloc(std::size_t(1) << 52, SOCKET_ID_ANY), nullptr);
	EXPECT_EQ(rte_errno, ENOMEM);
}

TEST(Malloc, ForeignPointerIsReportedAndIgnored)
{
	// A pointer inside a large block, not its start: slubq_free refuses it.
	auto *p = static_cast<char *>(slubq_malloc(50000, SOCKET_ID_ANY));
	ASSERT_NE(p, nullptr);
	slubq_free(p + 64);
	EXPECT_EQ(slubq_malloc_usable_size(p), 50000u); // still allocated
	slubq_free(p);
	// Memory slubq_malloc never saw: zeroed, so no header magic is found.
	auto *buf = static_cast<char *>(rte_zmalloc("t_foreign", 2 * SLUBQ_MALLOC_SLAB_SIZE, SLUBQ_MALLOC_SLAB_SIZE));
	ASSERT_NE(buf, nullptr);
	slubq_free(buf + 4096);
	EXPECT_EQ(slubq_malloc_usable_size(buf + 4096), 0u);
	EXPECT_EQ(slubq_virt2iova(buf + 4096), RTE_BAD_IOVA);
	rte_free(buf);
}

TEST(Malloc, ZmallocZeroes)
{
	for (std::size_t size : {std::size_t(1), std::size_t(64), std::size_t(100), std::size_t(8192),
				 std::size_t(10000), std::size_t(300000)}) {
		// Dirty an object, free it: the LIFO queue hands the same one back.
		void *d = slubq_malloc(size, SOCKET_ID_ANY);
		ASSERT_NE(d, nullptr);
		std::memset(d, 0xa5, size);
		slubq_free(d);
		auto *z = static_cast<unsigned char *>(slubq_zmalloc(size, SOCKET_ID_ANY));
		ASSERT_NE(z, nullptr);
		if (size <= SLUBQ_MALLOC_MAX_CLASS) {
			EXPECT_EQ(static_cast<void *>(z), d) << "size " << size;
		}
		for (std::size_t i = 0; i < size; i++)
			ASSERT_EQ(z[i], 0) << "byte " << i << " of " << size;
		slubq_free(z);
	}
}

TEST(Malloc, ReallocSemantics)
{
	// NULL allocates.
	auto *p = static_cast<char *>(slubq_realloc(nullptr, 40, SOCKET_ID_ANY));
	ASSERT_NE(p, nullptr);
	EXPECT_EQ(slubq_malloc_usable_size(p), 64u);
	stamp(p, 40, 1);
	// Same class: same pointer.
	EXPECT_EQ(slubq_realloc(p, 64, SOCKET_ID_ANY), p);
	EXPECT_EQ(slubq_realloc(p, 33, int(rte_socket_id())), p);
	// Bigger: moved, contents kept.
	auto *q = static_cast<char *>(slubq_realloc(p, 1000, SOCKET_ID_ANY));
	ASSERT_NE(q, nullptr);
	EXPECT_NE(q, p);
	EXPECT_EQ(slubq_malloc_usable_size(q), 1024u);
	EXPECT_TRUE(stamped(q, 33, 1));
	stamp(q, 1000, 2);
	// Smaller class: moved, the prefix kept.
	auto *r = static_cast<char *>(slubq_realloc(q, 10, SOCKET_ID_ANY));
	ASSERT_NE(r, nullptr);
	EXPECT_EQ(slubq_malloc_usable_size(r), 16u);
	EXPECT_TRUE(stamped(r, 10, 2));
	// Into a large block and within it.
	auto *l = static_cast<char *>(slubq_realloc(r, 100000, SOCKET_ID_ANY));
	ASSERT_NE(l, nullptr);
	EXPECT_EQ(slubq_malloc_usable_size(l), 100000u);
	EXPECT_TRUE(stamped(l, 10, 2));
	stamp(l, 100000, 3);
	EXPECT_EQ(slubq_realloc(l, 60000, SOCKET_ID_ANY), l);  // shrinks by less than half: stays
	auto *l2 = static_cast<char *>(slubq_realloc(l, 30000, SOCKET_ID_ANY));
	ASSERT_NE(l2, nullptr);
	EXPECT_NE(l2, l);
	EXPECT_TRUE(stamped(l2, 30000, 3));
	// Failure leaves the old allocation alone.
	rte_errno = 0;
	EXPECT_EQ(slubq_realloc(l2, std::size_t(1) << 52, SOCKET_ID_ANY), nullptr);
	EXPECT_EQ(rte_errno, ENOMEM);
	EXPECT_TRUE(stamped(l2, 30000, 3));
	// Back to a class.
	auto *s = static_cast<char *>(slubq_realloc(l2, 200, SOCKET_ID_ANY));
	ASSERT_NE(s, nullptr);
	EXPECT_EQ(slubq_malloc_usable_size(s), 256u);
	EXPECT_TRUE(stamped(s, 200, 3));
	// Size 0 frees.
	EXPECT_EQ(slubq_realloc(s, 0, SOCKET_ID_ANY), nullptr);
	// An unknown socket fails and keeps the old allocation.
	void *k = slubq_malloc(64, SOCKET_ID_ANY);
	EXPECT_EQ(slubq_realloc(k, 128, 97), nullptr);
	EXPECT_EQ(rte_errno, EINVAL);
	EXPECT_EQ(slubq_malloc_usable_size(k), 64u);
	slubq_free(k);
}

TEST(Malloc, LargeBlocks)
{
	for (std::size_t size : {std::size_t(SLUBQ_MALLOC_MAX_CLASS + 1), std::size_t(100000),
				 std::size_t(3u << 20), std::size_t(5u << 20) + 17}) {
		auto *p = static_cast<char *>(slubq_malloc(size, SOCKET_ID_ANY));
		ASSERT_NE(p, nullptr) << size;
		EXPECT_TRUE(aligned(p, 64));
		EXPECT_EQ(slubq_malloc_usable_size(p), size);
		std::memset(p, 0x5a, size);
		EXPECT_EQ(p[size - 1], 0x5a);
		slubq_free(p);
	}
	// Many live at once, each its own block with its own header.
	std::vector<void *> v(300);
	for (unsigned i = 0; i < v.size(); i++) {
		v[i] = slubq_malloc(9000 + i, SOCKET_ID_ANY);
		ASSERT_NE(v[i], nullptr);
		stamp(v[i], 9000 + i, i);
	}
	for (unsigned i = 0; i < v.size(); i++) {
		EXPECT_TRUE(stamped(v[i], 9000 + i, i));
		EXPECT_EQ(slubq_malloc_usable_size(v[i]), 9000u + i);
		slubq_free(v[i]);
	}
}

TEST(Malloc, ThreadsWithoutAnLcoreId)
{
	std::vector<void *> from_main;
	for (unsigned i = 0; i < 500; i++)
		from_main.push_back(slubq_malloc(classes[i % 13], SOCKET_ID_ANY));
	std::vector<void *> from_thread;
	bool ok = true;
	std::thread t([&] {
		ok = rte_lcore_id() == LCORE_ID_ANY;
		for (unsigned i = 0; i < 2000 && ok; i++) {
			void *p = slubq_malloc(classes[i % 13], SOCKET_ID_ANY);
			if (p == nullptr) {
				ok = false;
				break;
			}
			stamp(p, classes[i % 13], i);
			if (i % 2)
				slubq_free(p);
			else
				from_thread.push_back(p);
		}
		for (void *p : from_main) // freed by a thread other than the one that allocated them
			slubq_free(p);
	});
	t.join();
	ASSERT_TRUE(ok);
	for (unsigned j = 0; j < from_thread.size(); j++) {
		EXPECT_TRUE(stamped(from_thread[j], classes[(2 * j) % 13], 2 * j));
		slubq_free(from_thread[j]);
	}
	slubq_stats st;
	ASSERT_EQ(slubq_cache_stats(slubq_malloc_cache(8, 0), -1, &st), 0);
	EXPECT_GT(st.locked_ops, 0u);
	for (std::uint32_t c : classes)
		EXPECT_EQ(verify(slubq_malloc_cache(c, 0)), "") << "class " << c;
}

namespace {

struct handoff {
	std::vector<void *> objs;
	std::size_t size;
	bool ok;
};

int alloc_all(handoff *h)
{
	for (auto &p : h->objs) {
		p = slubq_malloc(h->size, SOCKET_ID_ANY);
		if (p == nullptr)
			return -1;
		stamp(p, h->size, unsigned(&p - h->objs.data()));
	}
	return 0;
}

void free_all(handoff *h)
{
	h->ok = true;
	for (auto &p : h->objs) {
		h->ok = h->ok && stamped(p, h->size, unsigned(&p - h->objs.data()));
		slubq_free(p);
	}
}

} // namespace

TEST(Malloc, FreedOnAnotherLcore)
{
	auto workers = slubq_test::worker_lcores();
	if (workers.empty())
		GTEST_SKIP() << "needs a worker lcore (SLUBQ_TEST_LCORES)";
	const unsigned w = workers[0];
	for (std::size_t size : {std::size_t(2048), std::size_t(20000)}) {
		// Allocated here, freed there.
		handoff h{std::vector<void *>(size <= SLUBQ_MALLOC_MAX_CLASS ? 5000 : 300), size, false};
		ASSERT_EQ(alloc_all(&h), 0);
		slubq_test::on_lcore(w, [&] { free_all(&h); });
		EXPECT_TRUE(h.ok);
		// Allocated there (some of them the objects it just took), freed here.
		ASSERT_EQ(slubq_test::on_lcore(w, [&] { return alloc_all(&h); }), 0);
		free_all(&h);
		EXPECT_TRUE(h.ok);
	}
	EXPECT_EQ(verify(slubq_malloc_cache(2048, 0)), "");
}

TEST(Malloc, ShrinkAfterFreeGivesMemoryBack)
{
	slubq_cache *c = slubq_malloc_cache(4096, 0);
	ASSERT_NE(c, nullptr);
	slubq_malloc_shrink();
	slubq_cache_info before;
	ASSERT_EQ(slubq_cache_get_info(c, &before), 0);
	std::vector<void *> v(3000); // ~12 MiB
	for (auto &p : v) {
		p = slubq_malloc(4000, SOCKET_ID_ANY);
		ASSERT_NE(p, nullptr);
	}
	slubq_cache_info grown;
	slubq_cache_get_info(c, &grown);
	EXPECT_GE(grown.mem_bytes, before.mem_bytes + 3000u * 4096);
	for (void *p : v)
		slubq_free(p);
	std::int64_t freed = slubq_malloc_shrink();
	slubq_cache_info after;
	slubq_cache_get_info(c, &after);
	EXPECT_GE(freed, std::int64_t(grown.mem_bytes - before.mem_bytes));
	EXPECT_LE(after.mem_bytes, before.mem_bytes);
	EXPECT_EQ(verify(c), "");
}

TEST(Malloc, ClassCachesAreRegisteredAndPinned)
{
	slubq_cache *c = slubq_malloc_cache(50, 0);
	ASSERT_NE(c, nullptr);
	EXPECT_STREQ(slubq_cache_name(c), "kmalloc-64");
	EXPECT_EQ(slubq_cache_lookup("kmalloc-64"), c);
	slubq_cache *d = slubq_malloc_cache(50, 1);
	ASSERT_NE(d, nullptr);
	EXPECT_STREQ(slubq_cache_name(d), "dma-kmalloc-64");
	slubq_cache_info info;
	ASSERT_EQ(slubq_cache_get_info(d, &info), 0);
	EXPECT_TRUE(info.flags & SLUBQ_F_DMA);
	EXPECT_EQ(info.slab_size, SLUBQ_MALLOC_SLAB_SIZE);
	EXPECT_EQ(slubq_cache_destroy(c), -EPERM);
	EXPECT_EQ(rte_errno, EPERM);
	EXPECT_EQ(slubq_cache_lookup("kmalloc-64"), c);
	void *p = slubq_malloc(64, SOCKET_ID_ANY); // still served
	ASSERT_NE(p, nullptr);
	slubq_free(p);
	std::set<std::string> names = slubq_test::cache_names();
	EXPECT_TRUE(names.count("kmalloc-64"));
	EXPECT_TRUE(names.count("dma-kmalloc-64"));
}

TEST(Malloc, ClassNameTakenByAnotherCacheIsRefused)
{
	if (slubq_cache_lookup("dma-kmalloc-96") != nullptr)
		GTEST_SKIP() << "dma-kmalloc-96 already in use by an earlier test";
	// Default slab size, not a DMA cache: not a size class.
	auto imposter = slubq_test::elastic_cache(slubq_test::elastic_params("dma-kmalloc-96", 96));
	ASSERT_NE(imposter, nullptr);
	rte_errno = 0;
	EXPECT_EQ(slubq_malloc_dma(80, SOCKET_ID_ANY, nullptr), nullptr);
	EXPECT_EQ(rte_errno, EEXIST);
	ASSERT_EQ(imposter.reset(), 0);
	void *q = slubq_malloc_dma(80, SOCKET_ID_ANY, nullptr); // now it is created properly
	ASSERT_NE(q, nullptr);
	EXPECT_EQ(slubq_malloc_usable_size(q), 96u);
	slubq_free(q);
}
