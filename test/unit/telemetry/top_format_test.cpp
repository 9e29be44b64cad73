/* SPDX-License-Identifier: BSD-3-Clause */
// slubq-top's text and JSON views.
#include <gtest/gtest.h>
#include "top_format.hpp"

using namespace slubq_top;

TEST(TopFormat, HumanNumbers)
{
	EXPECT_EQ(human_count(0), "0");
	EXPECT_EQ(human_count(9999), "9999");
	EXPECT_EQ(human_count(10000), "10.0K");
	EXPECT_EQ(human_count(123456), "123K");
	EXPECT_EQ(human_count(99949), "99.9K");
	EXPECT_EQ(human_count(99950), "100K");
	EXPECT_EQ(human_count(999499), "999K");
	EXPECT_EQ(human_count(999500), "1.0M");
	EXPECT_EQ(human_count(1234567), "1.2M");
	EXPECT_EQ(human_count(4.5e9), "4.5G");
	EXPECT_EQ(human_count(-1), "-");
	EXPECT_EQ(human_bytes(0), "0 B");
	EXPECT_EQ(human_bytes(1023), "1023 B");
	EXPECT_EQ(human_bytes(1024), "1.0 KiB");
	EXPECT_EQ(human_bytes(2u << 20), "2.0 MiB");
	EXPECT_EQ(human_bytes(19922944), "19.0 MiB");
	EXPECT_EQ(human_bytes(std::uint64_t(3) << 30), "3.0 GiB");
	EXPECT_EQ(percent(0.998), "99.8");
	EXPECT_EQ(percent(std::nullopt), "-");
}

namespace {

struct fixture {
	snapshot prev, cur;
	app_info app{"rte", "app", "DPDK 22.11.11", 42, 1.0};

	fixture()
	{
		for (auto *s : {&prev, &cur}) {
			cache_sample a;
			a.name = "mp:mb_pool_0";
			a.obj_size = 2304;
			a.objects = 8192;
			a.in_use = 1024;
			a.available = 7168;
			a.mem_bytes = 19922944;
			a.time_ns = s == &prev ? 1000000000 : 2000000000;
			a.total.alloc_fast = s == &prev ? 0 : 900000;
			a.total.alloc_slow = s == &prev ? 0 : 100000;
			lcore_sample l;
			l.lcore = 1;
			l.has_queue = true;
			l.count = 12;
			l.size = 512;
			l.c = a.total;
			a.lcores.push_back(l);
			s->caches.push_back(a);
			cache_sample b;
			b.name = "anon-96-4";
			b.aliases = {"anon-96-5"};
			b.obj_size = 96;
			b.objects = 100;
			b.time_ns = a.time_ns;
			s->caches.push_back(b);
		}
	}
};

} // namespace

TEST(TopFormat, CacheTable)
{
	fixture f;
	auto rows = make_rows(&f.prev, f.cur);
	sort_rows(rows, sort_key::objects, false);
	auto lines = render_caches(f.app, rows, sort_key::objects, false, 1, true);
	ASSERT_GE(lines.size(), 7u);
	EXPECT_EQ(lines[0].style, line_style::title);
	EXPECT_EQ(lines[0].text, "slubq-top - app (pid 42), file prefix 'rte', DPDK 22.11.11, every 1.0 s");
	std::size_t h = 0;
	while (h < lines.size() && lines[h].style != line_style::header)
		h++;
	ASSERT_LT(h + 2, lines.size());
	EXPECT_EQ(lines[h].text, "NAME                SIZE   OBJECTS    IN USE     AVAIL   USE%     MEMORY   ALLOC/s    "
				 "FREE/s   ALIEN/s   HIT%");
	EXPECT_EQ(lines[h + 1].text, "mp:mb_pool_0        2304      8192      1024      7168   12.5   19.0 MiB      1.0M"
				     "         0         0   90.0");
	EXPECT_EQ(lines[h + 1].style, line_style::plain);
	// The merged cache is marked, and it is the selected row.
	EXPECT_EQ(lines[h + 2].text.rfind("anon-96-4 +", 0), 0u);
	EXPECT_EQ(lines[h + 2].style, line_style::selected);
	bool summary = false;
	for (const auto &l : lines)
		summary = summary || l.text.find("Caches: 2, aliases: 1") != std::string::npos;
	EXPECT_TRUE(summary);
	// Without an earlier sample, rates are "-".
	auto first = make_rows(nullptr, f.cur);
	auto plain = render_caches(f.app, first, sort_key::objects, false, -1, false);
	EXPECT_NE(plain[h].text.find(" -      -"), std::string::npos) << plain[h].text;
}

TEST(TopFormat, CacheView)
{
	fixture f;
	auto rows = make_rows(&f.prev, f.cur);
	auto lc = make_lcore_rows(&f.prev.caches[0], f.cur.caches[0]);
	auto lines = render_cache(f.app, rows[0], lc, false);
	std::string all;
	for (const auto &l : lines)
		all += l.text + "\n";
	EXPECT_NE(all.find("Cache mp:mb_pool_0: , 2304-byte objects"), std::string::npos) << all;
	EXPECT_NE(all.find("LCORE SOCKET       QUEUE   ALLOC/s"), std::string::npos) << all;
	EXPECT_NE(all.find("    1      0      12/512      1.0M"), std::string::npos) << all;
	auto alias = render_cache(f.app, rows[1], {}, false);
	EXPECT_NE(alias[1].text.find("(aliases: anon-96-5)"), std::string::npos) << alias[1].text;
	EXPECT_EQ(alias.back().text, "(no lcore has used this cache yet)");
}

TEST(TopFormat, Json)
{
	fixture f;
	auto rows = make_rows(&f.prev, f.cur);
	json j = caches_json(f.app, rows);
	EXPECT_EQ(j["pid"], 42);
	ASSERT_EQ(j["caches"].size(), 2u);
	EXPECT_EQ(j["caches"][0]["name"], "mp:mb_pool_0");
	EXPECT_EQ(j["caches"][0]["alloc_per_s"], 1000000.0);
	EXPECT_EQ(j["caches"][0]["hit_rate"], 0.9);
	EXPECT_EQ(j["caches"][1]["aliases"], json::array({"anon-96-5"}));
	EXPECT_TRUE(j["caches"][1]["hit_rate"].is_null()); // no traffic
	json none = caches_json(f.app, make_rows(nullptr, f.cur));
	EXPECT_TRUE(none["caches"][0]["alloc_per_s"].is_null());
	json one = cache_json(f.app, rows[0], make_lcore_rows(&f.prev.caches[0], f.cur.caches[0]));
	ASSERT_EQ(one["lcores"].size(), 1u);
	EXPECT_EQ(one["lcores"][0]["lcore"], 1);
	EXPECT_EQ(one["lcores"][0]["queue_size"], 512);
	EXPECT_EQ(one["lcores"][0]["alloc_per_s"], 1000000.0);
}
