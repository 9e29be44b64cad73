/* SPDX-License-Identifier: BSD-3-Clause */
// Ethernet ports: configure, start, pair (0<->1, 2<->3, an odd last port
// forwards to itself, as testpmd's paired topology), and on exit drain,
// stop and close so the PMDs give every mbuf back.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>
#include <rte_ether.h>
#include "pools.hpp"

namespace fwd {

struct port_info {
	uint16_t id = 0;
	int socket = 0;               // real socket (SOCKET_ID_ANY maps to the main lcore's)
	uint16_t nb_rxq = 0, nb_txq = 0;
	uint16_t nb_rxd = 0, nb_txd = 0;
	rte_ether_addr mac{};
	bool started = false;
};

// The available ports and their sockets (before pools exist). Prints and
// returns -1 when there are none.
int find_ports(std::vector<port_info> &ports);

// The pool an rx queue fills its descriptors from.
using rx_pool_fn = std::function<rte_mempool *(uint16_t port, uint16_t queue)>;

// Configure nb_rxq/nb_txq queues with descriptors and start every port.
int start_ports(std::vector<port_info> &ports, uint16_t nb_rxq, uint16_t nb_txq, uint16_t nb_rxd,
		uint16_t nb_txd, const rx_pool_fn &rx_pool);

// The port that index i transmits to (an index into ports).
unsigned peer_index(unsigned i, unsigned nb_ports);

// Receive and free what the rx queues still hold (bounded: net_null never
// runs dry), then stop and close every port.
void close_ports(std::vector<port_info> &ports);

} // namespace fwd
