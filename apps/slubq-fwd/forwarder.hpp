/* SPDX-License-Identifier: BSD-3-Clause */
// The forwarding run: streams spread over the forwarding lcores, pipeline
// rings, start (optionally with a first tx burst) and stop (lcores joined,
// rings drained), and the counters summed per port.
#pragma once

#include <memory>
#include <vector>
#include "engines.hpp"
#include "lcore_plan.hpp"
#include "options.hpp"
#include "pools.hpp"
#include "ports.hpp"

namespace fwd {

struct port_counts {
	uint64_t rx = 0, tx = 0, rx_dropped = 0, tx_dropped = 0;
};

// One stream per (port, rx queue), sent to the same queue index of the
// peer port, in contiguous blocks over the lcores that receive. Entry i
// belongs to plan.lcores[i] (pipeline workers get none).
std::vector<std::vector<stream>> plan_streams(const lcore_plan &plan, const std::vector<port_info> &ports,
					      uint16_t nb_rxq);

class forwarder {
public:
	// Build streams, lcore contexts and (pipeline) rings. -1 after printing why.
	int setup(const options &o, const engine &e, const lcore_plan &plan, const std::vector<port_info> &ports,
		  const pool_set &pools);
	// Reset the counters and launch the lcores; tx_first sends one txonly
	// burst on every stream first (from the main lcore).
	int start(bool tx_first);
	// Stop the lcores, wait for them, free what the rings still hold.
	void stop();
	// Free the rings and contexts (after stop).
	void teardown();

	bool running() const { return running_; }
	const engine &eng() const { return *eng_; }
	unsigned nb_lcores() const { return unsigned(lcores_.size()); }
	unsigned nb_streams() const { return nb_streams_; }
	// Counters of one port since the last start (summed over the lcores).
	port_counts counts(uint16_t port) const;
	// Seconds between the last start and now (or the stop).
	double seconds() const;
	void describe() const;

private:
	const engine *eng_ = nullptr;
	fwd_shared shared_;
	std::vector<std::unique_ptr<lcore_ctx>> lcores_;
	std::vector<rte_ring *> rings_;
	uint64_t drained_[max_ports] = {}; // pipeline packets freed from the rings at stop
	unsigned nb_streams_ = 0;
	bool running_ = false;
	uint64_t start_tsc_ = 0, stop_tsc_ = 0;
};

} // namespace fwd
