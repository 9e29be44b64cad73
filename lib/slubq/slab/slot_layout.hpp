/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 3 (slab geometry): how debug flags change an object's slot, which
// cache creation needs for its geometry: red zones on both sides of the
// object, and per-object metadata (state, tracking) kept in the slab after
// the bitmap, never in the object. The debug layer fills and checks them.
//
//   slot: [ left red zone | object (obj_size) | right red zone ]
//          obj_offset bytes                     stride - obj_offset - obj_size
#pragma once

#include <cstdint>
#include "slubq.h"
#include "common/compiler.hpp"

namespace slubq {

constexpr std::uint32_t red_zone_bytes = 16;

// Byte patterns (the values Linux SLUB uses, so they look familiar in a dump).
constexpr std::uint8_t red_active = 0xcc;   // red zone of an allocated object
constexpr std::uint8_t red_inactive = 0xbb; // red zone of a free object
constexpr std::uint8_t poison_free = 0x6b;  // every byte of a free object but the last
constexpr std::uint8_t poison_end = 0xa5;   // the last byte of a free object

// Zeroed slab metadata reads as OBJ_NEW: never allocated since its slab was
// made, so its memory holds no poison and no red zones yet (they are written
// on first allocation, which is why no hook is needed where slabs are cut).
enum obj_state : std::uint8_t { OBJ_NEW = 0, OBJ_ALLOCATED = 1, OBJ_FREE = 2 };

// Per-object debug record, in the slab's metadata area. state changes with
// an atomic compare-and-swap, so two racing frees of one object cannot both
// win; the rest is written by whoever won.
struct obj_track {
	std::uint8_t state;        // obj_state
	std::uint8_t pad[3];
	std::uint32_t alloc_lcore; // lcore of the last allocation (LCORE_ID_ANY: not an EAL thread)
	std::uint32_t free_lcore;  // lcore of the last free
	std::uint32_t pad2;
	std::uint64_t alloc_caller;
	std::uint64_t alloc_tsc;   // 0: never (or SLUBQ_F_TRACK off)
	std::uint64_t free_caller;
	std::uint64_t free_tsc;
};
static_assert(sizeof(obj_track) == 48);

struct slot_layout {
	std::uint32_t stride;
	std::uint32_t obj_offset;
	std::uint32_t meta_size;
};

inline slot_layout slot_layout_of(std::uint32_t flags, std::uint32_t obj_size, std::uint32_t align)
{
	slot_layout d{};
	std::uint32_t rz = (flags & SLUBQ_F_RED_ZONE) ? red_zone_bytes : 0;
	d.obj_offset = rz ? std::uint32_t(align_up(rz, align)) : 0;
	d.stride = std::uint32_t(align_up(std::uint64_t(d.obj_offset) + obj_size + rz, align));
	d.meta_size = (flags & SLUBQ_F_DEBUG) ? std::uint32_t(sizeof(obj_track)) : 0;
	return d;
}

} // namespace slubq
