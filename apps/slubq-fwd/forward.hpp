/* SPDX-License-Identifier: BSD-3-Clause */
// Forwarding state shared by the engines: streams (rx queue -> tx queue),
// per-lcore contexts with owner-written counters, and the loop that polls
// an lcore's streams until stop is requested.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>
#include <rte_ether.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

namespace fwd {

constexpr unsigned max_burst = 512;
constexpr unsigned max_ports = RTE_MAX_ETHPORTS;
constexpr unsigned max_pipeline_rings = 64;

// One rx queue polled by one lcore and the tx queue its packets go to.
struct stream {
	uint16_t rx_port, rx_queue;
	uint16_t tx_port, tx_queue;
};

enum class lcore_role { forward, pipeline_rx, pipeline_worker };

// Read-only while forwarding runs.
struct fwd_shared {
	unsigned burst = 32;
	bool pipeline_free = false;                 // pipeline workers free instead of transmitting
	bool yield_when_idle = false;               // forwarding lcores share CPUs: give the CPU away when idle
	uint16_t peer_of[max_ports] = {};           // tx port of each rx port
	rte_ether_addr port_mac[max_ports] = {};    // source MAC of each port (mac mode)
	rte_ether_addr peer_mac[max_ports] = {};    // destination MAC sent out of each port
	uint16_t txpkt_len = 64;                    // txonly
	uint8_t txpkt_hdr[64] = {};                 // txonly: Ethernet + IPv4 + UDP header template, per port MACs patched in
	unsigned txpkt_hdr_len = 0;
};

// Counters of one lcore, written by that lcore only (plain stores, read
// by the main lcore with relaxed loads: no atomic read-modify-write).
struct alignas(RTE_CACHE_LINE_SIZE) lcore_ctx {
	unsigned lcore_id = 0;
	lcore_role role = lcore_role::forward;
	const fwd_shared *shared = nullptr;
	std::vector<stream> streams;                // forward and pipeline_rx roles
	rte_mempool *tx_pool = nullptr;             // txonly: pool of this lcore's socket
	// pipeline: rx lcores spread bursts over the worker rings; a worker
	// drains its own ring and transmits on its own tx queue of every port.
	rte_ring *rings[max_pipeline_rings] = {};
	unsigned nb_rings = 0, next_ring = 0;
	rte_ring *in_ring = nullptr;
	uint16_t worker_txq = 0;
	uint64_t rx[max_ports] = {};
	uint64_t tx[max_ports] = {};
	uint64_t rx_dropped[max_ports] = {};          // pipeline: ring full
	uint64_t tx_dropped[max_ports] = {};          // the PMD refused them
};

inline std::atomic<bool> lcores_stop{false};

inline bool stop_requested() { return lcores_stop.load(std::memory_order_relaxed); }

// Owner-only counter update: a plain add published with a relaxed store.
inline void count(uint64_t &c, uint64_t n) { __atomic_store_n(&c, c + n, __ATOMIC_RELAXED); }
inline uint64_t read_counter(const uint64_t &c) { return __atomic_load_n(&c, __ATOMIC_RELAXED); }

// Transmit n packets of a stream; free (and count as dropped) what the PMD refuses.
inline void send_burst(lcore_ctx &lc, uint16_t port, uint16_t queue, rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent = rte_eth_tx_burst(port, queue, pkts, n);
	count(lc.tx[port], sent);
	if (sent < n) {
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
		count(lc.tx_dropped[port], n - sent);
	}
}

// The per-lcore loop of the stream engines: one burst per stream, round
// robin, until stop. Instantiated per engine so the burst function inlines.
template <void (*Burst)(lcore_ctx &, const stream &)>
int stream_loop(void *arg)
{
	auto &lc = *static_cast<lcore_ctx *>(arg);
	const stream *s = lc.streams.data();
	const size_t n = lc.streams.size();
	while (!stop_requested())
		for (size_t i = 0; i < n; i++)
			Burst(lc, s[i]);
	return 0;
}

} // namespace fwd
