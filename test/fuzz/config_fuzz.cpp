/* SPDX-License-Identifier: BSD-3-Clause */
// Bounded mutation fuzzing of the YAML configuration loader: the examples
// of config/ mutated (byte changes, line deletions, duplications and
// swaps, values swapped between lines, numbers pushed to extremes, keys
// misspelt, indentation broken), thousands of cases in a few seconds. No
// case may crash, and each must load or fail cleanly (config_fuzz_check.hpp).
//   slubq-config-fuzz [--cases N] [--seconds S] [--seed X] FILE.yaml...
// A crash prints the case being loaded; --seed reproduces a run.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <unistd.h>
#include "config_fuzz_check.hpp"

namespace {

// The case being loaded, for the crash handler.
const char *current_text = nullptr;
std::size_t current_len = 0;

void on_crash(int sig)
{
	static const char head[] = "\n*** crash while loading this case:\n";
	(void)!write(2, head, sizeof(head) - 1);
	if (current_text)
		(void)!write(2, current_text, current_len);
	signal(sig, SIG_DFL);
	raise(sig);
}

std::vector<std::string> split_lines(const std::string &s)
{
	std::vector<std::string> out;
	std::string line;
	std::istringstream in(s);
	while (std::getline(in, line))
		out.push_back(line);
	return out;
}

std::string join_lines(const std::vector<std::string> &v)
{
	std::string s;
	for (const auto &l : v)
		s += l + "\n";
	return s;
}

class mutator {
public:
	explicit mutator(std::uint64_t seed) : rng_(seed) {}

	std::string mutate(const std::string &in)
	{
		std::string s = in;
		unsigned n = 1 + pick(4);
		for (unsigned i = 0; i < n; i++)
			s = one(s);
		return s;
	}

private:
	unsigned pick(unsigned n) { return n ? unsigned(rng_() % n) : 0; }

	std::string one(const std::string &s)
	{
		auto lines = split_lines(s);
		if (s.empty() || lines.empty())
			return s + "x: 1\n";
		std::size_t l = pick(unsigned(lines.size()));
		switch (pick(10)) {
		case 0: { // a byte becomes a YAML-significant or random one
			static const char alphabet[] = ":-[]{},#&*!|>'\"% \t\n0123456789azAZ_.~?@`\\";
			std::string t = s;
			t[pick(unsigned(t.size()))] = pick(4) ? alphabet[pick(sizeof(alphabet) - 1)] : char(pick(256));
			return t;
		}
		case 1: // delete a line
			lines.erase(lines.begin() + long(l));
			return join_lines(lines);
		case 2: // duplicate a line (duplicate keys, duplicate names)
			lines.insert(lines.begin() + long(l), lines[l]);
			return join_lines(lines);
		case 3: // swap two lines
			std::swap(lines[l], lines[pick(unsigned(lines.size()))]);
			return join_lines(lines);
		case 4: { // take the value of another line
			std::size_t other = pick(unsigned(lines.size()));
			auto a = lines[l].find(": "), b = lines[other].find(": ");
			if (a != std::string::npos && b != std::string::npos)
				lines[l] = lines[l].substr(0, a + 2) + lines[other].substr(b + 2);
			return join_lines(lines);
		}
		case 5: { // a number pushed to an edge
			static const char *edges[] = {"0", "1", "-1", "4294967295", "4294967296", "18446744073709551616",
						      "8192", "8193", "65535", "65536", "1073741824", "0x10", "1.5", "1e9",
						      "64M", "~", "auto", "off", "\"12\"", "[]", "{}", "all"};
			std::string &line = lines[l];
			auto d = line.find_first_of("0123456789");
			if (d != std::string::npos) {
				auto e = line.find_first_not_of("0123456789", d);
				line = line.substr(0, d) + edges[pick(sizeof(edges) / sizeof(*edges))] +
				       (e == std::string::npos ? "" : line.substr(e));
			}
			return join_lines(lines);
		}
		case 6: { // misspell a key
			std::string &line = lines[l];
			auto colon = line.find(':');
			if (colon != std::string::npos && colon > 0) {
				std::size_t at = pick(unsigned(colon));
				if (pick(2))
					line.erase(at, 1);
				else
					line.insert(at, 1, char('a' + pick(26)));
			}
			return join_lines(lines);
		}
		case 7: { // indentation
			std::string &line = lines[l];
			if (pick(2) && line.size() >= 2 && line[0] == ' ')
				line.erase(0, 2);
			else
				line.insert(0, pick(2) ? "  " : " ");
			return join_lines(lines);
		}
		case 8: { // a line of another example-like shape
			static const char *extra[] = {"  - name: x", "    sockets: all", "topology: {mode: map, map: {0: [0]}}",
						      "  synthetic: \"package:3 core:3 pu:3\"", "pools: []", "caches:",
						      "    count: auto", "  lcores: [0, 1, 2, 3, 200]", "---", "&a [*a]",
						      "    debug: [red_zone, poison]", "  ports: [{socket: 1}]"};
			lines.insert(lines.begin() + long(l), extra[pick(sizeof(extra) / sizeof(*extra))]);
			return join_lines(lines);
		}
		default: { // truncate
			return s.substr(0, pick(unsigned(s.size())));
		}
		}
	}

