/* SPDX-License-Identifier: BSD-3-Clause */
// Debugging rte_mbuf pools: poison only the data buffer (the header must
// survive free -> alloc) and check, at each free, what rte_mbuf_raw_free()
// asserts of a freed mbuf (a DPDK build without RTE_ENABLE_ASSERT checks
// none of it).
#include <cinttypes>
#include <rte_mbuf_core.h>
#include "common/log.hpp"
#include "debug/debug_object.hpp"
#include "debug/slubq_debug.h"

namespace slubq {

void check_mbuf_freed(slubq_cache *c, const void *obj, const debug_op &op)
{
	const auto *m = static_cast<const rte_mbuf *>(obj);
	std::uint16_t refcnt = __atomic_load_n(&m->refcnt, __ATOMIC_RELAXED);
	bool indirect = m->ol_flags & (RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL);
	if (refcnt == 1 && m->next == nullptr && m->nb_segs == 1 && !indirect)
		return;
	debug_problem(c, obj, "free", &op,
		      "mbuf freed in a state DPDK forbids (refcnt %u, next %p, nb_segs %u, %s; a freed mbuf has "
		      "refcnt 1, next NULL, nb_segs 1 and is direct: freed with rte_mempool_put instead of "
		      "rte_pktmbuf_free?)",
		      refcnt, static_cast<const void *>(m->next), m->nb_segs, indirect ? "attached" : "direct");
}

} // namespace slubq

extern "C" int slubq_debug_mbuf_layout(struct slubq_cache *c, uint32_t data_off, uint32_t data_len)
{
	using namespace slubq;
	if (c == nullptr || c->magic != cache_magic || data_off < sizeof(rte_mbuf) ||
	    std::uint64_t(data_off) + data_len > c->geo.obj_size)
		return fail(EINVAL);
	if (c->dbg.flags == 0)
		return fail(ENOTSUP);
	c->dbg.poison_off = data_off;
	c->dbg.poison_len = data_len;
	c->dbg.mbuf = 1;
	return 0;
}
