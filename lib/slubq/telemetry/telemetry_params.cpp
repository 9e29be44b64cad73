/* SPDX-License-Identifier: BSD-3-Clause */
#include "telemetry/telemetry_params.hpp"

#include <cstring>
#include <limits>

namespace slubq::tel {

std::string echo(std::string_view s, std::size_t max)
{
	std::string out;
	for (char ch : s) {
		if (out.size() == max) {
			out += "...";
			break;
		}
		auto u = static_cast<unsigned char>(ch);
		out += (u >= 0x20 && u < 0x7f) ? ch : '?';
	}
	return out;
}

bool parse_u64(std::string_view s, std::uint64_t &v)
{
	unsigned shift = 0;
	if (!s.empty()) {
		switch (s.back()) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: break;
		}
		if (shift)
			s.remove_suffix(1);
	}
	unsigned base = 10;
	if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s.remove_prefix(2);
	}
	if (s.empty())
		return false;
	constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
	std::uint64_t x = 0;
	for (char ch : s) {
		unsigned d;
		if (ch >= '0' && ch <= '9')
			d = unsigned(ch - '0');
		else if (base == 16 && ch >= 'a' && ch <= 'f')
			d = unsigned(ch - 'a' + 10);
		else if (base == 16 && ch >= 'A' && ch <= 'F')
			d = unsigned(ch - 'A' + 10);
		else
			return false;
		if (x > (max - d) / base)
			return false;
		x = x * base + d;
	}
	if (shift && x > (max >> shift))
		return false;
	v = x << shift;
	return true;
}

bool split_last(std::string_view s, std::string_view &head, std::string_view &tail)
{
	std::size_t comma = s.rfind(',');
	if (comma == std::string_view::npos)
		return false;
	head = s.substr(0, comma);
	tail = s.substr(comma + 1);
	return true;
}

bool parse_set(const char *params, set_request &req, std::string &err)
{
	static const char usage[] = "usage: /slubq/set,<cache>,<key>=<value>";
	std::string_view all = params ? std::string_view(params) : std::string_view();
	std::string_view cache, assign;
	if (!split_last(all, cache, assign) || cache.empty()) {
		err = usage;
		return false;
	}
	std::size_t eq = assign.find('=');
	if (eq == std::string_view::npos) {
		err = "missing '=' in '" + echo(assign) + "'; " + usage;
		return false;
	}
	std::string_view key = assign.substr(0, eq), value = assign.substr(eq + 1);
	if (key.empty() || value.empty()) {
		err = "empty key or value in '" + echo(assign) + "'; " + usage;
		return false;
	}
	req.cache = std::string(cache);
	req.key = std::string(key);
	req.value = std::string(value);
	return true;
}

} // namespace slubq::tel
