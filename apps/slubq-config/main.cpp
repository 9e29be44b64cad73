/* SPDX-License-Identifier: BSD-3-Clause */
// slubq-config: check, size, show and dump a slubq deployment configuration
// (docs/config.md). Runs without the EAL.
//   slubq-config validate FILE     problems as file:line:col: key: message
//   slubq-config size FILE         objects, bytes and hugepages per pool and socket
//   slubq-config size FILE --app testpmd|l2fwd|generic [--pool NAME] [--mbcache N]
//                                  a stock application's pool and its arguments
//   slubq-config topology [FILE]   the topology slubq will see
//   slubq-config dump FILE         the effective configuration as YAML
// Exit status: 0 fine, 1 invalid input, 2 usage error.
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>
#include <slubq_config.h>
#include "stock_sizing.hpp"

namespace {

constexpr int exit_ok = 0, exit_invalid = 1, exit_usage = 2;

int usage(FILE *out, int rc)
{
	std::fprintf(out,
		     "usage: slubq-config COMMAND [FILE]\n"
		     "  validate FILE     check FILE; problems as file:line:col: key: message\n"
		     "  size FILE         objects, bytes and hugepages per pool and socket\n"
		     "  size FILE --app testpmd|l2fwd|generic [--pool NAME] [--mbcache N]\n"
		     "                    the mbuf pool a stock application needs under SLUBQ_CONFIG=FILE\n"
		     "                    (its mempools: rule, every queue full) and the arguments that give it\n"
		     "  topology [FILE]   the topology slubq will see (this machine without FILE)\n"
		     "  dump FILE         the effective configuration (defaults filled in) as YAML\n"
		     "exit status: 0 fine, 1 invalid input, 2 usage error\n");
	return rc;
}

struct config_handle {
	slubq_config *cfg = nullptr;
	~config_handle() { slubq_config_free(cfg); }
};

// Load FILE, printing its problems. False when it does not load.
bool load(const char *path, config_handle &h)
{
	std::vector<char> err(64 * 1024);
	if (slubq_config_load_file(path, &h.cfg, err.data(), err.size()) < 0) {
		std::fputs(err.data(), stderr);
		return false;
	}
	return true;
}

void print_warnings(const slubq_config *cfg)
{
	int n = slubq_config_warnings(cfg, nullptr, 0);
	if (n <= 0)
		return;
	std::vector<char> buf(64 * 1024);
	slubq_config_warnings(cfg, buf.data(), buf.size());
	std::string all(buf.data());
	for (std::size_t pos = 0; pos < all.size();) {
		std::size_t end = all.find('\n', pos);
		std::fprintf(stderr, "warning: %s\n", all.substr(pos, end - pos).c_str());
		pos = end == std::string::npos ? all.size() : end + 1;
	}
}

std::string mib(std::uint64_t bytes)
{
	char b[32];
	std::snprintf(b, sizeof(b), "%.2f MiB", double(bytes) / (1 << 20));
	return b;
}

int cmd_validate(const char *path)
{
	config_handle h;
	if (!load(path, h))
		return exit_invalid;
	slubq_config_topology t;
	slubq_config_topology_get(h.cfg, &t);
	std::printf("%s: valid (%u socket(s), %u cache(s), %u pool(s), %u mempool rule(s))\n", path, t.nr_sockets,
		    slubq_config_cache_count(h.cfg), slubq_config_pool_count(h.cfg),
		    slubq_config_mempool_rule_count(h.cfg));
	print_warnings(h.cfg);
	return exit_ok;
}

void print_row(const char *kind, const std::string &name, unsigned socket, const slubq_config_estimate &e)
{
	std::printf("%-5s %-20s %6u %10" PRIu64 " %9" PRIu64 " %9" PRIu64 " %8" PRIu64 " %7" PRIu64 " %8" PRIu64
		    " %6" PRIu64 " %10" PRIu64 " %6u %7u %6u %14" PRIu64 " %12s %9" PRIu64 "\n",
		    kind, name.c_str(), socket, e.count, e.rx_objs, e.tx_objs, e.queue_objs, e.burst_objs, e.ring_objs,
		    e.alien_objs, e.need, e.slot_size, e.slab_size >> 10, e.slab_objs, e.total_bytes,
		    mib(e.total_bytes).c_str(), e.hugepages);
}

int cmd_size(const char *path)
{
	config_handle h;
	if (!load(path, h))
		return exit_invalid;
	slubq_config_topology t;
	slubq_config_topology_get(h.cfg, &t);
	slubq_config_sizing sz;
	slubq_config_sizing_get(h.cfg, -1, &sz);
	std::printf("%s: %u socket(s), hugepages of %" PRIu64 " KiB, headroom %u%%\n", path, t.nr_sockets,
		    sz.hugepage_size >> 10, sz.headroom_pct);
	std::printf("%-5s %-20s %6s %10s %9s %9s %8s %7s %8s %6s %10s %6s %7s %6s %14s %12s %9s\n", "kind", "name",
		    "socket", "objects", "rx", "tx", "queues", "bursts", "rings", "alien", "need", "slot", "slabKiB",
		    "/slab", "bytes", "", "hugepages");
	std::vector<std::uint64_t> bytes(t.nr_sockets, 0), pages(t.nr_sockets, 0);
	for (unsigned i = 0; i < slubq_config_pool_count(h.cfg); i++) {
		slubq_config_pool p;
		slubq_config_pool_get(h.cfg, i, &p);
		for (unsigned k = 0; k < p.nr_sockets; k++) {
			slubq_config_estimate e;
			char name[64];
			unsigned s = unsigned(p.sockets[k]);
			if (slubq_config_pool_estimate(h.cfg, i, s, &e) < 0 ||
			    slubq_config_mempool_name(h.cfg, i, s, name, sizeof(name)) < 0)
				continue;
			print_row("pool", name, s, e);
			bytes[s] += e.total_bytes;
			pages[s] += e.hugepages;
		}
	}
	for (unsigned i = 0; i < slubq_config_cache_count(h.cfg); i++) {
		slubq_cache_params cp;
		slubq_config_cache_params(h.cfg, i, &cp);
		for (unsigned s = 0; s < t.nr_sockets; s++) {
			slubq_config_estimate e;
			if (slubq_config_cache_estimate(h.cfg, i, s, &e) < 0)
				continue;
			print_row("cache", cp.name, s, e);
			bytes[s] += e.total_bytes;
			pages[s] += e.hugepages;
		}
	}
	for (unsigned s = 0; s < t.nr_sockets; s++)
		std::printf("total socket %u: %" PRIu64 " bytes (%s), %" PRIu64 " hugepages\n", s, bytes[s],
			    mib(bytes[s]).c_str(), pages[s]);
	print_warnings(h.cfg);
	return exit_ok;
}

int cmd_topology(const char *path)
{
	config_handle h;
	if (path != nullptr && !load(path, h))
		return exit_invalid;
	int n = slubq_config_topology_describe(h.cfg, nullptr, 0);
	if (n < 0) {
		std::fprintf(stderr, "slubq-config: cannot describe the topology\n");
		return exit_invalid;
	}
	std::vector<char> buf(std::size_t(n) + 1);
	slubq_config_topology_describe(h.cfg, buf.data(), buf.size());
	std::fputs(buf.data(), stdout);
	return exit_ok;
}

int cmd_dump(const char *path)
{
	config_handle h;
	if (!load(path, h))
		return exit_invalid;
	int n = slubq_config_dump(h.cfg, nullptr, 0);
	std::vector<char> buf(std::size_t(n) + 1);
	slubq_config_dump(h.cfg, buf.data(), buf.size());
	std::fputs(buf.data(), stdout);
	return exit_ok;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr, exit_usage);
	std::string cmd = argv[1];
	if (cmd == "-h" || cmd == "--help" || cmd == "help")
		return usage(stdout, exit_ok);
	const char *file = argc > 2 ? argv[2] : nullptr;
	if (cmd == "size" && argc > 3) {
		stock_options opt;
		for (int i = 3; i < argc; i++) {
			std::string a = argv[i];
			if (i + 1 >= argc) {
				std::fprintf(stderr, "slubq-config: %s needs a value\n", a.c_str());
				return usage(stderr, exit_usage);
			}
			std::string v = argv[++i];
			char *end = nullptr;
			if (a == "--app" && (v == "testpmd" || v == "l2fwd" || v == "generic")) {
				opt.app = v;
			} else if (a == "--pool" && !v.empty()) {
				opt.pool = v;
			} else if (a == "--mbcache" && (opt.mbcache = int(std::strtol(v.c_str(), &end, 10)), *end == '\0') &&
				   opt.mbcache >= 0 && opt.mbcache <= 512) {
			} else {
				std::fprintf(stderr, "slubq-config: bad option %s %s\n", a.c_str(), v.c_str());
				return usage(stderr, exit_usage);
			}
		}
		if (opt.app.empty()) {
			std::fprintf(stderr, "slubq-config: --pool and --mbcache go with --app\n");
			return usage(stderr, exit_usage);
		}
		config_handle h;
		if (!load(file, h))
			return exit_invalid;
		return stock_size(file, h.cfg, opt);
	}
	if (argc > 3) {
		std::fprintf(stderr, "slubq-config: too many arguments\n");
		return usage(stderr, exit_usage);
	}
	if (cmd == "topology")
		return cmd_topology(file);
	if (file == nullptr && (cmd == "validate" || cmd == "size" || cmd == "dump")) {
		std::fprintf(stderr, "slubq-config: %s needs a FILE\n", cmd.c_str());
		return usage(stderr, exit_usage);
	}
	if (cmd == "validate")
		return cmd_validate(file);
	if (cmd == "size")
		return cmd_size(file);
	if (cmd == "dump")
		return cmd_dump(file);
	std::fprintf(stderr, "slubq-config: unknown command '%s'\n", cmd.c_str());
	return usage(stderr, exit_usage);
}
