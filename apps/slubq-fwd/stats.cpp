/* SPDX-License-Identifier: BSD-3-Clause */
#include "stats.hpp"

#include <cinttypes>
#include <cstdio>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include "slubq_view.hpp"

namespace fwd {

namespace {

struct nic_snapshot {
	uint64_t ipackets = 0, opackets = 0, ibytes = 0, obytes = 0, tsc = 0;
};
nic_snapshot last_nic[RTE_MAX_ETHPORTS];

double per_second(uint64_t now, uint64_t before, double seconds)
{
	return seconds > 0 && now >= before ? double(now - before) / seconds : 0;
}

// RX-dropped: received, then dropped before a worker took them (pipeline);
// TX-dropped: refused by the PMD. Every received packet is transmitted or
// dropped (rx = tx + both drops, summed over the ports).
void print_rx_tx(const port_counts &c)
{
	std::printf("  RX-packets: %-14" PRIu64 " RX-dropped: %-14" PRIu64 "\n", c.rx, c.rx_dropped);
	std::printf("  TX-packets: %-14" PRIu64 " TX-dropped: %-14" PRIu64 "\n", c.tx, c.tx_dropped);
}

} // namespace

void print_port_stats(const std::vector<port_info> &ports, int port)
{
	for (const auto &p : ports) {
		if (port >= 0 && p.id != port)
			continue;
		rte_eth_stats st;
		if (rte_eth_stats_get(p.id, &st) != 0) {
			std::printf("  port %u: no statistics\n", p.id);
			continue;
		}
		nic_snapshot &prev = last_nic[p.id];
		uint64_t now = rte_get_tsc_cycles();
		double dt = prev.tsc ? double(now - prev.tsc) / double(rte_get_tsc_hz()) : 0;
		std::printf("\n  ######################## NIC statistics for port %-2u #########################\n", p.id);
		std::printf("  RX-packets: %-10" PRIu64 " RX-missed: %-10" PRIu64 " RX-bytes:  %-" PRIu64 "\n", st.ipackets,
			    st.imissed, st.ibytes);
		std::printf("  RX-errors: %" PRIu64 "\n  RX-nombuf:  %-10" PRIu64 "\n", st.ierrors, st.rx_nombuf);
		std::printf("  TX-packets: %-10" PRIu64 " TX-errors: %-10" PRIu64 " TX-bytes:  %-" PRIu64 "\n", st.opackets,
			    st.oerrors, st.obytes);
		std::printf("\n  Throughput (since last show)\n");
		std::printf("  Rx-pps: %12.0f          Rx-bps: %12.0f\n", per_second(st.ipackets, prev.ipackets, dt),
			    8 * per_second(st.ibytes, prev.ibytes, dt));
		std::printf("  Tx-pps: %12.0f          Tx-bps: %12.0f\n", per_second(st.opackets, prev.opackets, dt),
			    8 * per_second(st.obytes, prev.obytes, dt));
		std::printf("  ############################################################################\n");
		prev = {st.ipackets, st.opackets, st.ibytes, st.obytes, now};
	}
}

void print_fwd_stats(const forwarder &fw, const std::vector<port_info> &ports)
{
	port_counts all;
	for (const auto &p : ports) {
		port_counts c = fw.counts(p.id);
		all.rx += c.rx;
		all.tx += c.tx;
		all.rx_dropped += c.rx_dropped;
		all.tx_dropped += c.tx_dropped;
		std::printf("\n  ---------------------- Forward statistics for port %-2u ----------------------\n", p.id);
		print_rx_tx(c);
		std::printf("  ----------------------------------------------------------------------------\n");
	}
	std::printf("\n  +++++++++++++++ Accumulated forward statistics for all ports+++++++++++++++\n");
	print_rx_tx(all);
	std::printf("  ++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++\n");
	double s = fw.seconds();
	std::printf("  Throughput (%s, %u lcore(s), %.2f s): RX %.3f Mpps, TX %.3f Mpps\n", fw.eng().name,
		    fw.nb_lcores(), s, s > 0 ? double(all.rx) / s / 1e6 : 0, s > 0 ? double(all.tx) / s / 1e6 : 0);
}

void print_pools(const pool_set &pools)
{
	std::printf("  %-22s %-12s %9s %9s %9s\n", "mbuf pool", "driver", "objects", "available", "in use");
	for (const auto &p : pools.pools) {
		uint64_t total = p.mp->populated_size, avail = rte_mempool_avail_count(p.mp);
		std::printf("  %-22s %-12s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 "\n", p.mp->name,
			    rte_mempool_get_ops(p.mp->ops_index)->name, total, avail, total > avail ? total - avail : 0);
	}
}

void periodic_stats::reset(const forwarder &fw)
{
	last_.assign(RTE_MAX_ETHPORTS, port_counts{});
	last_seconds_ = fw.seconds();
}

void periodic_stats::print(const forwarder &fw, const std::vector<port_info> &ports, const pool_set &pools)
{
	if (last_.empty())
		reset(fw);
	double now = fw.seconds(), dt = now - last_seconds_;
	std::printf("\nStatistics at %.1f s (%s):\n", now, fw.eng().name);
	std::printf("  %4s %14s %14s %10s %10s %9s %9s\n", "port", "RX-packets", "TX-packets", "RX-dropped",
		    "TX-dropped", "RX-Mpps", "TX-Mpps");
	port_counts all, all_last;
	for (const auto &p : ports) {
		port_counts c = fw.counts(p.id), &l = last_[p.id];
		std::printf("  %4u %14" PRIu64 " %14" PRIu64 " %10" PRIu64 " %10" PRIu64 " %9.3f %9.3f\n", p.id, c.rx, c.tx,
			    c.rx_dropped, c.tx_dropped, per_second(c.rx, l.rx, dt) / 1e6, per_second(c.tx, l.tx, dt) / 1e6);
		all.rx += c.rx, all.tx += c.tx, all.rx_dropped += c.rx_dropped, all.tx_dropped += c.tx_dropped;
		all_last.rx += l.rx, all_last.tx += l.tx;
		l = c;
	}
	std::printf("  %4s %14" PRIu64 " %14" PRIu64 " %10" PRIu64 " %10" PRIu64 " %9.3f %9.3f\n", "all", all.rx, all.tx,
		    all.rx_dropped, all.tx_dropped, per_second(all.rx, all_last.rx, dt) / 1e6,
		    per_second(all.tx, all_last.tx, dt) / 1e6);
	last_seconds_ = now;
	print_pools(pools);
	print_slubq_table();
	std::fflush(stdout);
}

} // namespace fwd