	std::mt19937_64 rng_;
};

std::string read_file(const char *path)
{
	std::ifstream in(path, std::ios::binary);
	std::ostringstream b;
	b << in.rdbuf();
	return b.str();
}

} // namespace

int main(int argc, char **argv)
{
	unsigned long max_cases = 20000;
	double seconds = 15;
	std::uint64_t seed = std::random_device{}();
	std::vector<std::string> seeds;
	for (int i = 1; i < argc; i++) {
		std::string a = argv[i];
		if (a == "--cases" && i + 1 < argc)
			max_cases = std::strtoul(argv[++i], nullptr, 10);
		else if (a == "--seconds" && i + 1 < argc)
			seconds = std::strtod(argv[++i], nullptr);
		else if (a == "--seed" && i + 1 < argc)
			seed = std::strtoull(argv[++i], nullptr, 0);
		else
			seeds.push_back(read_file(argv[i]));
	}
	if (seeds.empty()) {
		std::fprintf(stderr, "usage: %s [--cases N] [--seconds S] [--seed X] FILE.yaml...\n", argv[0]);
		return 2;
	}
	std::signal(SIGSEGV, on_crash);
	std::signal(SIGABRT, on_crash);
	std::signal(SIGBUS, on_crash);
	std::signal(SIGFPE, on_crash);
	std::printf("seed %llu\n", (unsigned long long)seed);
	mutator m(seed);
	auto start = std::chrono::steady_clock::now();
	unsigned long cases = 0, loaded = 0;
	for (; cases < max_cases; cases++) {
		double spent = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
		if (spent > seconds)
			break;
		std::string text = m.mutate(seeds[cases % seeds.size()]);
		current_text = text.data();
		current_len = text.size();
		bool ok = false;
		auto t0 = std::chrono::steady_clock::now();
		std::string broken = config_fuzz::check(text, "case.yaml", &ok);
		double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
		if (broken.empty() && took > 2.0)
			broken = "took " + std::to_string(took) + " s";
		if (!broken.empty()) {
			std::printf("case %lu (seed %llu) breaks the property: %s\n--- input ---\n%s--- end ---\n", cases,
				    (unsigned long long)seed, broken.c_str(), text.c_str());
			return 1;
		}
		loaded += ok;
	}
	double spent = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
	std::printf("%lu cases in %.1f s: %lu loaded, %lu failed cleanly\n", cases, spent, loaded, cases - loaded);
	if (cases < 1000) {
		std::printf("too few cases in the time budget (loading is too slow?)\n");
		return 1;
	}
	return 0;
}
