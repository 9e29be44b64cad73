/* SPDX-License-Identifier: BSD-3-Clause */
// mac: rewrite source (tx port's MAC) and destination (the peer's address);
// macswap: swap source and destination. Both transmit on the peer port.
#include "engines.hpp"

namespace fwd {

namespace {

void mac_burst(lcore_ctx &lc, const stream &s)
{
	rte_mbuf *pkts[max_burst];
	uint16_t n = rte_eth_rx_burst(s.rx_port, s.rx_queue, pkts, uint16_t(lc.shared->burst));
	if (n == 0)
		return;
	count(lc.rx[s.rx_port], n);
	const rte_ether_addr &src = lc.shared->port_mac[s.tx_port];
	const rte_ether_addr &dst = lc.shared->peer_mac[s.tx_port];
	for (uint16_t i = 0; i < n; i++) {
		auto *eth = rte_pktmbuf_mtod(pkts[i], rte_ether_hdr *);
		rte_ether_addr_copy(&dst, &eth->dst_addr);
		rte_ether_addr_copy(&src, &eth->src_addr);
	}
	send_burst(lc, s.tx_port, s.tx_queue, pkts, n);
}

void macswap_burst(lcore_ctx &lc, const stream &s)
{
	rte_mbuf *pkts[max_burst];
	uint16_t n = rte_eth_rx_burst(s.rx_port, s.rx_queue, pkts, uint16_t(lc.shared->burst));
	if (n == 0)
		return;
	count(lc.rx[s.rx_port], n);
	for (uint16_t i = 0; i < n; i++) {
		auto *eth = rte_pktmbuf_mtod(pkts[i], rte_ether_hdr *);
		rte_ether_addr tmp;
		rte_ether_addr_copy(&eth->dst_addr, &tmp);
		rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
		rte_ether_addr_copy(&tmp, &eth->src_addr);
	}
	send_burst(lc, s.tx_port, s.tx_queue, pkts, n);
}

} // namespace

const engine engine_mac = {"mac", "rewrite source and destination MAC, transmit on the peer port",
			   stream_loop<mac_burst>, false, true};
const engine engine_macswap = {"macswap", "swap source and destination MAC, transmit on the peer port",
			       stream_loop<macswap_burst>, false, true};

} // namespace fwd
