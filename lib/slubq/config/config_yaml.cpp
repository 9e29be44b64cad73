/* SPDX-License-Identifier: BSD-3-Clause */
#include "config/config_yaml.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <tuple>

namespace slubq::config {

namespace {

const char *type_name(const YAML::Node &n)
{
	if (!n.IsDefined() || n.IsNull())
		return "nothing";
	if (n.IsMap())
		return "a map";
	if (n.IsSequence())
		return "a list";
	return "a scalar";
}

std::string lower(std::string s)
{
	for (char &c : s)
		c = char(std::tolower(static_cast<unsigned char>(c)));
	return s;
}

std::size_t edit_distance(const std::string &a, const std::string &b)
{
	std::vector<std::size_t> row(b.size() + 1);
	for (std::size_t j = 0; j <= b.size(); j++)
		row[j] = j;
	for (std::size_t i = 1; i <= a.size(); i++) {
		std::size_t diag = row[0];
		row[0] = i;
		for (std::size_t j = 1; j <= b.size(); j++) {
			std::size_t up = row[j];
			row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
			diag = up;
		}
	}
	return row[b.size()];
}

std::string join(const std::vector<std::string> &v)
{
	std::string s;
	for (const auto &x : v)
		s += (s.empty() ? "" : ", ") + x;
	return s;
}

std::string range_text(std::uint64_t lo, std::uint64_t hi)
{
	return "must be between " + std::to_string(lo) + " and " + std::to_string(hi);
}

// Bytes of a valid UTF-8 sequence starting at s[i] (2-4), or 0.
std::size_t utf8_length(const std::string &s, std::size_t i)
{
	auto u = static_cast<unsigned char>(s[i]);
	std::size_t n = u >= 0xf0 && u <= 0xf4 ? 4 : u >= 0xe0 ? 3 : u >= 0xc2 && u < 0xe0 ? 2 : 0;
	if (n == 0 || u >= 0xf5 || i + n > s.size())
		return 0;
	for (std::size_t k = 1; k < n; k++)
		if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80)
			return 0;
	return n;
}

} // namespace

std::string printable(const std::string &s)
{
	std::string out;
	for (std::size_t i = 0; i < s.size();) {
		auto u = static_cast<unsigned char>(s[i]);
		if (u >= 0x20 && u < 0x7f) {
			out += s[i++];
			continue;
		}
		std::size_t n = u >= 0x80 ? utf8_length(s, i) : 0;
		if (n != 0) {
			out.append(s, i, n);
			i += n;
			continue;
		}
		char hex[5];
		std::snprintf(hex, sizeof(hex), "\\x%02x", u);
		out += hex;
		i++;
	}
	return out;
}

std::string format_diagnostic(const std::string &file, const diagnostic &d)
{
	std::string s = printable(file);
	if (d.pos.line != 0) {
		char at[32];
		std::snprintf(at, sizeof(at), ":%u:%u", d.pos.line, d.pos.column);
		s += at;
	}
	s += ": ";
	if (!d.key.empty())
		s += printable(d.key) + ": ";
	return s + printable(d.msg);
}

void diagnostics::add(position p, std::string key, std::string msg)
{
	list_.push_back({p, std::move(key), std::move(msg)});
}

std::vector<std::string> diagnostics::format(const std::string &file) const
{
	std::vector<diagnostic> sorted = list_;
	std::stable_sort(sorted.begin(), sorted.end(), [](const diagnostic &a, const diagnostic &b) {
		return std::tie(a.pos.line, a.pos.column) < std::tie(b.pos.line, b.pos.column);
	});
	std::vector<std::string> out;
	for (const auto &d : sorted) {
		std::string line = format_diagnostic(file, d);
		if (out.empty() || out.back() != line)
			out.push_back(line);
	}
	return out;
}

position position_of(const YAML::Mark &m)
{
	if (m.is_null() || m.line < 0 || m.column < 0)
		return {};
	return {unsigned(m.line) + 1, unsigned(m.column) + 1};
}

