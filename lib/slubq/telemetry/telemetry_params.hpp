/* SPDX-License-Identifier: BSD-3-Clause */
// Parameters of the /slubq/* telemetry commands. Pure string handling (no
// EAL), so every malformed input is unit-tested without a running app.
// DPDK hands a command everything after its first comma as one string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace slubq::tel {

// Most characters of user input echoed back in an error message (a
// telemetry string value holds at most RTE_TEL_MAX_STRING_LEN - 1).
constexpr std::size_t echo_max = 40;

// s made safe to put in a reply: printable ASCII only (DPDK 22.11's JSON
// writer indexes a table with each char, so bytes >= 0x80 must not reach
// it), at most `max` characters, "..." when cut.
std::string echo(std::string_view s, std::size_t max = echo_max);

// A strict unsigned number: decimal or 0x hex, optionally followed by one
// binary size suffix k/K, m/M, g/G (x1024^n). No sign, no space, no junk,
// no overflow.
bool parse_u64(std::string_view s, std::uint64_t &v);

// Split at the last comma: "a,b,c" -> "a,b" and "c". False when none.
bool split_last(std::string_view s, std::string_view &head, std::string_view &tail);

// /slubq/set,<cache>,<key>=<value>: the three parts, unvalidated beyond
// being present. False and err set when the shape is wrong.
struct set_request {
	std::string cache;
	std::string key;
	std::string value;
};
bool parse_set(const char *params, set_request &req, std::string &err);

} // namespace slubq::tel
