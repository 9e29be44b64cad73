/* SPDX-License-Identifier: BSD-3-Clause */
// Fixed source: chunks handed in (by rte_mempool populate) are cut into
// slabs aligned to the slab size. The unaligned head of a chunk is wasted
// (calc_mem_size asks for aligned chunks, as populate_default reserves
// them); a short tail still makes a slab.
#include <algorithm>
#include <cinttypes>
#include "cache/cache.hpp"
#include "cache/cache_source.hpp"
#include "common/log.hpp"

namespace slubq {

namespace {

// Logical sockets whose memory comes from the cache's real socket.
unsigned spread_targets(const slubq_cache *c, unsigned *out)
{
	unsigned n = 0;
	for (unsigned s = 0; s < c->nr_sockets; s++)
		if (c->src.home_socket == SOCKET_ID_ANY || c->topo.real_socket[s] == c->src.home_socket)
			out[n++] = s;
	if (n == 0)
		out[n++] = 0;
	return n;
}

// One past the last byte of the slabs that [p, hi) (p slab-aligned) is cut
// into for at most limit objects; p when none. A last slab cut short by
// the limit ends after its last slot: a chunk populated next to it later
// does not merge with its range, so it stays the last slab of its range,
// whose slot count object checks read (slab/object_checker.hpp).
std::uintptr_t slabs_end(const geometry &g, std::uintptr_t p, std::uintptr_t hi, unsigned limit)
{
	std::uintptr_t end = p;
	for (unsigned objs = 0; p < hi && objs < limit; p += g.slab_size) {
		const std::uint32_t fit = geometry_fit(g, std::min<std::uint64_t>(g.slab_size, hi - p));
		if (fit == 0)
			break;
		const std::uint32_t nobj = std::min<std::uint32_t>(fit, limit - objs);
		objs += nobj;
		end = nobj < fit ? p + g.first_off + std::uint64_t(nobj) * g.stride
				 : std::min<std::uint64_t>(p + g.slab_size, hi);
	}
	return end;
}

// Record [lo, hi) as the cache's memory before any slab is written there.
// Memory populated before (the same chunk twice, or overlapping) is
// refused: its slabs are on the node's lists already, and cutting them
// again would break the lists.
int claim_range(slubq_cache *c, std::uintptr_t lo, std::uintptr_t hi)
{
	if (hi <= lo)
		return 0;
	span clash{};
	// Past span_slots separate chunks the table stops answering "no" (and
	// says so once); the pool is still populated.
	int rc = spans_add(c->spans, c->name, lo, hi, true, &clash);
	if (rc == -EINVAL)
		SLUBQ_LOG(ERR, "cache %s: populate refused: its slabs [%#" PRIxPTR ", %#" PRIxPTR ") overlap memory "
			  "populated before [%#" PRIxPTR ", %#" PRIxPTR ")", c->name, lo, hi, clash.lo, clash.hi);
	return rc;
}

} // namespace

int fixed_populate(slubq_cache *c, void *vaddr, rte_iova_t iova, std::size_t len, int socket,
		   unsigned max_objs, slubq_obj_cb_t *cb, void *opaque)
{
	if (c->src.kind != SLUBQ_SOURCE_FIXED || vaddr == nullptr)
		return fail(EINVAL);
	if (socket >= int(c->nr_sockets))
		return fail(EINVAL);
	const geometry &g = c->geo;
	unsigned targets[SLUBQ_MAX_SOCKETS];
	unsigned nr_targets = socket >= 0 ? (targets[0] = unsigned(socket), 1) : spread_targets(c, targets);
	auto lo = reinterpret_cast<std::uintptr_t>(vaddr);
	std::uintptr_t hi = lo + len;
	std::uintptr_t p = align_up(lo, g.slab_size);
	unsigned limit = max_objs ? max_objs : UINT32_MAX;
	if (int rc = claim_range(c, p, slabs_end(g, p, hi, limit)); rc < 0)
		return rc;
	unsigned added = 0;
	for (; p < hi && added < limit; p += g.slab_size) {
		std::uint32_t nobj = geometry_fit(g, std::min<std::uint64_t>(g.slab_size, hi - p));
		nobj = std::min<std::uint32_t>(nobj, limit - added);
		if (nobj == 0)
			break;
		auto *s = reinterpret_cast<slab *>(p);
		rte_iova_t s_iova = iova == RTE_BAD_IOVA ? RTE_BAD_IOVA : iova + (p - lo);
		// Round-robin over the target sockets, slab by slab.
		unsigned rr = unsigned(__atomic_fetch_add(&c->src.seq, 1, __ATOMIC_RELAXED));
		unsigned sock = targets[rr % nr_targets];
		slab_init(g, s, c, nullptr, s_iova, nobj, std::uint16_t(sock));
		if (cb != nullptr) {
			for (std::uint32_t i = 0; i < nobj; i++) {
				void *obj = slab_obj(g, s, i);
				std::uintptr_t off = reinterpret_cast<std::uintptr_t>(obj) - lo;
				cb(opaque, obj, iova == RTE_BAD_IOVA ? RTE_BAD_IOVA : iova + off);
			}
		}
		node *nd = c->nodes[sock];
		node_lock(nodes_of(c), nd);
		list_add(nd, s, LIST_EMPTY, false);
		nd->nr_objs += nobj;
		nd->free_objs += nobj;
		nd->mem_bytes += std::min<std::uint64_t>(g.slab_size, hi - p);
		node_unlock(nd);
		added += nobj;
	}
	return int(added);
}

} // namespace slubq
