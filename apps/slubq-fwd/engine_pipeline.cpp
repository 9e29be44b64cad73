/* SPDX-License-Identifier: BSD-3-Clause */
// pipeline: rx lcores receive and hand each burst through an rte_ring to a
// worker lcore, which transmits it on the peer port (or frees it). Packets
// allocated on one lcore are freed on another; with simulated sockets the
// workers sit on another socket than the rx lcores, so the frees are remote
// and go home through slubq's alien queues.
#include "engines.hpp"

#include <sched.h>

namespace fwd {

namespace {

void rx_burst(lcore_ctx &lc, const stream &s)
{
	rte_mbuf *pkts[max_burst];
	uint16_t n = rte_eth_rx_burst(s.rx_port, s.rx_queue, pkts, uint16_t(lc.shared->burst));
	if (n == 0)
		return;
	count(lc.rx[s.rx_port], n);
	// The worker finds the tx port from the rx port; not every PMD sets it.
	for (uint16_t i = 0; i < n; i++)
		pkts[i]->port = s.rx_port;
	rte_ring *r = lc.rings[lc.next_ring];
	lc.next_ring = lc.next_ring + 1 == lc.nb_rings ? 0 : lc.next_ring + 1;
	unsigned queued = rte_ring_enqueue_burst(r, reinterpret_cast<void *const *>(pkts), n, nullptr);
	if (queued < n) {
		rte_pktmbuf_free_bulk(pkts + queued, n - queued);
		count(lc.rx_dropped[s.rx_port], n - queued);
		// On a shared CPU the worker may be waiting for our time slice.
		if (lc.shared->yield_when_idle)
			sched_yield();
	}
}

int worker_loop(lcore_ctx &lc)
{
	const fwd_shared &sh = *lc.shared;
	rte_mbuf *pkts[max_burst];
	while (!stop_requested()) {
		unsigned n = rte_ring_dequeue_burst(lc.in_ring, reinterpret_cast<void **>(pkts), sh.burst, nullptr);
		if (n == 0) {
			if (sh.yield_when_idle)
				sched_yield();
			continue;
		}
		if (sh.pipeline_free) {
			count(lc.tx[sh.peer_of[pkts[0]->port]], n);
			rte_pktmbuf_free_bulk(pkts, n);
			continue;
		}
		// A burst holds one rx port's packets; split anyway if several rx
		// lcores ever share a ring with mixed ports.
		unsigned start = 0;
		while (start < n) {
			uint16_t port = pkts[start]->port;
			unsigned end = start + 1;
			while (end < n && pkts[end]->port == port)
				end++;
			send_burst(lc, sh.peer_of[port], lc.worker_txq, pkts + start, uint16_t(end - start));
			start = end;
		}
	}
	return 0;
}

int pipeline_run(void *arg)
{
	auto &lc = *static_cast<lcore_ctx *>(arg);
	if (lc.role == lcore_role::pipeline_worker)
		return worker_loop(lc);
	return stream_loop<rx_burst>(arg);
}

} // namespace

const engine engine_pipeline = {"pipeline",
				"rx lcores -> rte_ring -> worker lcores that transmit (or free) on the peer port",
				pipeline_run, true, true};

} // namespace fwd
