/* SPDX-License-Identifier: BSD-3-Clause */
// Text and JSON views of slubq-top's rows. Pure functions (unit-tested);
// the terminal code only paints the lines these return.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include "top_model.hpp"

namespace slubq_top {

// 1234, 12.3K, 4.56M, 7.89G (base 1000); "-" for a negative value.
std::string human_count(double v);
// 512 B, 12.0 KiB, 35.2 MiB, 1.5 GiB.
std::string human_bytes(std::uint64_t v);
// 99.8 (a fraction as a percentage), "-" when empty.
std::string percent(std::optional<double> fraction);

// What the header says about the application.
struct app_info {
	std::string prefix;
	std::string app = "?"; // program name
	std::string version;  // DPDK version from the greeting
	long pid = 0;
	double interval = 1;  // seconds between samples
};

enum class line_style { plain, title, header, selected };
struct line {
	std::string text;
	line_style style = line_style::plain;
};

// The cache list: title, summary, key help, column header, one row per
// cache. selected: index into rows to highlight (-1: none).
std::vector<line> render_caches(const app_info &app, const std::vector<cache_row> &rows, sort_key key, bool reverse,
				int selected, bool help);
// One cache: its settings, its nodes and one row per lcore.
std::vector<line> render_cache(const app_info &app, const cache_row &row, const std::vector<lcore_row> &lcores,
			       bool help);

json caches_json(const app_info &app, const std::vector<cache_row> &rows);
json cache_json(const app_info &app, const cache_row &row, const std::vector<lcore_row> &lcores);

} // namespace slubq_top
