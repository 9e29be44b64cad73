/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 1: sockets and lcores as slubq sees them. Logical socket ids are
// dense (0..nr_sockets-1); each maps to a real socket that provides its
// memory. A simulated topology maps lcores onto more logical sockets than
// the machine has, so multi-socket behaviour runs on a one-socket machine.
#pragma once

#include <cstdint>
#include <type_traits>
#include <rte_lcore.h>
#include "slubq.h"

namespace slubq {

struct topology {
	std::uint32_t nr_sockets;
	std::uint32_t simulated;
	std::int32_t real_socket[SLUBQ_MAX_SOCKETS];      // memory of each logical socket
	std::uint8_t lcore_socket[RTE_MAX_LCORE];          // logical socket of each lcore id
};
static_assert(std::is_trivially_copyable_v<topology>);

// The EAL's view: one logical socket per real socket (dense indices).
void topology_from_eal(topology &t);
// nr_sockets logical sockets; map (RTE_MAX_LCORE entries) or equal blocks of enabled lcores.
int topology_simulate(topology &t, unsigned nr_sockets, const int *map);
// Logical socket of the calling thread (EAL lcore or not).
unsigned topology_thread_socket(const topology &t);
// Logical index of a real socket id (0 when unknown).
unsigned topology_logical_of_real(const topology &t, int real_socket);

} // namespace slubq
