/* SPDX-License-Identifier: BSD-3-Clause */
// DMA allocations: the IOVA slubq reports for every object is the EAL's
// (rte_mem_virt2iova: the page map when IOVA is PA), for the first and the
// last byte, so no object spans an IOVA discontinuity. Run with hugepages
// (IOVA as PA when root) and with --no-huge (IOVA as VA).
#include <gtest/gtest.h>
#include <cstdio>
#include <unordered_map>
#include <vector>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include "slubq_malloc.hpp"
#include "test_cache.hpp"

namespace {

constexpr std::uint32_t classes[] = {8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192};

// rte_mem_virt2iova, remembered per 4 KiB page: with IOVA as PA each call
// reads /proc/self/pagemap, and the tests below ask for ~10^6 addresses.
// Valid only while the memory stays allocated: the EAL may give freed
// hugepages back and map others at the same address, so each test forgets.
std::unordered_map<std::uintptr_t, rte_iova_t> pages;

rte_iova_t eal_iova(const void *p)
{
	auto va = reinterpret_cast<std::uintptr_t>(p);
	auto page = va & ~std::uintptr_t(4095);
	auto it = pages.find(page);
	if (it == pages.end())
		it = pages.emplace(page, rte_mem_virt2iova(reinterpret_cast<const void *>(page))).first;
	return it->second == RTE_BAD_IOVA ? RTE_BAD_IOVA : it->second + (va - page);
}

// The object's IOVA as slubq reports it matches the EAL's for its first and
// last byte, and the bytes between are contiguous. from_malloc: also ask
// slubq_virt2iova, for the last byte too when it is a size-class object.
::testing::AssertionResult iova_ok(const void *p, std::size_t size, rte_iova_t reported, bool from_malloc = true)
{
	auto *b = static_cast<const char *>(p);
	rte_iova_t first = eal_iova(b);
	rte_iova_t last = eal_iova(b + size - 1);
	if (reported != first || (from_malloc && slubq_virt2iova(b) != first))
		return ::testing::AssertionFailure() << p << ": reported " << reported << ", slubq_virt2iova "
						     << slubq_virt2iova(b) << ", EAL " << first;
	bool ask_last = from_malloc && size <= SLUBQ_MALLOC_MAX_CLASS;
	if (last != first + size - 1 || (ask_last && slubq_virt2iova(b + size - 1) != last))
		return ::testing::AssertionFailure() << p << " (" << size << " B) spans an IOVA discontinuity: first "
						     << first << ", last " << last;
	return ::testing::AssertionSuccess();
}

// Page size of the EAL memory slubq allocates from.
std::size_t page_size()
{
	void *p = slubq_malloc(64, SOCKET_ID_ANY);
	const rte_memseg *ms = rte_mem_virt2memseg(p, nullptr);
	std::size_t sz = ms ? std::size_t(ms->hugepage_sz) : 4096;
	slubq_free(p);
	return sz;
}

const char *iova_mode() { return rte_eal_iova_mode() == RTE_IOVA_PA ? "PA" : "VA"; }

class Dma : public ::testing::Test {
protected:
	void SetUp() override { pages.clear(); }
};

} // namespace

// Enough objects of every class to fill more than two IOVA-contiguous
// chunks (1 MiB each), each checked against the EAL.
TEST_F(Dma, EveryObjectHasTheEalsIova)
{
	std::printf("IOVA mode: %s\n", iova_mode());
	for (std::uint32_t c : classes) {
		std::vector<void *> v((5u << 19) / c); // 2.5 MiB of objects
		for (auto &p : v) {
			rte_iova_t iova = RTE_BAD_IOVA;
			p = slubq_malloc_dma(c, SOCKET_ID_ANY, &iova);
			ASSERT_NE(p, nullptr);
			ASSERT_NE(iova, RTE_BAD_IOVA);
			ASSERT_TRUE(iova_ok(p, c, iova)) << "class " << c;
		}
		for (void *p : v)
			slubq_free(p);
	}
	slubq_malloc_shrink();
	pages.clear();
}

TEST_F(Dma, LargeBlocksAreContiguous)
{
	for (std::size_t size : {std::size_t(SLUBQ_MALLOC_MAX_CLASS + 1), std::size_t(1u << 20),
				 std::size_t(3u << 20) + 5}) {
		rte_iova_t iova = RTE_BAD_IOVA;
		auto *p = static_cast<char *>(slubq_malloc_dma(size, SOCKET_ID_ANY, &iova));
		if (p == nullptr && rte_eal_iova_mode() == RTE_IOVA_PA && size > page_size()) {
			// Physically adjacent hugepages are luck, not a promise.
			std::printf("no IOVA-contiguous %zu bytes (larger than a %zu-byte page): not checked\n", size,
				    page_size());
			continue;
		}
		ASSERT_NE(p, nullptr) << size;
		ASSERT_TRUE(iova_ok(p, size, iova));
		for (std::size_t off = 0; off < size; off += 4096)
			ASSERT_EQ(eal_iova(p + off), iova + off) << "offset " << off << " of " << size;
		// Inside the first slab-size bytes, any byte resolves on its own.
		EXPECT_EQ(slubq_virt2iova(p + 8192), iova + 8192);
		slubq_free(p);
		pages.clear(); // its pages may go back to the system
	}
}

// Ordinary objects have an O(1) IOVA too (their slab never crosses a page).
TEST_F(Dma, OrdinaryObjectsKnowTheirIova)
{
	for (std::uint32_t c : classes) {
		std::vector<void *> v(200);
		for (auto &p : v) {
			p = slubq_malloc(c, SOCKET_ID_ANY);
			ASSERT_NE(p, nullptr);
			ASSERT_TRUE(iova_ok(p, c, slubq_virt2iova(p))) << "class " << c;
		}
		for (void *p : v)
			slubq_free(p);
	}
	auto *big = static_cast<char *>(slubq_malloc(50000, SOCKET_ID_ANY));
	ASSERT_NE(big, nullptr);
	EXPECT_EQ(slubq_virt2iova(big), rte_mem_virt2iova(big));
	EXPECT_EQ(slubq_virt2iova(big + 40000), rte_mem_virt2iova(big + 40000));
	slubq_free(big);
	EXPECT_EQ(slubq_virt2iova(nullptr), RTE_BAD_IOVA);
}

// A named cache can be DMA-capable too.
TEST_F(Dma, NamedDmaCache)
{
	slubq_cache_params p = slubq_test::elastic_params("t_dma_named", 1500);
	p.flags = SLUBQ_F_DMA;
	auto c = slubq_test::elastic_cache(p);
	ASSERT_NE(c, nullptr);
	std::vector<void *> v(2000); // ~3 MiB: several contiguous chunks
	ASSERT_EQ(slubq_cache_alloc_bulk(c, v.data(), unsigned(v.size())), 0);
	for (void *o : v)
		ASSERT_TRUE(iova_ok(o, 1500, slubq_cache_virt2iova(c, o), false));
	slubq_cache_free_bulk(c, v.data(), unsigned(v.size()));
	EXPECT_EQ(c.reset(), 0);
}