bool parse_uint(const std::string &s, std::uint64_t &out)
{
	std::size_t i = 0;
	unsigned base = 10;
	if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i >= s.size())
		return false;
	std::uint64_t v = 0;
	for (; i < s.size(); i++) {
		int c = std::tolower(static_cast<unsigned char>(s[i]));
		unsigned digit;
		if (c >= '0' && c <= '9')
			digit = unsigned(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			digit = unsigned(c - 'a' + 10);
		else
			return false;
		if (v > (UINT64_MAX - digit) / base)
			return false;
		v = v * base + digit;
	}
	out = v;
	return true;
}

bool parse_bytes(const std::string &s, std::uint64_t &out)
{
	// Hex takes no suffix; decimal digits may be followed by a unit.
	if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_uint(s, out);
	std::size_t end = 0;
	while (end < s.size() && std::isdigit(static_cast<unsigned char>(s[end])))
		end++;
	std::string num = s.substr(0, end), unit = lower(s.substr(end));
	std::uint64_t v, mult = 1;
	if (!parse_uint(num, v))
		return false;
	if (unit.empty() || unit == "b")
		mult = 1;
	else if (unit == "k" || unit == "kb" || unit == "kib")
		mult = 1ull << 10;
	else if (unit == "m" || unit == "mb" || unit == "mib")
		mult = 1ull << 20;
	else if (unit == "g" || unit == "gb" || unit == "gib")
		mult = 1ull << 30;
	else if (unit == "t" || unit == "tb" || unit == "tib")
		mult = 1ull << 40;
	else
		return false;
	if (v > UINT64_MAX / mult)
		return false;
	out = v * mult;
	return true;
}

std::string closest_key(const std::string &key, const std::vector<std::string> &allowed)
{
	std::string best;
	std::size_t best_d = 3;
	for (const auto &a : allowed) {
		std::size_t d = edit_distance(lower(key), a);
		if (d < best_d) {
			best_d = d;
			best = a;
		}
	}
	return best;
}

fields::fields(diagnostics &d, const YAML::Node &node, std::string path, position where,
	       std::vector<std::string> allowed)
	: d_(d), path_(std::move(path)), where_(where)
{
	if (node.IsDefined() && !node.IsNull() && !node.IsMap()) {
		d_.add(position_of(node.Mark()), path_, std::string("expected a map, got ") + type_name(node));
		return;
	}
	is_map_ = true;
	if (!node.IsDefined() || node.IsNull())
		return;
	for (auto it = node.begin(); it != node.end(); ++it) {
		// Copies: it-> yields a temporary whose members must not be bound.
		YAML::Node k = it->first;
		position kp = position_of(k.Mark());
		if (!k.IsScalar()) {
			d_.add(kp, path_, std::string("a key must be a plain name, got ") + type_name(k));
			continue;
		}
		std::string key = k.Scalar();
		std::string full = path_.empty() ? key : path_ + "." + key;
		if (const entry *first = find(key)) {
			d_.add(kp, full, "duplicate key (first at line " + std::to_string(first->key_pos.line) + ")");
			continue;
		}
		if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
			std::string hint = closest_key(key, allowed);
			d_.add(kp, full,
			       "unknown key" + (hint.empty() ? " (known keys: " + join(allowed) + ")"
							     : " (did you mean '" + hint + "'?)"));
			continue;
		}
		YAML::Node v = it->second;
		position vp = v.IsNull() || !v.IsDefined() ? kp : position_of(v.Mark());
		if (vp.line == 0)
			vp = kp;
		entries_.push_back({key, v, kp, vp});
	}
}

const fields::entry *fields::find(const std::string &key) const
{
	for (const auto &e : entries_)
		if (e.key == key)
			return &e;
	return nullptr;
}

YAML::Node fields::get(const std::string &key) const
{
	const entry *e = find(key);
	return e ? e->value : YAML::Node();
}

position fields::pos(const std::string &key) const
{
	const entry *e = find(key);
	return e ? e->value_pos : where_;
}

std::string fields::path(const std::string &key) const
{
	return path_.empty() ? key : path_ + "." + key;
}

bool fields::require(const std::string &key)
{
	if (has(key))
		return true;
	d_.add(where_, path(key), "missing required key");
	return false;
}

