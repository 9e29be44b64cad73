/* SPDX-License-Identifier: BSD-3-Clause */
// Strict reading of YAML maps: every key must be known, appear once and
// hold a value of the right type and range. Each problem becomes one
// "file:line:col: key: message" (1-based, as editors count).
#pragma once

#include <cstdint>
#include <string>
#include <vector>
#include <yaml-cpp/yaml.h>
#include "config/config_model.hpp"

namespace slubq::config {

struct diagnostic {
	position pos;
	std::string key;   // "caches[0].batch"; empty for file-level problems
	std::string msg;
};

// "file:line:col: key: message" (parts that are unknown are left out),
// through printable(): bytes from the file never reach a terminal raw.
std::string format_diagnostic(const std::string &file, const diagnostic &d);
// s with control bytes and bytes that are not UTF-8 as \xNN (a NUL, a
// stray 0xb7); printable ASCII and valid UTF-8 unchanged.
std::string printable(const std::string &s);

// Errors of one load, in file order when formatted.
class diagnostics {
public:
	void add(position p, std::string key, std::string msg);
	bool empty() const { return list_.empty(); }
	std::size_t size() const { return list_.size(); }
	// Sorted by position, one per line.
	std::vector<std::string> format(const std::string &file) const;

private:
	std::vector<diagnostic> list_;
};

position position_of(const YAML::Mark &m);

// A YAML map checked against its allowed keys. Problems with the map
// itself (not a map, unknown, duplicate or non-scalar keys) are reported
// on construction; the getters report values of the wrong type or range
// and leave `out` unchanged then.
class fields {
public:
	fields(diagnostics &d, const YAML::Node &node, std::string path, position where,
	       std::vector<std::string> allowed);

	bool is_map() const { return is_map_; }
	bool has(const std::string &key) const { return find(key) != nullptr; }
	// The value (null node when absent).
	YAML::Node get(const std::string &key) const;
	// Position of the value (of the key when the value is empty).
	position pos(const std::string &key) const;
	position where() const { return where_; }
	std::string path(const std::string &key) const;
	const std::string &path() const { return path_; }

	// Missing key: "missing required key".
	bool require(const std::string &key);
	bool u32(const std::string &key, std::uint32_t &out, std::uint64_t lo, std::uint64_t hi);
	bool u64(const std::string &key, std::uint64_t &out, std::uint64_t lo, std::uint64_t hi);
	// Bytes, with an optional K/M/G (KiB/MiB/GiB) suffix.
	bool bytes(const std::string &key, std::uint64_t &out, std::uint64_t lo, std::uint64_t hi);
	bool boolean(const std::string &key, bool &out);
	bool string(const std::string &key, std::string &out);
	// A non-empty list of distinct integers in [lo, hi].
	bool uint_list(const std::string &key, std::vector<unsigned> &out, unsigned lo, unsigned hi);

	diagnostics &diag() { return d_; }

private:
	struct entry {
		std::string key;
		YAML::Node value;
		position key_pos, value_pos;
	};
	const entry *find(const std::string &key) const;
	bool scalar_of(const std::string &key, std::string &out, const char *what);

	diagnostics &d_;
	std::string path_;
	position where_;
	bool is_map_ = false;
	std::vector<entry> entries_;
};

// Scalar parsing shared by the readers: decimal or 0x hex, no sign.
bool parse_uint(const std::string &s, std::uint64_t &out);
// "64M", "1GiB", "4096".
bool parse_bytes(const std::string &s, std::uint64_t &out);
// The closest allowed key within a small edit distance, or "".
std::string closest_key(const std::string &key, const std::vector<std::string> &allowed);

} // namespace slubq::config
