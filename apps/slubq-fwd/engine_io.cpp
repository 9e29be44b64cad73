/* SPDX-License-Identifier: BSD-3-Clause */
// io: receive a burst, transmit it unchanged on the peer port.
#include "engines.hpp"

namespace fwd {

namespace {

void io_burst(lcore_ctx &lc, const stream &s)
{
	rte_mbuf *pkts[max_burst];
	uint16_t n = rte_eth_rx_burst(s.rx_port, s.rx_queue, pkts, uint16_t(lc.shared->burst));
	if (n == 0)
		return;
	count(lc.rx[s.rx_port], n);
	send_burst(lc, s.tx_port, s.tx_queue, pkts, n);
}

} // namespace

const engine engine_io = {"io", "receive and transmit unchanged on the peer port", stream_loop<io_burst>, false, true};

} // namespace fwd
