/* SPDX-License-Identifier: BSD-3-Clause */
// txonly: allocate a burst, write an Ethernet/IPv4/UDP header from the
// template, transmit. Nothing is received.
#include "engines.hpp"

#include <rte_memcpy.h>

namespace fwd {

void txonly_burst(lcore_ctx &lc, const stream &s)
{
	const fwd_shared &sh = *lc.shared;
	rte_mbuf *pkts[max_burst];
	if (rte_pktmbuf_alloc_bulk(lc.tx_pool, pkts, sh.burst) != 0)
		return;
	for (unsigned i = 0; i < sh.burst; i++) {
		rte_mbuf *m = pkts[i];
		auto *hdr = rte_pktmbuf_mtod(m, uint8_t *);
		rte_memcpy(hdr, sh.txpkt_hdr, sh.txpkt_hdr_len);
		auto *eth = reinterpret_cast<rte_ether_hdr *>(hdr);
		rte_ether_addr_copy(&sh.peer_mac[s.tx_port], &eth->dst_addr);
		rte_ether_addr_copy(&sh.port_mac[s.tx_port], &eth->src_addr);
		m->data_len = sh.txpkt_len;
		m->pkt_len = sh.txpkt_len;
	}
	send_burst(lc, s.tx_port, s.tx_queue, pkts, uint16_t(sh.burst));
}

const engine engine_txonly = {"txonly", "allocate, write headers, transmit", stream_loop<txonly_burst>, false, false};

} // namespace fwd
