/* SPDX-License-Identifier: BSD-3-Clause */
// The public debug API (slubq_debug.h): fault injection control, object
// records, flag names.
#include <cstring>
#include "cache/cache.hpp"
#include "common/log.hpp"
#include "debug/debug_object.hpp"
#include "debug/slubq_debug.h"

using namespace slubq;

namespace {

constexpr std::uint32_t ppm_max = 1000000;
constexpr std::uint64_t default_seed = 0x9e3779b97f4a7c15ull;

// The names of the SLUBQ_F_* bits, as configuration files, telemetry, logs
// and command lines spell them: the only copy.
constexpr struct {
	std::uint32_t flag;
	const char *name;
} flag_names[] = {
	{SLUBQ_F_DMA, "dma"},           {SLUBQ_F_NO_MERGE, "no_merge"},
	{SLUBQ_F_NO_ALIEN, "no_alien"}, {SLUBQ_F_NO_IOVA_CONTIG, "no_iova_contig"},
	{SLUBQ_F_RED_ZONE, "red_zone"}, {SLUBQ_F_POISON, "poison"},
	{SLUBQ_F_TRACK, "track"},       {SLUBQ_F_SANITY, "sanity"},
};

} // namespace

extern "C" {

int slubq_cache_inject_faults(struct slubq_cache *c, uint32_t every_n, uint32_t probability_ppm, uint64_t seed)
{
	if (c == nullptr || c->magic != cache_magic || probability_ppm > ppm_max)
		return fail(EINVAL);
	(void)plock_acquire(c->tune_lock);
	store_relaxed(c->dbg.fail_calls, std::uint64_t(0));
	store_relaxed(c->dbg.fail_seed, seed ? seed : default_seed);
	store_relaxed(c->dbg.fail_every, every_n);
	store_relaxed(c->dbg.fail_ppm, probability_ppm);
	// Lcores with a queue switch it off (or back on) at their next slow path.
	request_pickup(c);
	plock_release(c->tune_lock);
	SLUBQ_LOG(INFO, "cache %s: fault injection %s (every %u calls, %u ppm, seed %#llx)", c->name,
		  every_n || probability_ppm ? "on" : "off", every_n, probability_ppm,
		  static_cast<unsigned long long>(seed));
	return 0;
}

int slubq_debug_object_info(const struct slubq_cache *c, const void *obj, struct slubq_obj_info *info)
{
	if (c == nullptr || c->magic != cache_magic || obj == nullptr || info == nullptr)
		return fail(EINVAL);
	if (c->geo.meta_size == 0)
		return fail(ENOTSUP);
	const slab *s = slab_of(c->geo, obj);
	if (!in_some_slab(c, obj) || s->owner != c)
		return fail(EINVAL);
	std::uint32_t idx = slab_index(c->geo, s, obj);
	if (idx == UINT32_MAX)
		return fail(EINVAL);
	const obj_track *t = track_of(c, s, idx);
	std::memset(info, 0, sizeof(*info));
	info->state = slubq_obj_state(state_of(t));
	info->index = idx;
	info->slab = s;
	info->free_in_slab = slab_bit(s, idx);
	info->alloc_lcore = t->alloc_lcore;
	info->free_lcore = t->free_lcore;
	info->alloc_caller = std::uintptr_t(t->alloc_caller);
	info->free_caller = std::uintptr_t(t->free_caller);
	info->alloc_tsc = t->alloc_tsc;
	info->free_tsc = t->free_tsc;
	return 0;
}

const char *slubq_flag_name(uint32_t flag)
{
	for (const auto &n : flag_names)
		if (n.flag == flag)
			return n.name;
	return nullptr;
}

int slubq_debug_flag_from_name(const char *name, uint32_t *flag)
{
	if (name == nullptr || flag == nullptr)
		return fail(EINVAL);
	if (std::strcmp(name, "all") == 0) {
		*flag = SLUBQ_F_DEBUG;
		return 0;
	}
	for (const auto &n : flag_names) {
		if ((n.flag & SLUBQ_F_DEBUG) && std::strcmp(n.name, name) == 0) {
			*flag = n.flag;
			return 0;
		}
	}
	return fail(EINVAL);
}

} // extern "C"
