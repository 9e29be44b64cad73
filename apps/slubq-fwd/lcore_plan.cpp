/* SPDX-License-Identifier: BSD-3-Clause */
#include "lcore_plan.hpp"

#include <algorithm>
#include <cstdio>
#include <slubq.h>

namespace fwd {

int plan_lcores(const options &o, const engine &e, lcore_plan &plan)
{
	std::vector<unsigned> workers;
	unsigned lc;
	RTE_LCORE_FOREACH_WORKER(lc)
		workers.push_back(lc);
	unsigned want = o.nb_cores ? o.nb_cores : unsigned(workers.size());
	if (workers.empty() || want > workers.size()) {
		std::fprintf(stderr,
			     "slubq-fwd: %u forwarding lcore(s) wanted, %zu worker lcore(s) given to the EAL "
			     "(the main lcore does not forward: e.g. -l 0-1, or --lcores=(0-2)@(0-1))\n",
			     want ? want : 1, workers.size());
		return -1;
	}
	plan.lcores.assign(workers.begin(), workers.begin() + want);
	plan.roles.assign(want, lcore_role::forward);
	if (e.pipeline) {
		if (want < 2) {
			std::fprintf(stderr, "slubq-fwd: pipeline needs 2 forwarding lcores or more (one rx, one worker),"
					     " e.g. --lcores=(0-2)@(0-1)\n");
			return -1;
		}
		plan.nb_rx = want / 2;
		plan.nb_workers = want - plan.nb_rx;
		if (plan.nb_workers > max_pipeline_rings) {
			std::fprintf(stderr, "slubq-fwd: at most %u pipeline workers\n", max_pipeline_rings);
			return -1;
		}
		for (unsigned i = 0; i < want; i++)
			plan.roles[i] = i < plan.nb_rx ? lcore_role::pipeline_rx : lcore_role::pipeline_worker;
	} else {
		plan.nb_rx = want;
	}
	return 0;
}

int simulate_sockets(const options &o, const lcore_plan &plan)
{
	if (o.sockets == 0)
		return 0;
	const int *mapping = nullptr;
	static int map[RTE_MAX_LCORE];
	if (plan.nb_workers > 0 && o.sockets > 1) {
		std::fill(std::begin(map), std::end(map), 0);
		unsigned w = 0;
		for (size_t i = 0; i < plan.lcores.size(); i++)
			if (plan.roles[i] == lcore_role::pipeline_worker)
				map[plan.lcores[i]] = int(1 + w++ % (o.sockets - 1));
		mapping = map;
	}
	int rc = slubq_topology_simulate(o.sockets, mapping);
	if (rc < 0) {
		std::fprintf(stderr, "slubq-fwd: cannot simulate %u sockets: %s\n", o.sockets, rte_strerror(-rc));
		return -1;
	}
	return 0;
}

std::vector<int> lcore_sockets(const lcore_plan &plan)
{
	std::vector<int> s{int(rte_lcore_to_socket_id(rte_get_main_lcore()))};
	for (unsigned lc : plan.lcores)
		s.push_back(int(rte_lcore_to_socket_id(lc)));
	return s;
}

} // namespace fwd
