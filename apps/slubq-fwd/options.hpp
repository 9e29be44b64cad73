/* SPDX-License-Identifier: BSD-3-Clause */
// slubq-fwd's application arguments (everything after the EAL's `--`).
#pragma once

#include <cstdint>
#include <string>

namespace fwd {

struct options {
	std::string config;               // --config FILE.yaml ("" = default.yaml if present, else built in)
	bool config_given = false;        // --config on the command line (a missing file is then an error)
	std::string forward_mode = "io";  // --forward-mode
	unsigned nb_cores = 0;            // --nb-cores (0 = every worker lcore)
	uint16_t nb_rxq = 1, nb_txq = 1;  // --rxq / --txq per port
	uint16_t nb_rxd = 1024, nb_txd = 1024;
	unsigned burst = 32;              // --burst
	unsigned stats_period = 0;        // --stats-period seconds (0 = none)
	double duration = 0;              // --duration seconds (0 = until a signal)
	bool tx_first = false;            // --tx-first
	bool interactive = false;         // -i
	std::string cmds;                 // --cmd "c1; c2; ..."
	std::string pool_ops = "slubq";   // --pool-ops
	int mbcache = -1;                 // --mbcache (-1: 0 for slubq, 250 otherwise)
	unsigned nb_mbufs = 0;            // --total-num-mbufs per pool (0 = sized from the setup)
	uint16_t mbuf_size = 0;           // --mbuf-size data room (0 = RTE_MBUF_DEFAULT_BUF_SIZE)
	unsigned txpkt_len = 64;          // --txpkts (txonly packet length)
	unsigned sockets = 0;             // --sockets N: simulate N sockets (0 = real topology)
	unsigned ring_size = 1024;        // --ring-size (pipeline)
	bool pipeline_free = false;       // --pipeline-action=free: workers free instead of transmit
	uint32_t slubq_queue = 0;         // --slubq-queue / --slubq-batch / --slubq-alien (0 = default)
	uint32_t slubq_batch = 0;
	uint32_t slubq_alien = 0;
};

// Parse argv (argv[0] is the program). Returns 0, 1 when --help was shown,
// or -1 after printing an error.
int parse_options(int argc, char **argv, options &o);

void print_usage(const char *prog);

} // namespace fwd
