/* SPDX-License-Identifier: BSD-3-Clause */
#include "forwarder.hpp"

#include <cstdio>
#include <cstring>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_udp.h>
#include <slubq.h>

namespace fwd {

namespace {

// Ethernet + IPv4 + UDP header of txonly's packets (198.18.0.1:9 ->
// 198.18.0.2:9, the benchmarking range); MACs are written per port.
unsigned build_txpkt_header(uint8_t *buf, unsigned pkt_len)
{
	auto *eth = reinterpret_cast<rte_ether_hdr *>(buf);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	auto *ip = reinterpret_cast<rte_ipv4_hdr *>(eth + 1);
	std::memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(uint16_t(pkt_len - sizeof(rte_ether_hdr)));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(198, 18, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(198, 18, 0, 2));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	auto *udp = reinterpret_cast<rte_udp_hdr *>(ip + 1);
	udp->src_port = rte_cpu_to_be_16(9);
	udp->dst_port = rte_cpu_to_be_16(9);
	udp->dgram_len = rte_cpu_to_be_16(uint16_t(pkt_len - sizeof(rte_ether_hdr) - sizeof(rte_ipv4_hdr)));
	udp->dgram_cksum = 0;
	return unsigned(sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr) + sizeof(rte_udp_hdr));
}

// True when two forwarding lcores may run on the same CPU (e.g.
// --lcores=(0-2)@(0-1)): a busy-polling lcore then holds the CPU another
// one needs, and a pipeline moves one ring-full per time slice.
bool lcores_share_cpus(const lcore_plan &plan)
{
	rte_cpuset_t seen;
	CPU_ZERO(&seen);
	for (unsigned lc : plan.lcores) {
		rte_cpuset_t set = rte_lcore_cpuset(lc), both;
		CPU_AND(&both, &set, &seen);
		if (CPU_COUNT(&both) != 0)
			return true;
		CPU_OR(&seen, &seen, &set);
	}
	return false;
}

} // namespace

std::vector<std::vector<stream>> plan_streams(const lcore_plan &plan, const std::vector<port_info> &ports,
					      uint16_t nb_rxq)
{
	const unsigned nb_ports = unsigned(ports.size());
	std::vector<stream> all;
	for (unsigned i = 0; i < nb_ports; i++)
		for (uint16_t q = 0; q < nb_rxq; q++)
			all.push_back({ports[i].id, q, ports[peer_index(i, nb_ports)].id, q});
	std::vector<size_t> receivers;
	for (size_t i = 0; i < plan.lcores.size(); i++)
		if (plan.roles[i] != lcore_role::pipeline_worker)
			receivers.push_back(i);
	std::vector<std::vector<stream>> out(plan.lcores.size());
	for (size_t k = 0; k < receivers.size(); k++) {
		size_t from = k * all.size() / receivers.size(), to = (k + 1) * all.size() / receivers.size();
		out[receivers[k]].assign(all.begin() + long(from), all.begin() + long(to));
	}
	return out;
}

int forwarder::setup(const options &o, const engine &e, const lcore_plan &plan, const std::vector<port_info> &ports,
		     const pool_set &pools)
{
	eng_ = &e;
	shared_.burst = o.burst;
	shared_.pipeline_free = o.pipeline_free;
	shared_.yield_when_idle = e.pipeline && lcores_share_cpus(plan);
	if (shared_.yield_when_idle)
		std::printf("Note: forwarding lcores share CPUs: idle pipeline lcores yield the CPU\n");
	shared_.txpkt_len = uint16_t(o.txpkt_len);
	shared_.txpkt_hdr_len = build_txpkt_header(shared_.txpkt_hdr, o.txpkt_len);
	const unsigned nb_ports = unsigned(ports.size());
	for (unsigned i = 0; i < nb_ports; i++) {
		uint16_t pid = ports[i].id;
		shared_.peer_of[pid] = ports[peer_index(i, nb_ports)].id;
		shared_.port_mac[pid] = ports[i].mac;
		// testpmd's default peer address: 02:00:00:00:00:<port>
		shared_.peer_mac[pid] = rte_ether_addr{{0x02, 0, 0, 0, 0, uint8_t(pid)}};
	}

	std::vector<std::vector<stream>> streams = plan_streams(plan, ports, o.nb_rxq);
	nb_streams_ = 0;
	for (size_t i = 0; i < plan.lcores.size(); i++) {
		auto lc = std::make_unique<lcore_ctx>();
		lc->lcore_id = plan.lcores[i];
		lc->role = plan.roles[i];
		lc->shared = &shared_;
		lc->tx_pool = pools.for_lcore(lc->lcore_id);
		lc->streams = streams[i];
		nb_streams_ += unsigned(streams[i].size());
		lcores_.push_back(std::move(lc));
	}
	std::vector<lcore_ctx *> rx_lcores;
	for (auto &lc : lcores_)
		if (lc->role != lcore_role::pipeline_worker)
			rx_lcores.push_back(lc.get());
	if (rx_lcores.size() > nb_streams_)
		std::printf("Warning: %zu receiving lcores for %u streams: %zu lcore(s) idle (raise --rxq)\n",
			    rx_lcores.size(), nb_streams_, rx_lcores.size() - nb_streams_);

	if (e.pipeline) {
		unsigned w = 0;
		for (auto &lc : lcores_) {
			if (lc->role != lcore_role::pipeline_worker)
				continue;
			char name[RTE_RING_NAMESIZE];
			std::snprintf(name, sizeof(name), "fwd_pipe_%u", w);
			unsigned flags = RING_F_SC_DEQ | (plan.nb_rx == 1 ? RING_F_SP_ENQ : 0);
			rte_ring *r = rte_ring_create(name, o.ring_size, int(rte_lcore_to_socket_id(lc->lcore_id)), flags);
			if (r == nullptr) {
				std::fprintf(stderr, "slubq-fwd: cannot create ring %s: %s\n", name, rte_strerror(rte_errno));
				teardown();
				return -1;
			}
			rings_.push_back(r);
			lc->in_ring = r;
			lc->worker_txq = uint16_t(w);
			w++;
		}
		for (size_t k = 0; k < rx_lcores.size(); k++) {
			lcore_ctx *lc = rx_lcores[k];
			lc->nb_rings = unsigned(rings_.size());
			for (unsigned r = 0; r < lc->nb_rings; r++)
				lc->rings[r] = rings_[r];
			// rx lcores start on different rings so they do not all queue behind one worker
			lc->next_ring = unsigned(k % lc->nb_rings);
		}
	}
	return 0;
}

