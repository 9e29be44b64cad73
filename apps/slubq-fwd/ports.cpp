/* SPDX-License-Identifier: BSD-3-Clause */
#include "ports.hpp"

#include <cstdio>
#include <rte_ethdev.h>
#include <rte_lcore.h>

namespace fwd {

int find_ports(std::vector<port_info> &ports)
{
	uint16_t pid;
	RTE_ETH_FOREACH_DEV(pid) {
		port_info p;
		p.id = pid;
		int s = rte_eth_dev_socket_id(pid);
		p.socket = s >= 0 ? s : int(rte_lcore_to_socket_id(rte_get_main_lcore()));
		ports.push_back(p);
	}
	if (ports.empty()) {
		std::fprintf(stderr, "slubq-fwd: no Ethernet ports (without a NIC: --no-pci --vdev net_null0 --vdev net_null1)\n");
		return -1;
	}
	if (ports.size() > RTE_MAX_ETHPORTS) {
		std::fprintf(stderr, "slubq-fwd: too many ports\n");
		return -1;
	}
	return 0;
}

unsigned peer_index(unsigned i, unsigned nb_ports)
{
	if (nb_ports % 2 == 1 && i == nb_ports - 1)
		return i;
	return i ^ 1u;
}

int start_ports(std::vector<port_info> &ports, uint16_t nb_rxq, uint16_t nb_txq, uint16_t nb_rxd,
		uint16_t nb_txd, const rx_pool_fn &rx_pool)
{
	for (auto &p : ports) {
		rte_eth_dev_info info;
		int rc = rte_eth_dev_info_get(p.id, &info);
		if (rc != 0) {
			std::fprintf(stderr, "slubq-fwd: port %u: cannot get device info: %s\n", p.id, rte_strerror(-rc));
			return -1;
		}
		if (nb_rxq > info.max_rx_queues || nb_txq > info.max_tx_queues) {
			std::fprintf(stderr, "slubq-fwd: port %u (%s): %u rx / %u tx queues wanted, at most %u / %u\n", p.id,
				     info.driver_name, nb_rxq, nb_txq, info.max_rx_queues, info.max_tx_queues);
			return -1;
		}
		rte_eth_conf conf{};
		rc = rte_eth_dev_configure(p.id, nb_rxq, nb_txq, &conf);
		uint16_t rxd = nb_rxd, txd = nb_txd;
		if (rc == 0)
			rc = rte_eth_dev_adjust_nb_rx_tx_desc(p.id, &rxd, &txd);
		if (rc != 0) {
			std::fprintf(stderr, "slubq-fwd: port %u: configure failed: %s\n", p.id, rte_strerror(-rc));
			return -1;
		}
		for (uint16_t q = 0; q < nb_rxq && rc == 0; q++)
			rc = rte_eth_rx_queue_setup(p.id, q, rxd, unsigned(p.socket), nullptr, rx_pool(p.id, q));
		for (uint16_t q = 0; q < nb_txq && rc == 0; q++)
			rc = rte_eth_tx_queue_setup(p.id, q, txd, unsigned(p.socket), nullptr);
		if (rc != 0) {
			std::fprintf(stderr, "slubq-fwd: port %u: queue setup failed: %s\n", p.id, rte_strerror(-rc));
			return -1;
		}
		rc = rte_eth_dev_start(p.id);
		if (rc != 0) {
			std::fprintf(stderr, "slubq-fwd: port %u: start failed: %s\n", p.id, rte_strerror(-rc));
			return -1;
		}
		p.started = true;
		p.nb_rxq = nb_rxq;
		p.nb_txq = nb_txq;
		p.nb_rxd = rxd;
		p.nb_txd = txd;
		rte_eth_macaddr_get(p.id, &p.mac);
		rte_eth_promiscuous_enable(p.id); // not every PMD can; forwarding works without
		char mac[RTE_ETHER_ADDR_FMT_SIZE];
		rte_ether_format_addr(mac, sizeof(mac), &p.mac);
		std::printf("Port %u (%s): %s, socket %d, %u rx / %u tx queues, %u rxd / %u txd, rx pool %s\n", p.id,
			    info.driver_name, mac, p.socket, nb_rxq, nb_txq, rxd, txd, rx_pool(p.id, 0)->name);
	}
	return 0;
}

void close_ports(std::vector<port_info> &ports)
{
	for (auto &p : ports) {
		if (p.started) {
			// A ring-backed port may hold packets; a null port makes new ones
			// forever, so stop after what its descriptors could hold.
			rte_mbuf *pkts[64];
			for (uint16_t q = 0; q < p.nb_rxq; q++) {
				unsigned budget = p.nb_rxd + p.nb_txd + 64;
				for (unsigned got = 0; got < budget;) {
					uint16_t n = rte_eth_rx_burst(p.id, q, pkts, 64);
					if (n == 0)
						break;
					rte_pktmbuf_free_bulk(pkts, n);
					got += n;
				}
			}
			for (uint16_t q = 0; q < p.nb_txq; q++)
				rte_eth_tx_done_cleanup(p.id, q, 0); // -ENOTSUP for PMDs that hold nothing
			int rc = rte_eth_dev_stop(p.id);
			if (rc != 0)
				std::fprintf(stderr, "slubq-fwd: port %u: stop failed: %s\n", p.id, rte_strerror(-rc));
			p.started = false;
		}
		rte_eth_dev_close(p.id);
	}
	ports.clear();
}

} // namespace fwd
