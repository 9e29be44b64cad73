/* SPDX-License-Identifier: BSD-3-Clause */
// Telemetry commands for debugging (docs/telemetry.md, docs/debugging.md):
//
//   /slubq/leaks,<cache>    objects still allocated, and the oldest of them
//                           with the lcore and code that allocated them
//   /slubq/verify,<cache>   run slubq_cache_verify: problems, first lines
//
// Both walk the whole cache under its node locks: for a debugging session,
// not for a monitoring loop.
#include <cinttypes>
#include <cstdio>
#include <string>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_memzone.h>
#include <rte_telemetry.h>
#include <dlfcn.h>
#include "registry/registry.hpp"
#include "debug/slubq_debug.h"
#include "telemetry/telemetry_params.hpp"

namespace slubq::tel {
namespace {

constexpr unsigned leaks_listed = 16;
constexpr unsigned verify_lines = 10;
constexpr std::size_t verify_buf = 16 * 1024;

int reply_error(rte_tel_data *d, const std::string &msg)
{
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "error", msg.c_str());
	return 0;
}

// The cache named exactly by params, or an error reply. Reading never
// creates the registry.
slubq_cache *cache_named(const char *params, rte_tel_data *d)
{
	std::string name = params ? params : "";
	slubq_cache *c = nullptr;
	if (name.empty()) {
		reply_error(d, "missing cache name (see /slubq/list)");
		return nullptr;
	}
	if (name.size() < SLUBQ_NAMESIZE && rte_memzone_lookup(registry_mz_name) != nullptr)
		c = slubq_cache_lookup(name.c_str());
	if (c == nullptr)
		reply_error(d, "unknown cache '" + echo(name) + "' (see /slubq/list)");
	return c;
}

// "symbol+0x1c" (or the bare address) and the object file's name.
void add_caller(rte_tel_data *e, std::uintptr_t caller)
{
	rte_tel_data_add_dict_u64(e, "alloc_caller", caller);
	Dl_info info;
	if (caller == 0 || dladdr(reinterpret_cast<void *>(caller), &info) == 0)
		return;
	char sym[RTE_TEL_MAX_STRING_LEN];
	if (info.dli_sname != nullptr) {
		std::snprintf(sym, sizeof(sym), "%s+%#" PRIxPTR, info.dli_sname,
			      caller - reinterpret_cast<std::uintptr_t>(info.dli_saddr));
		rte_tel_data_add_dict_string(e, "alloc_symbol", echo(sym, sizeof(sym) - 1).c_str());
	}
	if (info.dli_fname != nullptr && info.dli_fname[0] != '\0')
		rte_tel_data_add_dict_string(e, "alloc_file", echo(info.dli_fname, sizeof(sym) - 1).c_str());
}

int cmd_leaks(const char *, const char *params, rte_tel_data *d)
{
	slubq_cache *c = cache_named(params, d);
	if (c == nullptr)
		return 0;
	slubq_leak v[leaks_listed];
	std::uint64_t out = 0;
	int k = slubq_cache_leaks(c, v, leaks_listed, &out);
	if (k == -ENOTSUP)
		return reply_error(d, "cache has no debug records: create it with debug track (YAML debug: [track], "
				      "SLUBQ_MEMPOOL_CONFIG POOL:debug=track)");
	if (k < 0)
		return reply_error(d, std::string("leaks: ") + rte_strerror(-k));
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", params);
	rte_tel_data_add_dict_u64(d, "objects_out", out);
	rte_tel_data_add_dict_u64(d, "listed", std::uint64_t(k));
	const std::uint64_t now = rte_rdtsc(), hz = rte_get_tsc_hz();
	for (int i = 0; i < k; i++) {
		rte_tel_data *e = rte_tel_data_alloc();
		if (e == nullptr)
			break;
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_u64(e, "obj", reinterpret_cast<std::uintptr_t>(v[i].obj));
		if (v[i].alloc_lcore == LCORE_ID_ANY)
			rte_tel_data_add_dict_string(e, "alloc_lcore", "non-EAL thread");
		else
			rte_tel_data_add_dict_int(e, "alloc_lcore", int(v[i].alloc_lcore));
		add_caller(e, v[i].alloc_caller);
		if (v[i].alloc_tsc != 0)
			rte_tel_data_add_dict_u64(e, "alloc_us_ago", (now - v[i].alloc_tsc) * 1000000 / hz);
		char key[24];
		std::snprintf(key, sizeof(key), "oldest_%d", i + 1);
		if (rte_tel_data_add_dict_container(d, key, e, 0) < 0)
			rte_tel_data_free(e);
	}
	return 0;
}

int cmd_verify(const char *, const char *params, rte_tel_data *d)
{
	slubq_cache *c = cache_named(params, d);
	if (c == nullptr)
		return 0;
	std::string buf(verify_buf, '\0');
	int problems = slubq_cache_verify(c, buf.data(), buf.size());
	if (problems < 0)
		return reply_error(d, std::string("verify: ") + rte_strerror(-problems));
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", params);
	rte_tel_data_add_dict_int(d, "problems", problems);
	rte_tel_data *lines = rte_tel_data_alloc();
	if (lines == nullptr)
		return 0;
	rte_tel_data_start_array(lines, RTE_TEL_STRING_VAL);
	std::size_t pos = 0;
	for (unsigned n = 0; n < verify_lines && pos < buf.size() && buf[pos] != '\0'; n++) {
		std::size_t end = buf.find('\n', pos);
		if (end == std::string::npos)
			end = buf.find('\0', pos);
		rte_tel_data_add_array_string(lines, echo(buf.substr(pos, end - pos), RTE_TEL_MAX_STRING_LEN - 4).c_str());
		pos = end + 1;
	}
	if (rte_tel_data_add_dict_container(d, "first", lines, 0) < 0)
		rte_tel_data_free(lines);
	return 0;
}

} // namespace
} // namespace slubq::tel

RTE_INIT(slubq_telemetry_debug_register)
{
	using namespace slubq::tel;
	rte_telemetry_register_cmd("/slubq/leaks", cmd_leaks,
				   "Objects still allocated; the 16 oldest with lcore and caller (debug track). Parameter: cache");
	rte_telemetry_register_cmd("/slubq/verify", cmd_verify,
				   "Check every invariant of a quiet cache: problems and the first ones. Parameter: cache");
}
