/* SPDX-License-Identifier: BSD-3-Clause */
// Per-lcore alien buffers: an lcore that frees objects of another socket
// keeps them in an array of its own for that socket (no lock, no shared
// line), and the array goes home whole when it reaches the alien size: one
// home node lock per alien-size objects, and the home's depot lists it as
// a full magazine that a home lcore takes in exchange for its emptied
// queue array (Bonwick's magazines across sockets). The arrays are the
// lcore queue's size and allocated on the home socket, so the arrays
// circulate between the freeing lcore, the home depot and the home lcores.
//
// Who may touch lcore lc's buffers: its owner inside an operation, or a
// reclaimer holding lc's claim while the owner is outside (the same
// protocol as the lcore queue, queue/lcore_queue.hpp).
#include <algorithm>
#include <rte_malloc.h>
#include "cache/cache.hpp"

namespace slubq {

namespace {

std::uint32_t send_threshold(const slubq_cache *c, const obj_stack &b)
{
	return std::clamp<std::uint32_t>(load_relaxed(c->tune.alien_size), 1, b.capacity);
}

} // namespace

obj_stack *alien_buffer(slubq_cache *c, const lcore_queue *q, unsigned lc, unsigned home)
{
	obj_stack &b = c->aliens[lc].home[home];
	if (SLUBQ_LIKELY(b.objs != nullptr))
		return &b;
	if (c->flags & SLUBQ_F_NO_ALIEN)
		return nullptr;
	const std::uint32_t cap = q->capacity;
	auto **objs = static_cast<void **>(
		rte_malloc_socket("slubq_alien", cap * sizeof(void *), cache_line, c->nodes[home]->real_socket));
	if (objs == nullptr)
		objs = static_cast<void **>(rte_malloc("slubq_alien", cap * sizeof(void *), cache_line));
	if (objs == nullptr)
		return nullptr;
	b.count = 0;
	b.capacity = cap;
	b.size = send_threshold(c, b);
	crash_order(); // the array is ours only once it is complete
	b.objs = objs;
	return &b;
}

std::uint32_t alien_buffer_send(slubq_cache *c, unsigned lc, unsigned home)
{
	obj_stack &b = c->aliens[lc].home[home];
	b.count = std::min(b.count, b.capacity); // a dead owner may have left it past its array
	const std::uint32_t n = b.count;
	if (n != 0) {
		node *dest = c->nodes[home];
		node_lock(nodes_of(c), dest);
		alien_send_home(nodes_of(c), dest, b, b.capacity);
		node_unlock(dest);
		c->stats[lc].alien_flushes++;
	}
	if (b.objs != nullptr)
		b.size = send_threshold(c, b); // the alien size may have been tuned
	return n;
}

void alien_buffers_retune(slubq_cache *c, unsigned lc)
{
	for (unsigned h = 0; h < c->nr_sockets; h++) {
		obj_stack &b = c->aliens[lc].home[h];
		if (b.objs == nullptr)
			continue;
		b.size = send_threshold(c, b);
		if (b.count >= b.size)
			alien_buffer_send(c, lc, h);
	}
}

std::uint32_t alien_buffers_home(slubq_cache *c, unsigned lc)
{
	std::uint32_t n = 0;
	for (unsigned h = 0; h < c->nr_sockets; h++)
		if (load_relaxed(c->aliens[lc].home[h].count) != 0)
			n += alien_buffer_send(c, lc, h);
	return n;
}

std::uint64_t alien_buffered(const slubq_cache *c, unsigned lc)
{
	std::uint64_t n = 0;
	for (unsigned h = 0; h < c->nr_sockets; h++)
		n += load_relaxed(c->aliens[lc].home[h].count);
	return n;
}

void alien_buffers_free(slubq_cache *c)
{
	for (auto &la : c->aliens)
		for (auto &b : la.home) {
			rte_free(b.objs);
			b = obj_stack{};
		}
}

} // namespace slubq
