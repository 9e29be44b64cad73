/* SPDX-License-Identifier: BSD-3-Clause */
#include "app.hpp"

#include <algorithm>
#include <cstdio>
#include <rte_cycles.h>
#include "config_pools.hpp"
#include "slubq_view.hpp"

namespace fwd {

int app::setup()
{
	eng = find_engine(opt.forward_mode.c_str());
	if (eng == nullptr)
		return -1; // options.cpp already refused it
	if (plan_lcores(opt, *eng, plan) != 0 || find_ports(ports) != 0)
		return -1;
	uint16_t nb_txq = opt.nb_txq;
	if (eng->pipeline) // every worker owns a tx queue on every port; --tx-first uses the streams' own
		nb_txq = uint16_t(std::max<unsigned>({nb_txq, plan.nb_workers, opt.nb_rxq}));

	std::vector<int> sockets = lcore_sockets(plan);
	for (const auto &p : ports)
		sockets.push_back(p.socket);
	pool_demand d;
	d.nb_ports = unsigned(ports.size());
	d.nb_rxq = opt.nb_rxq;
	d.nb_txq = nb_txq;
	d.nb_rxd = opt.nb_rxd;
	d.nb_txd = opt.nb_txd;
	d.nb_lcores = unsigned(plan.lcores.size()) + 1;
	d.burst = opt.burst;
	d.ring_slots = eng->pipeline ? plan.nb_workers * opt.ring_size : 0;

	// The topology must be in place before the pools' caches are created.
	int rc = load_config_pools(opt, plan, sockets, d, pools);
	if (rc < 0)
		return -1;
	if (rc == 0 && (simulate_sockets(opt, plan) != 0 || create_builtin_pools(opt, sockets, d, pools) != 0))
		return -1;

	// Each rx queue fills from the pool of the lcore that polls it.
	std::vector<std::vector<stream>> streams = plan_streams(plan, ports, opt.nb_rxq);
	auto rx_pool = [&](uint16_t port, uint16_t q) {
		for (size_t i = 0; i < streams.size(); i++)
			for (const stream &s : streams[i])
				if (s.rx_port == port && s.rx_queue == q)
					return pools.for_lcore(plan.lcores[i]);
		return pools.for_lcore(rte_get_main_lcore());
	};
	if (start_ports(ports, opt.nb_rxq, nb_txq, opt.nb_rxd, opt.nb_txd, rx_pool) != 0 ||
	    fw.setup(opt, *eng, plan, ports, pools) != 0)
		return -1;
	fw.describe();
	std::fflush(stdout);
	return 0;
}

int app::start(bool tx_first)
{
	if (fw.running()) {
		std::printf("Packet forwarding already started\n");
		return 0;
	}
	std::printf("Start packet forwarding (%s%s)\n", eng->name, tx_first ? ", tx_first" : "");
	if (fw.start(tx_first) != 0)
		return -1;
	periodic.reset(fw);
	printed_periods_ = 0;
	std::fflush(stdout);
	return 0;
}

void app::stop()
{
	if (!fw.running()) {
		std::printf("Packet forwarding not started\n");
		return;
	}
	std::printf("Telling cores to stop...\nWaiting for lcores to finish...\n");
	fw.stop();
	print_fwd_stats(fw, ports);
	print_pools(pools);
	std::printf("\n");
	print_slubq_table();
	std::printf("\nDone.\n");
	std::fflush(stdout);
}

void app::wait(double seconds)
{
	const uint64_t hz = rte_get_tsc_hz();
	const uint64_t end = seconds > 0 ? rte_get_tsc_cycles() + uint64_t(seconds * double(hz)) : UINT64_MAX;
	while (!should_quit() && rte_get_tsc_cycles() < end) {
		rte_delay_us_sleep(20 * 1000);
		if (opt.stats_period == 0 || !fw.running())
			continue;
		// Print on multiples of the period since start, whoever waits.
		unsigned due = unsigned(fw.seconds() / opt.stats_period);
		if (due > printed_periods_) {
			printed_periods_ = due;
			periodic.print(fw, ports, pools);
		}
	}
}

uint64_t app::shutdown()
{
	if (fw.running())
		stop();
	fw.teardown();
	std::printf("Stopping and closing ports...\n");
	close_ports(ports);
	uint64_t leaked = check_leaks(pools);
	free_pools(pools);
	free_config_pools();
	std::fflush(stdout);
	return leaked;
}

void app::command_failed(const char *why)
{
	command_errors++;
	std::printf("Error: %s\n", why);
}

} // namespace fwd
