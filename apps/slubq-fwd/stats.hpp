/* SPDX-License-Identifier: BSD-3-Clause */
// Statistics as testpmd prints them: NIC statistics per port (`show port
// stats`), forward statistics when forwarding stops, and a compact
// periodic table (--stats-period), each followed by the pools and slubq caches.
#pragma once

#include <vector>
#include "forwarder.hpp"
#include "pools.hpp"
#include "ports.hpp"

namespace fwd {

// testpmd's `show port stats`: one block per port (port < 0: all), with
// the throughput since the previous call for that port.
void print_port_stats(const std::vector<port_info> &ports, int port);

// Per-port and accumulated forward statistics since the last start, and
// the average throughput (on stop).
void print_fwd_stats(const forwarder &fw, const std::vector<port_info> &ports);

// Objects, available and in use per mbuf pool (any mempool driver).
void print_pools(const pool_set &pools);

// The periodic table: packets and Mpps per port since the previous period.
class periodic_stats {
public:
	void reset(const forwarder &fw);
	void print(const forwarder &fw, const std::vector<port_info> &ports, const pool_set &pools);

private:
	std::vector<port_counts> last_;
	double last_seconds_ = 0;
};

} // namespace fwd
