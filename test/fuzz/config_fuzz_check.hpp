/* SPDX-License-Identifier: BSD-3-Clause */
// The property every configuration input must have, whatever its bytes:
// it loads, or it fails with messages of the form "name:line:col: ..."
// (or "name: ..." for file-level problems) that point inside the text;
// and what loads dumps to YAML that loads back to the same dump.
#pragma once

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#include "config/config.hpp"

namespace config_fuzz {

// "" when the property holds, else what broke it. *loaded: it loaded.
inline std::string check(const std::string &text, const std::string &name, bool *loaded = nullptr)
{
	namespace cfg = slubq::config;
	cfg::config c;
	std::vector<std::string> errors;
	int rc = cfg::load_string(text, name, c, errors);
	if (loaded)
		*loaded = rc == 0;
	if (rc == 0) {
		if (!errors.empty())
			return "loaded but reported errors";
		std::string first = cfg::dump(c);
		cfg::config again;
		if (cfg::load_string(first, name + " (dump)", again, errors) != 0)
			return "its dump does not load: " + (errors.empty() ? std::string() : errors[0]) + "\n" + first;
		if (cfg::dump(again) != first)
			return "dump of the dump differs";
		return "";
	}
	if (rc != -EINVAL)
		return "load returned " + std::to_string(rc);
	if (errors.empty())
		return "failed without a message";
	unsigned lines = 1;
	for (char ch : text)
		lines += ch == '\n';
	for (const auto &e : errors) {
		if (e.compare(0, name.size() + 1, name + ":") != 0)
			return "message without the file name: " + e;
		const char *p = e.c_str() + name.size() + 1;
		if (*p == ' ') {
			if (p[1] == '\0')
				return "empty message: " + e;
			continue; // file-level problem
		}
		char *end;
		unsigned long line = std::strtoul(p, &end, 10);
		if (end == p || *end != ':')
			return "message without line: " + e;
		const char *q = end + 1;
		std::strtoul(q, &end, 10);
		if (end == q || std::strncmp(end, ": ", 2) != 0 || end[2] == '\0')
			return "message without column: " + e;
		if (line == 0 || line > lines + 1)
			return "line outside the text: " + e;
	}
	return "";
}

} // namespace config_fuzz
