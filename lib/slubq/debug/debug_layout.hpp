/* SPDX-License-Identifier: BSD-3-Clause */
// How debug flags change an object's slot: red zones on both sides of the
// object, and per-object metadata (state, tracking) kept in the slab after
// the bitmap, never in the object.
#pragma once

#include <cstdint>
#include "slubq.h"
#include "common/compiler.hpp"

namespace slubq {

constexpr std::uint32_t red_zone_bytes = 16;

// Per-object debug record, in the slab's metadata area.
struct obj_track {
	std::uint8_t state;        // obj_state
	std::uint8_t pad[3];
	std::uint32_t alloc_lcore; // lcore of the last allocation
	std::uint32_t free_lcore;  // lcore of the last free
	std::uint32_t pad2;
	std::uint64_t alloc_caller;
	std::uint64_t alloc_tsc;
	std::uint64_t free_caller;
	std::uint64_t free_tsc;
};
static_assert(sizeof(obj_track) == 48);

enum obj_state : std::uint8_t { OBJ_FREE = 0, OBJ_ALLOCATED = 1 };

struct debug_layout {
	std::uint32_t stride;
	std::uint32_t obj_offset;
	std::uint32_t meta_size;
};

inline debug_layout debug_layout_of(std::uint32_t flags, std::uint32_t obj_size, std::uint32_t align)
{
	debug_layout d{};
	std::uint32_t rz = (flags & SLUBQ_F_RED_ZONE) ? red_zone_bytes : 0;
	d.obj_offset = rz ? std::uint32_t(align_up(rz, align)) : 0;
	d.stride = std::uint32_t(align_up(std::uint64_t(d.obj_offset) + obj_size + rz, align));
	d.meta_size = (flags & (SLUBQ_F_SANITY | SLUBQ_F_TRACK | SLUBQ_F_RED_ZONE | SLUBQ_F_POISON))
			      ? std::uint32_t(sizeof(obj_track))
			      : 0;
	return d;
}

} // namespace slubq
