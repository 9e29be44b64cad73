/* SPDX-License-Identifier: BSD-3-Clause */
// slubq-top's model: samples from telemetry JSON, rates, sorting.
#include <gtest/gtest.h>
#include "top_model.hpp"

using namespace slubq_top;

namespace {

json info_json(const std::string &name, std::uint64_t objects, std::uint64_t in_use, std::uint64_t mem)
{
	return {{"name", name},       {"cache", name},          {"source", "elastic"}, {"obj_size", 64},
		{"objects", objects}, {"available", objects - in_use}, {"in_use", in_use}, {"mem_bytes", mem},
		{"queue_size", 512},  {"batch", 256},
		{"nodes", {{"0", {{"real_socket", 0}, {"objects", objects}, {"slabs_full", 2}}}}},
		{"lcores", {{"3", {{"socket", 0}, {"count", 10}, {"size", 512}}}}}};
}

json stats_json(std::uint64_t t_ns, std::uint64_t alloc_fast, std::uint64_t alloc_slow, std::uint64_t alien)
{
	json lc = {{"alloc_fast", alloc_fast}, {"alloc_slow", alloc_slow}, {"free_fast", alloc_fast},
		   {"free_slow", alloc_slow}, {"alien_sent", alien}};
	json total = lc;
	total["alien_received"] = alien;
	return {{"time_ns", t_ns}, {"total", total}, {"lcores", {{"3", lc}, {"5", lc}}}};
}

cache_sample sample(const std::string &name, std::uint64_t objects, std::uint64_t in_use, std::uint64_t mem,
		    std::uint64_t t_ns, std::uint64_t allocs)
{
	return sample_from_json(info_json(name, objects, in_use, mem), stats_json(t_ns, allocs, 0, 0));
}

} // namespace

TEST(TopModel, SampleFromJson)
{
	cache_sample s = sample_from_json(info_json("c", 100, 40, 4096), stats_json(5, 70, 30, 9));
	EXPECT_EQ(s.name, "c");
	EXPECT_EQ(s.objects, 100u);
	EXPECT_EQ(s.in_use, 40u);
	EXPECT_EQ(s.available, 60u);
	EXPECT_EQ(s.mem_bytes, 4096u);
	EXPECT_EQ(s.time_ns, 5u);
	EXPECT_EQ(s.total.alloc_fast, 70u);
	EXPECT_EQ(s.total.alloc_slow, 30u);
	EXPECT_EQ(s.total.alien_sent, 9u);
	ASSERT_EQ(s.nodes.size(), 1u);
	EXPECT_EQ(s.nodes[0].slabs_full, 2u);
	// Lcore 3 has a queue and counters, lcore 5 only counters.
	ASSERT_EQ(s.lcores.size(), 2u);
	EXPECT_EQ(s.lcores[0].lcore, 3u);
	EXPECT_TRUE(s.lcores[0].has_queue);
	EXPECT_EQ(s.lcores[0].count, 10u);
	EXPECT_EQ(s.lcores[0].c.alloc_fast, 70u);
	EXPECT_EQ(s.lcores[1].lcore, 5u);
	EXPECT_FALSE(s.lcores[1].has_queue);
	EXPECT_THROW(sample_from_json(json::object(), json::object()), json::exception);
}

TEST(TopModel, Rates)
{
	counters a, b;
	a.alloc_fast = 100;
	a.alloc_slow = 10;
	a.free_fast = 50;
	b = a;
	b.alloc_fast += 900; // 900 fast + 100 slow allocs, 1000 fast frees in 2 s
	b.alloc_slow += 100;
	b.free_fast += 1000;
	b.alien_sent = 40;
	rates r = rates_between(a, b, 2.0);
	EXPECT_TRUE(r.valid);
	EXPECT_DOUBLE_EQ(r.alloc, 500.0);
	EXPECT_DOUBLE_EQ(r.free, 500.0);
	EXPECT_DOUBLE_EQ(r.alien, 20.0);
	ASSERT_TRUE(r.hit.has_value());
	EXPECT_DOUBLE_EQ(*r.hit, 1900.0 / 2000.0);
	// Nothing happened: no hit rate.
	EXPECT_FALSE(rates_between(a, a, 1.0).hit.has_value());
	// No interval: not valid.
	EXPECT_FALSE(rates_between(a, b, 0).valid);
	// A re-created cache: counters restart, counted from zero.
	counters fresh;
	fresh.alloc_fast = 30;
	EXPECT_DOUBLE_EQ(rates_between(b, fresh, 1.0).alloc, 30.0);
}