void forwarder::describe() const
{
	std::printf("Forwarding mode %s (%s): %zu lcore(s), %u stream(s), burst %u\n", eng_->name, eng_->what,
		    lcores_.size(), nb_streams_, shared_.burst);
	for (const auto &lc : lcores_) {
		std::printf("  lcore %u (socket %u", lc->lcore_id, rte_lcore_to_socket_id(lc->lcore_id));
		if (slubq_topology_is_simulated())
			std::printf(", simulated socket %u", slubq_topology_lcore_socket(lc->lcore_id));
		std::printf("%s): ", lc->role == lcore_role::pipeline_rx ? ", pipeline rx" :
			    lc->role == lcore_role::pipeline_worker ? ", pipeline worker" : "");
		if (lc->role == lcore_role::pipeline_worker)
			std::printf("ring %s -> %s on tx queue %u", lc->in_ring->name,
				    shared_.pipeline_free ? "free" : "peer port", lc->worker_txq);
		for (const auto &s : lc->streams)
			std::printf("%sRX P=%u/Q=%u -> TX P=%u/Q=%u", &s == lc->streams.data() ? "" : ", ", s.rx_port,
				    s.rx_queue, s.tx_port, s.tx_queue);
		if (lc->role != lcore_role::pipeline_worker && lc->streams.empty())
			std::printf("idle");
		std::printf("\n");
	}
}

int forwarder::start(bool tx_first)
{
	if (running_)
		return 0;
	std::memset(drained_, 0, sizeof(drained_));
	for (auto &lc : lcores_) {
		std::memset(lc->rx, 0, sizeof(lc->rx));
		std::memset(lc->tx, 0, sizeof(lc->tx));
		std::memset(lc->rx_dropped, 0, sizeof(lc->rx_dropped));
		std::memset(lc->tx_dropped, 0, sizeof(lc->tx_dropped));
	}
	if (tx_first)
		// The lcores are not running yet: the main lcore may use their queues and counters.
		for (auto &lc : lcores_)
			for (const auto &s : lc->streams)
				txonly_burst(*lc, s);
	lcores_stop.store(false, std::memory_order_release);
	start_tsc_ = rte_get_tsc_cycles();
	for (auto &lc : lcores_) {
		if (lc->role != lcore_role::pipeline_worker && lc->streams.empty())
			continue; // nothing to poll: leave the CPU to the others
		int rc = rte_eal_remote_launch(eng_->run, lc.get(), lc->lcore_id);
		if (rc != 0) {
			std::fprintf(stderr, "slubq-fwd: cannot launch lcore %u: %s\n", lc->lcore_id, rte_strerror(-rc));
			running_ = true;
			stop();
			return -1;
		}
	}
	running_ = true;
	return 0;
}

void forwarder::stop()
{
	if (!running_)
		return;
	lcores_stop.store(true, std::memory_order_release);
	for (auto &lc : lcores_)
		rte_eal_wait_lcore(lc->lcore_id);
	stop_tsc_ = rte_get_tsc_cycles();
	running_ = false;
	// Packets still queued between rx lcores and workers.
	// Packets still queued between rx lcores and workers: freed here and
	// counted as dropped on their rx port, so rx = tx + dropped holds.
	rte_mbuf *pkts[64];
	for (rte_ring *r : rings_)
		for (unsigned n; (n = rte_ring_dequeue_burst(r, reinterpret_cast<void **>(pkts), 64, nullptr)) > 0;) {
			for (unsigned i = 0; i < n; i++)
				drained_[pkts[i]->port]++;
			rte_pktmbuf_free_bulk(pkts, n);
		}
}

void forwarder::teardown()
{
	stop();
	for (rte_ring *r : rings_)
		rte_ring_free(r);
	rings_.clear();
	lcores_.clear();
}

port_counts forwarder::counts(uint16_t port) const
{
	port_counts c;
	c.rx_dropped = drained_[port];
	for (const auto &lc : lcores_) {
		c.rx += read_counter(lc->rx[port]);
		c.tx += read_counter(lc->tx[port]);
		c.rx_dropped += read_counter(lc->rx_dropped[port]);
		c.tx_dropped += read_counter(lc->tx_dropped[port]);
	}
	return c;
}

double forwarder::seconds() const
{
	if (start_tsc_ == 0)
		return 0;
	uint64_t end = running_ ? rte_get_tsc_cycles() : stop_tsc_;
	return double(end - start_tsc_) / double(rte_get_tsc_hz());
}

} // namespace fwd
