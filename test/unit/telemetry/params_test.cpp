/* SPDX-License-Identifier: BSD-3-Clause */
// Parameters of the /slubq/* telemetry commands (lib/slubq/telemetry).
#include <gtest/gtest.h>
#include "telemetry/telemetry_params.hpp"

using namespace slubq::tel;

TEST(TelemetryParams, NumbersAreStrict)
{
	std::uint64_t v = 7;
	EXPECT_TRUE(parse_u64("0", v));
	EXPECT_EQ(v, 0u);
	EXPECT_TRUE(parse_u64("512", v));
	EXPECT_EQ(v, 512u);
	EXPECT_TRUE(parse_u64("0x40", v));
	EXPECT_EQ(v, 64u);
	EXPECT_TRUE(parse_u64("18446744073709551615", v));
	EXPECT_EQ(v, UINT64_MAX);
	EXPECT_TRUE(parse_u64("64k", v));
	EXPECT_EQ(v, 64u << 10);
	EXPECT_TRUE(parse_u64("3M", v));
	EXPECT_EQ(v, 3u << 20);
	EXPECT_TRUE(parse_u64("2g", v));
	EXPECT_EQ(v, std::uint64_t(2) << 30);
	v = 99;
	for (const char *bad : {"", "-1", "+1", " 1", "1 ", "1.5", "abc", "0x", "0xg", "k", "1kk", "1K2",
				"18446744073709551616", "99999999999999999999999", "17179869184g", "0x1ffffffffffffffff"}) {
		EXPECT_FALSE(parse_u64(bad, v)) << bad;
		EXPECT_EQ(v, 99u) << bad;
	}
}

TEST(TelemetryParams, EchoIsPrintableAndShort)
{
	EXPECT_EQ(echo("tel_flows"), "tel_flows");
	EXPECT_EQ(echo("a\x01\xff\"b"), "a??\"b");
	std::string long_name(100, 'x');
	std::string e = echo(long_name);
	EXPECT_EQ(e, std::string(echo_max, 'x') + "...");
	EXPECT_EQ(echo("abcdef", 3), "abc...");
	EXPECT_EQ(echo("abc", 3), "abc");
}

TEST(TelemetryParams, SplitLast)
{
	std::string_view h, t;
	ASSERT_TRUE(split_last("a,b,c", h, t));
	EXPECT_EQ(h, "a,b");
	EXPECT_EQ(t, "c");
	ASSERT_TRUE(split_last(",", h, t));
	EXPECT_EQ(h, "");
	EXPECT_EQ(t, "");
	EXPECT_FALSE(split_last("abc", h, t));
}

TEST(TelemetryParams, SetRequest)
{
	set_request r;
	std::string err;
	ASSERT_TRUE(parse_set("mp:mb_pool_0,queue=64", r, err));
	EXPECT_EQ(r.cache, "mp:mb_pool_0");
	EXPECT_EQ(r.key, "queue");
	EXPECT_EQ(r.value, "64");
	// A cache name with a comma: the last comma separates the assignment.
	ASSERT_TRUE(parse_set("odd,name,batch=8", r, err));
	EXPECT_EQ(r.cache, "odd,name");
	EXPECT_EQ(r.key, "batch");
	struct { const char *params; const char *why; } bad[] = {
		{nullptr, "usage"},          {"", "usage"},
		{"tel_flows", "usage"},      {",queue=1", "usage"},
		{"c,queue", "missing '='"},  {"c,queue=", "empty key or value"},
		{"c,=1", "empty key or value"},
	};
	for (const auto &b : bad) {
		err.clear();
		EXPECT_FALSE(parse_set(b.params, r, err)) << (b.params ? b.params : "(null)");
		EXPECT_NE(err.find(b.why), std::string::npos) << err;
		EXPECT_LT(err.size(), 128u) << "fits a telemetry string";
	}
}
