/* SPDX-License-Identifier: BSD-3-Clause */
#include "sampler.hpp"

#include <algorithm>
#include <fstream>

namespace slubq_top {

namespace {

bool is_unknown_cache(const command_error &e) { return std::string(e.what()).rfind("unknown cache", 0) == 0; }

} // namespace

snapshot take_snapshot(telemetry_client &client, const std::string &only)
{
	json names = client.query("/slubq/list");
	if (!names.is_array())
		throw command_error("the application does not answer /slubq/list: is libslubq loaded "
				    "(e.g. -d librte_mempool_slubq.so)?");
	snapshot snap;
	std::vector<std::pair<std::string, std::string>> aliases; // alias, cache
	for (const auto &n : names) {
		std::string name = n.get<std::string>();
		if (!only.empty() && name != only)
			continue;
		try {
			json info = client.query("/slubq/info," + name);
			std::string cache = info.at("cache").get<std::string>();
			if (cache != name) {
				aliases.emplace_back(name, cache);
				if (only.empty())
					continue;
				// Asked for an alias: show the cache it names.
				info = client.query("/slubq/info," + cache);
			}
			json stats = client.query("/slubq/stats," + cache);
			snap.caches.push_back(sample_from_json(info, stats));
		} catch (const command_error &e) {
			if (!is_unknown_cache(e))
				throw;
		}
	}
	for (const auto &[alias, cache] : aliases)
		for (auto &c : snap.caches)
			if (c.name == cache)
				c.aliases.push_back(alias);
	for (auto &c : snap.caches)
		std::sort(c.aliases.begin(), c.aliases.end());
	return snap;
}

app_info describe_app(const telemetry_client &client, const std::string &prefix, double interval)
{
	app_info a;
	a.prefix = prefix;
	a.interval = interval;
	const json &g = client.greeting();
	a.pid = g.value("pid", 0L);
	a.version = g.value("version", std::string("?"));
	// argv[0] of the application (comm is cut at 15 characters).
	std::ifstream cmdline("/proc/" + std::to_string(a.pid) + "/cmdline");
	std::string argv0;
	if (std::getline(cmdline, argv0, '\0') && !argv0.empty())
		a.app = argv0.substr(argv0.rfind('/') + 1);
	return a;
}

} // namespace slubq_top
