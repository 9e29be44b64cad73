/* SPDX-License-Identifier: BSD-3-Clause */
#include "pool_params.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <dlfcn.h>
#include <mutex>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include "common/log.hpp"
#include "slubq_config.h"
#include "slubq_debug.h"
#include "slubq_defaults.h"

namespace slubq_driver {

namespace {

// With cache_size 0 the lcore queue is the cache: it must hold what the
// largest rte_mempool cache holds before it flushes (1.5 x its size).
static_assert(SLUBQ_DEFAULT_QUEUE_SIZE >= RTE_MEMPOOL_CACHE_MAX_SIZE * 3 / 2);

void apply(const slubq_pool_config &cfg, slubq_cache_params &p)
{
	if (cfg.queue_size != 0) {
		p.queue_size = cfg.queue_size;
		p.batch = 0; // half the new queue unless set below
	}
	if (cfg.batch != 0)
		p.batch = cfg.batch;
	if (cfg.shared_size != 0)
		p.shared_size = cfg.shared_size;
	if (cfg.alien_size != 0)
		p.alien_size = cfg.alien_size;
	if (cfg.slab_objs != 0)
		p.slab_objs = cfg.slab_objs;
	p.flags |= cfg.flags;
}

// "poison+track+sanity" (or "none") into SLUBQ_F_* bits; false when a name
// is unknown or is red_zone (a mempool owns its slot layout).
bool parse_debug(const std::string &val, std::uint32_t &flags)
{
	if (val == "none")
		return true;
	for (std::size_t s = 0; s <= val.size();) {
		std::size_t e = std::min(val.find('+', s), val.size());
		std::uint32_t f = 0;
		if (slubq_debug_flag_from_name(val.substr(s, e - s).c_str(), &f) < 0 || (f & SLUBQ_F_RED_ZONE))
			return false;
		flags |= f;
		s = e + 1;
	}
	return true;
}

// One "key=value" of SLUBQ_MEMPOOL_CONFIG into cfg. False when malformed.
bool parse_setting(const std::string &kv, slubq_pool_config &cfg)
{
	auto eq = kv.find('=');
	if (eq == std::string::npos)
		return false;
	std::string key = kv.substr(0, eq), val = kv.substr(eq + 1);
	if (key == "debug")
		return parse_debug(val, cfg.flags);
	std::uint32_t v;
	if (key == "queue" && val == "off") {
		v = SLUBQ_QUEUE_OFF;
	} else {
		char *end = nullptr;
		errno = 0;
		unsigned long x = std::strtoul(val.c_str(), &end, 0);
		if (val.empty() || *end != '\0' || errno != 0 || x == 0 || x > SLUBQ_MAX_QUEUE * 8ul)
			return false;
		v = std::uint32_t(x);
	}
	if (key == "queue") cfg.queue_size = v;
	else if (key == "batch") cfg.batch = v;
	else if (key == "shared") cfg.shared_size = v;
	else if (key == "alien") cfg.alien_size = v;
	else if (key == "slab_objs") cfg.slab_objs = v;
	else return false;
	return true;
}

// SLUBQ_MEMPOOL_CONFIG="POOL:key=value,...;POOL2:...": entries for this pool
// (or for "*") applied in order. Keys: queue (a number or "off"), batch,
// shared, alien, slab_objs, debug (names joined by '+': poison, track,
// sanity; or none).
int apply_environment(const char *pool, slubq_cache_params &p, slubq_pool_origin &o)
{
	const char *env = std::getenv("SLUBQ_MEMPOOL_CONFIG");
	if (env == nullptr)
		return 0;
	std::string all(env);
	std::size_t pos = 0;
	while (pos <= all.size()) {
		std::size_t end = std::min(all.find(';', pos), all.size());
		std::string entry = all.substr(pos, end - pos);
		pos = end + 1;
		if (entry.empty())
			continue;
		auto colon = entry.find(':');
		bool ok = colon != std::string::npos && colon > 0;
		slubq_pool_config cfg{};
		for (std::size_t s = ok ? colon + 1 : entry.size(); ok && s < entry.size();) {
			std::size_t e = std::min(entry.find(',', s), entry.size());
			ok = parse_setting(entry.substr(s, e - s), cfg);
			s = e + 1;
		}
		if (!ok) {
			SLUBQ_LOG(ERR, "SLUBQ_MEMPOOL_CONFIG: bad entry '%s' (want POOL:key=value,... with keys "
				  "queue, batch, shared, alien, slab_objs, debug=poison+track+sanity)", entry.c_str());
			return slubq::fail(EINVAL);
		}
		std::string name = entry.substr(0, colon);
		if (name == "*" || name == pool) {
			apply(cfg, p);
			std::size_t len = std::strlen(o.env);
			std::snprintf(o.env + len, sizeof(o.env) - len, "%s%s", len ? ";" : "", entry.c_str());
		}
	}
	return 0;
}

// The configuration library (yaml-cpp, hwloc) is loaded only when a
// process asks for a deployment file: DPDK loads this plugin into every
// application of its plugin directory. By soname, so the plugin's own
// search path finds it (LD_LIBRARY_PATH, its RUNPATH, the system's).
slubq_config_mempool_rule_get_t config_library()
{
	static std::once_flag once;
	static slubq_config_mempool_rule_get_t fn;
	std::call_once(once, [] {
		void *h = dlopen(SLUBQ_CONFIG_SONAME, RTLD_NOW | RTLD_LOCAL);
		if (h == nullptr) {
			SLUBQ_LOG(ERR, "%s is set but the configuration library cannot be loaded: %s", SLUBQ_CONFIG_ENV,
				  dlerror());
			return;
		}
		fn = reinterpret_cast<slubq_config_mempool_rule_get_t>(dlsym(h, "slubq_config_mempool_rule_get"));
		if (fn == nullptr)
			SLUBQ_LOG(ERR, "%s: no slubq_config_mempool_rule_get: %s", SLUBQ_CONFIG_SONAME, dlerror());
	});
	return fn;
}

// The first rule of the file SLUBQ_CONFIG names that matches the pool.
int apply_deployment_file(const char *pool, pool_params &out)
{
	const char *path = std::getenv(SLUBQ_CONFIG_ENV);
	if (path == nullptr || path[0] == '\0')
		return 0;
	slubq_config_mempool_rule_get_t get = config_library();
	if (get == nullptr) {
		SLUBQ_LOG(ERR, "mempool %s: not created: %s=%s cannot be applied", pool, SLUBQ_CONFIG_ENV, path);
		return slubq::fail(ENOENT);
	}
	slubq_config_mempool_rule rule;
	std::uint32_t q = out.p.queue_size;
	int rc = get(path, pool, q == SLUBQ_QUEUE_OFF ? 0 : q, &rule);
	if (rc <= 0)
		return rc < 0 ? slubq::fail(-rc) : 0;
	apply(rule.cfg, out.p);
	char env[sizeof(out.origin.env)];
	std::memcpy(env, out.origin.env, sizeof(env));
	char sources[sizeof(out.origin.sources)];
	std::memcpy(sources, out.origin.sources, sizeof(sources));
	out.origin = rule.origin;
	std::memcpy(out.origin.env, env, sizeof(env));
	std::memcpy(out.origin.sources, sources, sizeof(sources));
	out.faults = rule.faults != 0;
	out.fault_every_n = rule.fault_every_n;
	out.fault_ppm = rule.fault_ppm;
	out.fault_seed = rule.fault_seed;
	return 1;
}

void add_source(slubq_pool_origin &o, const char *what)
{
	std::size_t len = std::strlen(o.sources);
	std::snprintf(o.sources + len, sizeof(o.sources) - len, "%s%s", len ? "," : "", what);
}

} // namespace

std::uint64_t page_rule(const rte_mempool *mp, std::size_t pg_sz)
{
	if ((mp->flags & RTE_MEMPOOL_F_NO_IOVA_CONTIG) || rte_eal_iova_mode() == RTE_IOVA_VA)
		return 0;
	return pg_sz;
}

bool mbuf_data_of(const rte_mempool *mp, std::uint32_t &off, std::uint32_t &len)
{
	if (mp->private_data_size < sizeof(rte_pktmbuf_pool_private))
		return false;
	auto *priv = static_cast<const rte_pktmbuf_pool_private *>(
		rte_mempool_get_priv(const_cast<rte_mempool *>(mp)));
	// rte_pktmbuf_pool_create's element: header, private area, data room.
	std::uint64_t want = sizeof(rte_mbuf) + std::uint64_t(priv->mbuf_priv_size) + priv->mbuf_data_room_size;
	if (priv->mbuf_data_room_size == 0 || mp->elt_size != want ||
	    (priv->flags & RTE_PKTMBUF_POOL_F_PINNED_EXT_BUF))
		return false;
	off = std::uint32_t(sizeof(rte_mbuf) + priv->mbuf_priv_size);
	len = priv->mbuf_data_room_size;
	return true;
}

std::uint64_t head_slack(std::uint64_t slab_size, std::uint32_t pg_shift)
{
	std::uint64_t page = pg_shift ? std::uint64_t(1) << pg_shift : 0;
	return page != 0 && page < slab_size ? slab_size - page : 0;
}

namespace {

// Without hugepages, populate_default's memzones and populate_anon's
// mappings both come with the 4 KiB page's pg_shift, and calc_mem_size
// cannot tell them apart: it keeps head_slack for an unaligned head. Then
// choose the slab size that needs least memory with that slack (a small
// pool takes small slabs rather than 2 MiB of room it never uses). With
// hugepages the core's choice stands: slabs of at most 2 MiB, no slack
// for populate_default.
void pick_with_slack(const rte_mempool *mp, slubq_cache_params &p)
{
	constexpr std::uint64_t hugepage = 2u << 20;
	std::size_t mem_page = 0;
	if (rte_mempool_get_page_size(const_cast<rte_mempool *>(mp), &mem_page) < 0 || mem_page == 0 ||
	    mem_page >= hugepage || p.slab_size != 0 || p.slab_objs != 0 || p.page_size != 0)
		return;
	std::uint32_t pg_shift = std::uint32_t(__builtin_ctzll(mem_page));
	std::uint64_t best = 0, best_bytes = 0;
	for (std::uint64_t size = 4096; size <= hugepage; size <<= 1) {
		slubq_cache_params q = p;
		q.slab_size = std::uint32_t(size);
		ssize_t bytes = slubq_cache_calc_mem_size(&q, mp->size, 0, nullptr, nullptr);
		if (bytes < 0)
			continue; // no object fits
		std::uint64_t total = std::uint64_t(bytes) + head_slack(size, pg_shift);
		if (best == 0 || total < best_bytes) {
			best = size;
			best_bytes = total;
		}
	}
	if (best != 0)
		p.slab_size = std::uint32_t(best);
}

} // namespace

int pool_params_of(const rte_mempool *mp, std::uint64_t page_size, pool_params &out)
{
	std::memset(&out, 0, sizeof(out));
	std::snprintf(out.cache_name, sizeof(out.cache_name), "mp:%s", mp->name);
	slubq_cache_params &p = out.p;
	slubq_cache_params_init(&p);
	p.name = out.cache_name;
	p.source = SLUBQ_SOURCE_FIXED;
	// rte_mempool's layout: [header | element | trailer], the object
	// pointer at the element. Slots keep the pool's alignment.
	p.slot_size = mp->header_size + mp->elt_size + mp->trailer_size;
	p.obj_offset = mp->header_size;
	p.obj_size = std::max(mp->elt_size, 1u);
	p.align = (mp->flags & RTE_MEMPOOL_F_NO_CACHE_ALIGN) ? 8 : RTE_MEMPOOL_ALIGN;
	p.page_size = page_size;
	p.socket_id = mp->socket_id;
	// The slab size that needs least memory for this many objects.
	p.expected_objs = mp->size;
	if (page_size == 0)
		p.flags |= SLUBQ_F_NO_IOVA_CONTIG;
	p.queue_size = slubq_mempool_queue_size(mp->size, mp->cache_size, rte_lcore_count());
	out.queue_is_the_cache = mp->cache_size == 0;

	add_source(out.origin, "defaults");
	if (mp->pool_config != nullptr) {
		apply(*static_cast<const slubq_pool_config *>(mp->pool_config), p);
		add_source(out.origin, "pool_config");
	}
	slubq_pool_config named;
	if (slubq_pool_config_get(mp->name, &named) == 0) {
		apply(named, p);
		add_source(out.origin, "named");
	}
	int rc = apply_deployment_file(mp->name, out);
	if (rc < 0)
		return rc;
	if (rc > 0)
		add_source(out.origin, "file");
	rc = apply_environment(mp->name, p, out.origin);
	if (rc == 0 && out.origin.env[0] != '\0')
		add_source(out.origin, "env");
	if (rc == 0 && (p.flags & SLUBQ_F_DEBUG) && !mbuf_data_of(mp, out.mbuf_data_off, out.mbuf_data_len) &&
	    (p.flags & SLUBQ_F_POISON)) {
		SLUBQ_LOG(WARNING, "mempool %s: debug poison applies to pktmbuf pools only (their data buffers); "
			  "this pool's elements are not poisoned", mp->name);
		p.flags &= ~std::uint32_t(SLUBQ_F_POISON);
	}
	if (rc == 0)
		pick_with_slack(mp, p);
	return rc;
}

} // namespace slubq_driver
