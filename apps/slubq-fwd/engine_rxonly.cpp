/* SPDX-License-Identifier: BSD-3-Clause */
// rxonly: receive and free.
#include "engines.hpp"

namespace fwd {

namespace {

void rxonly_burst(lcore_ctx &lc, const stream &s)
{
	rte_mbuf *pkts[max_burst];
	uint16_t n = rte_eth_rx_burst(s.rx_port, s.rx_queue, pkts, uint16_t(lc.shared->burst));
	if (n == 0)
		return;
	count(lc.rx[s.rx_port], n);
	rte_pktmbuf_free_bulk(pkts, n);
}

} // namespace

const engine engine_rxonly = {"rxonly", "receive and free", stream_loop<rxonly_burst>, false, true};

} // namespace fwd