bool fields::scalar_of(const std::string &key, std::string &out, const char *what)
{
	const entry *e = find(key);
	if (e == nullptr)
		return false;
	if (!e->value.IsScalar()) {
		d_.add(e->value_pos, path(key), std::string("expected ") + what + ", got " + type_name(e->value));
		return false;
	}
	out = e->value.Scalar();
	return true;
}

bool fields::u64(const std::string &key, std::uint64_t &out, std::uint64_t lo, std::uint64_t hi)
{
	std::string s;
	if (!scalar_of(key, s, "an integer"))
		return false;
	const entry *e = find(key);
	std::uint64_t v;
	if (e->value.Tag() == "!" || !(parse_uint(s, v) || (s.size() > 1 && s[0] == '-' && parse_uint(s.substr(1), v)))) {
		d_.add(e->value_pos, path(key), "expected an integer, got '" + s + "'");
		return false;
	}
	if (s[0] == '-' || v < lo || v > hi) {
		d_.add(e->value_pos, path(key), range_text(lo, hi) + ", got " + s);
		return false;
	}
	out = v;
	return true;
}

bool fields::u32(const std::string &key, std::uint32_t &out, std::uint64_t lo, std::uint64_t hi)
{
	std::uint64_t v;
	if (!u64(key, v, lo, std::min<std::uint64_t>(hi, UINT32_MAX)))
		return false;
	out = std::uint32_t(v);
	return true;
}

bool fields::bytes(const std::string &key, std::uint64_t &out, std::uint64_t lo, std::uint64_t hi)
{
	std::string s;
	if (!scalar_of(key, s, "a size in bytes"))
		return false;
	const entry *e = find(key);
	std::uint64_t v;
	if (e->value.Tag() == "!" || !parse_bytes(s, v)) {
		d_.add(e->value_pos, path(key), "expected a size in bytes (e.g. 4096, 64K, 2M, 1G), got '" + s + "'");
		return false;
	}
	if (v < lo || v > hi) {
		d_.add(e->value_pos, path(key), range_text(lo, hi) + " bytes, got " + s);
		return false;
	}
	out = v;
	return true;
}

bool fields::boolean(const std::string &key, bool &out)
{
	std::string s;
	if (!scalar_of(key, s, "true or false"))
		return false;
	const entry *e = find(key);
	std::string l = lower(s);
	if (e->value.Tag() != "!" && (l == "true" || l == "yes" || l == "on")) {
		out = true;
		return true;
	}
	if (e->value.Tag() != "!" && (l == "false" || l == "no" || l == "off")) {
		out = false;
		return true;
	}
	d_.add(e->value_pos, path(key), "expected true or false, got '" + s + "'");
	return false;
}

bool fields::string(const std::string &key, std::string &out)
{
	return scalar_of(key, out, "a string");
}

bool fields::uint_list(const std::string &key, std::vector<unsigned> &out, unsigned lo, unsigned hi)
{
	const entry *e = find(key);
	if (e == nullptr)
		return false;
	if (!e->value.IsSequence() || e->value.size() == 0) {
		d_.add(e->value_pos, path(key),
		       std::string("expected a non-empty list of integers, got ") +
			       (e->value.IsSequence() ? "an empty list" : type_name(e->value)));
		return false;
	}
	std::vector<unsigned> v;
	bool ok = true;
	for (std::size_t i = 0; i < e->value.size(); i++) {
		const YAML::Node &item = e->value[i];
		std::string where = path(key) + "[" + std::to_string(i) + "]";
		position p = item.IsNull() ? e->value_pos : position_of(item.Mark());
		std::uint64_t x;
		if (!item.IsScalar() || item.Tag() == "!" || !parse_uint(item.Scalar(), x)) {
			d_.add(p, where, std::string("expected an integer, got ") +
					       (item.IsScalar() ? "'" + item.Scalar() + "'" : type_name(item)));
			ok = false;
			continue;
		}
		if (x < lo || x > hi) {
			d_.add(p, where, range_text(lo, hi) + ", got " + item.Scalar());
			ok = false;
			continue;
		}
		if (std::find(v.begin(), v.end(), unsigned(x)) != v.end()) {
			d_.add(p, where, "duplicate value " + item.Scalar());
			ok = false;
			continue;
		}
		v.push_back(unsigned(x));
	}
	if (ok)
		out = v;
	return ok;
}

} // namespace slubq::config
