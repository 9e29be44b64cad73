/* SPDX-License-Identifier: BSD-3-Clause */
#include "topology/topology.hpp"

#include <cstring>
#include "common/log.hpp"

namespace slubq {

void topology_from_eal(topology &t)
{
	std::memset(&t, 0, sizeof(t));
	unsigned n = rte_socket_count();
	if (n == 0)
		n = 1;
	if (n > SLUBQ_MAX_SOCKETS) {
		SLUBQ_LOG(WARNING, "%u sockets, only %d used", n, SLUBQ_MAX_SOCKETS);
		n = SLUBQ_MAX_SOCKETS;
	}
	t.nr_sockets = n;
	for (unsigned i = 0; i < n; i++) {
		int s = rte_socket_id_by_idx(i);
		t.real_socket[i] = s < 0 ? 0 : s;
	}
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++)
		t.lcore_socket[lc] = std::uint8_t(topology_logical_of_real(t, int(rte_lcore_to_socket_id(lc))));
}

unsigned topology_logical_of_real(const topology &t, int real_socket)
{
	if (t.simulated)
		return 0;
	for (unsigned i = 0; i < t.nr_sockets; i++)
		if (t.real_socket[i] == real_socket)
			return i;
	return 0;
}

int topology_simulate(topology &t, unsigned nr_sockets, const int *map)
{
	if (nr_sockets == 0 || nr_sockets > SLUBQ_MAX_SOCKETS)
		return fail(EINVAL);
	topology eal;
	topology_from_eal(eal);
	topology s;
	std::memset(&s, 0, sizeof(s));
	s.nr_sockets = nr_sockets;
	s.simulated = 1;
	if (map != nullptr) {
		for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
			if (map[lc] < 0 || unsigned(map[lc]) >= nr_sockets)
				return fail(EINVAL);
			s.lcore_socket[lc] = std::uint8_t(map[lc]);
		}
	} else {
		// Equal blocks of the enabled lcores (main included), in id order;
		// lcore ids that are not enabled go round-robin.
		unsigned enabled = rte_lcore_count();
		unsigned per = (enabled + nr_sockets - 1) / nr_sockets;
		if (per == 0)
			per = 1;
		unsigned idx = 0;
		for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
			if (rte_lcore_is_enabled(lc))
				s.lcore_socket[lc] = std::uint8_t((idx++ / per) % nr_sockets);
			else
				s.lcore_socket[lc] = std::uint8_t(lc % nr_sockets);
		}
	}
	// Memory of a simulated socket comes from the real socket of its first lcore.
	for (unsigned i = 0; i < nr_sockets; i++)
		s.real_socket[i] = eal.real_socket[0];
	for (unsigned i = 0; i < nr_sockets; i++) {
		for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
			if (rte_lcore_is_enabled(lc) && s.lcore_socket[lc] == i) {
				s.real_socket[i] = int(rte_lcore_to_socket_id(lc));
				break;
			}
		}
	}
	t = s;
	return 0;
}

unsigned topology_thread_socket(const topology &t)
{
	unsigned lc = rte_lcore_id();
	if (lc < RTE_MAX_LCORE)
		return t.lcore_socket[lc];
	if (t.simulated)
		return 0;
	int s = int(rte_socket_id());
	return s < 0 ? 0 : topology_logical_of_real(t, s);
}

} // namespace slubq
