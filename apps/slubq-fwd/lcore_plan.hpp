/* SPDX-License-Identifier: BSD-3-Clause */
// Which worker lcores forward and in which role, and the simulated socket
// of each lcore when --sockets asks for more sockets than the machine has.
#pragma once

#include <vector>
#include "engines.hpp"
#include "options.hpp"

namespace fwd {

struct lcore_plan {
	std::vector<unsigned> lcores;     // forwarding lcores, in order
	std::vector<lcore_role> roles;    // one per lcore
	unsigned nb_rx = 0, nb_workers = 0;
};

// Choose the forwarding lcores (--nb-cores of the workers) and their roles.
// Prints the reason and returns -1 when the lcores cannot run the engine.
int plan_lcores(const options &o, const engine &e, lcore_plan &plan);

// Simulate o.sockets sockets for the caches created from now on. Pipeline:
// rx lcores (and the main lcore) on socket 0, workers on the others, so
// every free is remote. Other engines: the lcores split into equal blocks.
int simulate_sockets(const options &o, const lcore_plan &plan);

// The real sockets of the main lcore and the forwarding lcores.
std::vector<int> lcore_sockets(const lcore_plan &plan);

} // namespace fwd
