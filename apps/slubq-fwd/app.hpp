/* SPDX-License-Identifier: BSD-3-Clause */
// slubq-fwd as one object: setup from the options, the operations the
// commands call (start, stop, sleep), and the clean shutdown.
#pragma once

#include <csignal>
#include "forwarder.hpp"
#include "lcore_plan.hpp"
#include "options.hpp"
#include "pools.hpp"
#include "ports.hpp"
#include "stats.hpp"

namespace fwd {

// Set by SIGINT/SIGTERM (nothing else is safe in a handler).
inline volatile std::sig_atomic_t signal_received = 0;

struct app {
	options opt;
	const engine *eng = nullptr;
	lcore_plan plan;
	std::vector<port_info> ports;
	pool_set pools;
	forwarder fw;
	periodic_stats periodic;
	bool quit = false;            // `quit` or a signal: stop reading commands
	unsigned command_errors = 0;  // failed commands (exit status with --cmd)

	// Everything from the options: topology, pools, ports, streams. -1 after printing why.
	int setup();
	// `start` / `start tx_first`.
	int start(bool tx_first);
	// `stop`: stop the lcores and print the forward statistics.
	void stop();
	// Wait this long (forever when seconds <= 0) or until a signal or quit,
	// printing the periodic statistics while forwarding.
	void wait(double seconds);
	// Stop, drain and close the ports, check that every mbuf came home,
	// free the pools. Returns the leaked objects (0 = clean).
	uint64_t shutdown();

	bool should_quit() const { return quit || signal_received != 0; }
	// A command failed: count it and say so.
	void command_failed(const char *why);

private:
	unsigned printed_periods_ = 0; // periodic statistics printed since start
};

} // namespace fwd