TEST(TopModel, RowsMatchByNameAndTime)
{
	snapshot prev, cur;
	prev.caches.push_back(sample("a", 100, 1, 10, 1000000000, 0));
	cur.caches.push_back(sample("a", 100, 1, 10, 1500000000, 500));
	cur.caches.push_back(sample("new", 100, 1, 10, 1500000000, 500));
	auto rows = make_rows(&prev, cur);
	ASSERT_EQ(rows.size(), 2u);
	EXPECT_TRUE(rows[0].r.valid);
	EXPECT_DOUBLE_EQ(rows[0].r.alloc, 1000.0); // 500 in 0.5 s
	EXPECT_FALSE(rows[1].r.valid);             // no earlier sample
	EXPECT_FALSE(make_rows(nullptr, cur)[0].r.valid);
	auto lc = make_lcore_rows(&prev.caches[0], cur.caches[0]);
	ASSERT_EQ(lc.size(), 2u);
	EXPECT_DOUBLE_EQ(lc[0].r.alloc, 1000.0);
	// Aliases resolve to their cache.
	cur.caches[0].aliases = {"anon-1"};
	EXPECT_EQ(cur.find("anon-1"), &cur.caches[0]);
	EXPECT_EQ(cur.find("missing"), nullptr);
}

TEST(TopModel, Sorting)
{
	snapshot s;
	s.caches.push_back(sample("b", 300, 10, 2000, 1, 0));
	s.caches.push_back(sample("a", 100, 90, 3000, 1, 0));
	s.caches.push_back(sample("c", 300, 50, 1000, 1, 0));
	auto rows = make_rows(nullptr, s);
	auto names = [&rows] {
		std::string n;
		for (const auto &r : rows)
			n += r.s->name;
		return n;
	};
	sort_rows(rows, sort_key::objects, false);
	EXPECT_EQ(names(), "bca"); // ties by name
	sort_rows(rows, sort_key::in_use, false);
	EXPECT_EQ(names(), "acb");
	sort_rows(rows, sort_key::memory, false);
	EXPECT_EQ(names(), "abc");
	sort_rows(rows, sort_key::memory, true);
	EXPECT_EQ(names(), "cba");
	sort_rows(rows, sort_key::name, false);
	EXPECT_EQ(names(), "abc");
	sort_rows(rows, sort_key::name, true);
	EXPECT_EQ(names(), "cba");
	sort_rows(rows, sort_key::available, false);
	EXPECT_EQ(names(), "bca");
}

TEST(TopModel, SortKeys)
{
	for (sort_key k : {sort_key::name, sort_key::size, sort_key::objects, sort_key::in_use, sort_key::available,
			   sort_key::memory, sort_key::alloc, sort_key::free, sort_key::alien, sort_key::hit}) {
		EXPECT_EQ(sort_key_from_char(sort_key_char(k)), k);
		EXPECT_EQ(sort_key_from_name(sort_key_name(k)), k);
	}
	EXPECT_EQ(sort_key_from_name("in_use"), sort_key::in_use);
	EXPECT_EQ(sort_key_from_name("m"), sort_key::memory);
	EXPECT_FALSE(sort_key_from_name("bogus").has_value());
	EXPECT_FALSE(sort_key_from_char('q').has_value()); // q quits
	EXPECT_FALSE(sort_key_from_char('R').has_value()); // R reverses
}
