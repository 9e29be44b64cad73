/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A deliberately leaking DPDK plugin for the debug integration test
 * (stock_debug_test.py): loaded into stock dpdk-testpmd with
 * -d libslubq_test_leaker.so, it answers the telemetry command
 *   /slubq_test/leak,<pool>,<n>
 * by registering the telemetry thread as an lcore, allocating n mbufs of
 * the pool from slubq_test_leak_mbufs() and never freeing them. The reply
 * gives the lcore, so the test can check that the leak report names it
 * and the function. Telemetry starts once the EAL is up, so the pool can
 * be looked up safely (a constructor runs before the EAL exists).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_telemetry.h>

#define LEAK_MAX 64

static struct rte_mbuf *leaked[LEAK_MAX];
static unsigned int nb_leaked;

/* The leaking code the report must name. Not static, not inlined: it is in
 * the dynamic symbol table, so dladdr() names it. */
__attribute__((noinline)) int slubq_test_leak_mbufs(struct rte_mempool *mp, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n && nb_leaked < LEAK_MAX; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

		if (m == NULL)
			return -1;
		leaked[nb_leaked++] = m;
	}
	__asm__ volatile("" ::: "memory"); /* no tail call: this frame is the caller */
	return (int)i;
}

static int cmd_leak(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	char pool[RTE_MEMPOOL_NAMESIZE];
	const char *comma = params ? strchr(params, ',') : NULL;
	struct rte_mempool *mp;
	unsigned int n;
	int got;

	rte_tel_data_start_dict(d);
	if (comma == NULL || (size_t)(comma - params) >= sizeof(pool)) {
		rte_tel_data_add_dict_string(d, "error", "want <pool>,<n>");
		return 0;
	}
	memcpy(pool, params, (size_t)(comma - params));
	pool[comma - params] = '\0';
	n = (unsigned int)strtoul(comma + 1, NULL, 10);
	mp = rte_mempool_lookup(pool);
	if (mp == NULL) {
		rte_tel_data_add_dict_string(d, "error", "no such mempool");
		return 0;
	}
	if (rte_thread_register() < 0) {
		rte_tel_data_add_dict_string(d, "error", "rte_thread_register failed");
		return 0;
	}
	rte_tel_data_add_dict_int(d, "lcore", (int)rte_lcore_id());
	got = slubq_test_leak_mbufs(mp, n);
	rte_thread_unregister();
	rte_tel_data_add_dict_int(d, "leaked", got);
	return 0;
}

RTE_INIT(slubq_test_leaker_init)
{
	rte_telemetry_register_cmd("/slubq_test/leak", cmd_leak,
				   "Allocate n mbufs of a pool and never free them. Parameters: pool,n");
}
