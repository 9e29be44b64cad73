/* SPDX-License-Identifier: BSD-3-Clause */
// Forwarding engines (--forward-mode): one lcore function per engine, run
// with an lcore_ctx as its argument.
#pragma once

#include <string>
#include <rte_launch.h>
#include "forward.hpp"

namespace fwd {

struct engine {
	const char *name;
	const char *what;          // one line for --help and docs
	lcore_function_t *run;     // the lcore's loop
	bool pipeline;             // rx lcores -> rings -> worker lcores
	bool receives;             // polls rx queues (txonly does not)
};

const engine *find_engine(const char *name);
std::string engine_names();

// Each engine file defines one of these.
extern const engine engine_io, engine_mac, engine_macswap, engine_rxonly, engine_txonly, engine_pipeline;

// txonly's burst, also used by --tx-first to seed every stream.
void txonly_burst(lcore_ctx &lc, const stream &s);

} // namespace fwd
