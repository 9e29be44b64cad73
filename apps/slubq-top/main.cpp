/* SPDX-License-Identifier: BSD-3-Clause */
// slubq-top: a slabtop-like live view of the slubq caches of a running DPDK
// application, read through its telemetry socket (/slubq/* commands).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <getopt.h>
#include <string>
#include <thread>
#include <unistd.h>
#include "live_view.hpp"
#include "sampler.hpp"
#include "telemetry_client.hpp"
#include "terminal.hpp"
#include "top_format.hpp"
#include "top_model.hpp"

using namespace slubq_top;

namespace {

struct options {
	std::string prefix = "rte";
	int instance = 0;
	std::string socket;
	bool once = false;
	bool json = false;
	long iterations = 0;       // 0 = until stopped
	double interval = 1.0;
	sort_key sort = sort_key::objects;
	bool reverse = false;
	std::string cache;         // per-lcore view of this cache
};

void usage(FILE *to)
{
	std::fprintf(to,
		     "usage: slubq-top [options]\n"
		     "Live view of the slubq caches of a running DPDK application (DPDK telemetry).\n\n"
		     "  -f, --file-prefix P   the application's --file-prefix (default rte)\n"
		     "  -i, --instance N      the Nth process sharing that prefix (socket dpdk_telemetry.v2:N)\n"
		     "      --socket PATH     connect to this telemetry socket instead\n"
		     "  -d, --interval S      seconds between samples (default 1; at least 0.1)\n"
		     "  -s, --sort KEY        name size objects inuse avail memory alloc free alien hit\n"
		     "                        (or its key letter: n s o u v m a f r h); default objects\n"
		     "  -R, --reverse         reverse the sort order\n"
		     "  -c, --cache NAME      show one cache per lcore\n"
		     "      --once            print one table (two samples, --interval apart) and exit\n"
		     "      --json            print JSON instead of a table (implies batch mode)\n"
		     "  -n, --iterations N    batch mode: print N times, then exit\n"
		     "  -h, --help            this text\n\n"
		     "Keys in the live view: o u v m s n a f r h sort, R reverse, Up/Down select,\n"
		     "Enter or l: per-lcore view of the selected cache, Esc/b: back, +/-: interval, q: quit.\n");
}

bool parse_options(int argc, char **argv, options &o)
{
	enum { opt_socket = 256, opt_once, opt_json };
	static const option longs[] = {
		{"file-prefix", required_argument, nullptr, 'f'}, {"instance", required_argument, nullptr, 'i'},
		{"socket", required_argument, nullptr, opt_socket}, {"interval", required_argument, nullptr, 'd'},
		{"sort", required_argument, nullptr, 's'},        {"reverse", no_argument, nullptr, 'R'},
		{"cache", required_argument, nullptr, 'c'},       {"once", no_argument, nullptr, opt_once},
		{"json", no_argument, nullptr, opt_json},         {"iterations", required_argument, nullptr, 'n'},
		{"help", no_argument, nullptr, 'h'},              {nullptr, 0, nullptr, 0},
	};
	for (int ch; (ch = getopt_long(argc, argv, "f:i:d:s:Rc:n:h", longs, nullptr)) != -1;) {
		char *end = nullptr;
		switch (ch) {
		case 'f': o.prefix = optarg; break;
		case 'i':
			o.instance = int(std::strtol(optarg, &end, 10));
			if (*end != '\0' || o.instance < 0) {
				std::fprintf(stderr, "slubq-top: bad --instance '%s'\n", optarg);
				return false;
			}
			break;
		case opt_socket: o.socket = optarg; break;
		case 'd':
			o.interval = std::strtod(optarg, &end);
			if (*end != '\0' || !std::isfinite(o.interval) || o.interval < 0.1 || o.interval > 3600) {
				std::fprintf(stderr, "slubq-top: --interval must be 0.1..3600 seconds, not '%s'\n", optarg);
				return false;
			}
			break;
		case 's':
			if (auto k = sort_key_from_name(optarg)) {
				o.sort = *k;
			} else {
				std::fprintf(stderr, "slubq-top: unknown sort key '%s'\n", optarg);
				return false;
			}
			break;
		case 'R': o.reverse = true; break;
		case 'c': o.cache = optarg; break;
		case opt_once: o.once = true; break;
		case opt_json: o.json = true; break;
		case 'n':
			o.iterations = std::strtol(optarg, &end, 10);
			if (*end != '\0' || o.iterations < 1) {
				std::fprintf(stderr, "slubq-top: --iterations must be a positive number\n");
				return false;
			}
			break;
		case 'h': usage(stdout); std::exit(0);
		default: return false;
		}
	}
	if (optind < argc) {
		std::fprintf(stderr, "slubq-top: unexpected argument '%s'\n", argv[optind]);
		return false;
	}
	if (o.once)
		o.iterations = 1;
	return true;
}

void sleep_interval(double seconds)
{
	auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
	while (!stop_requested() && std::chrono::steady_clock::now() < until)
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

std::string plain_text(const std::vector<line> &lines)
{
	std::string s;
	for (const auto &l : lines)
		s += l.text + "\n";
	return s;
}

// --once, --json, --iterations or output that is not a terminal.
int run_batch(const options &o, telemetry_client &client)
{
	install_stop_handlers();
	app_info app = describe_app(client, o.prefix, o.interval);
	snapshot prev = take_snapshot(client, o.cache);
	for (long printed = 0; o.iterations == 0 || printed < o.iterations; printed++) {
		sleep_interval(o.interval);
		if (stop_requested())
			break;
		snapshot cur = take_snapshot(client, o.cache);
		auto rows = make_rows(&prev, cur);
		sort_rows(rows, o.sort, o.reverse);
		if (!o.cache.empty()) {
			const cache_sample *s = cur.find(o.cache);
			if (s == nullptr) {
				std::fprintf(stderr, "slubq-top: no cache named '%s' (see /slubq/list)\n", o.cache.c_str());
				return 1;
			}
			cache_row row{s, {}};
			for (const auto &r : rows)
				if (r.s == s)
					row = r;
			auto lcores = make_lcore_rows(prev.find(o.cache), *s);
			if (o.json)
				std::printf("%s\n", cache_json(app, row, lcores).dump(2).c_str());
			else
				std::printf("%s\n", plain_text(render_cache(app, row, lcores, false)).c_str());
		} else if (o.json) {
			std::printf("%s\n", caches_json(app, rows).dump(2).c_str());
		} else {
			std::printf("%s\n", plain_text(render_caches(app, rows, o.sort, o.reverse, -1, false)).c_str());
		}
		std::fflush(stdout);
		prev = std::move(cur);
	}
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	options o;
	if (!parse_options(argc, argv, o)) {
		usage(stderr);
		return 2;
	}
	std::string path = o.socket.empty() ? telemetry_socket_path(o.prefix, o.instance) : o.socket;
	telemetry_client client;
	try {
		client.connect(path);
		bool batch = o.iterations > 0 || o.json || !isatty(STDOUT_FILENO);
		if (batch)
			return run_batch(o, client);
		return run_live_view(client, describe_app(client, o.prefix, o.interval), o.sort, o.reverse, o.cache);
	} catch (const connection_error &e) {
		std::fprintf(stderr, "slubq-top: %s\n(is a DPDK application running with --file-prefix %s and telemetry on?)\n",
			     e.what(), o.prefix.c_str());
	} catch (const std::exception &e) {
		std::fprintf(stderr, "slubq-top: %s\n", e.what());
	}
	return 1;
}
