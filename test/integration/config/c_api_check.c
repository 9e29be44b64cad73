/* SPDX-License-Identifier: BSD-3-Clause */
/* slubq_config.h and slubq_defaults.h are C headers: this file is compiled as C. */
#include <string.h>
#include <slubq_config.h>
#include <slubq_defaults.h>

/* Loads a two-pool configuration through the C API; returns the number
 * of pools, or a negative errno. */
int c_api_pool_count(void);

int c_api_pool_count(void)
{
	struct slubq_config *cfg;
	char err[512];
	struct slubq_config_pool p;
	int rc = slubq_config_load_string("pools: [{name: a, count: 100}, {name: b, count: 200}]\n", "c.yaml", &cfg,
					  err, sizeof(err));
	if (rc < 0)
		return rc;
	rc = (int)slubq_config_pool_count(cfg);
	if (slubq_auto_shared(SLUBQ_DEFAULT_QUEUE_SIZE) != 2 * SLUBQ_DEFAULT_QUEUE_SIZE ||
	    slubq_mempool_queue_size(UINT32_MAX, 0, 1) != SLUBQ_DEFAULT_QUEUE_SIZE)
		rc = -1;
	if (slubq_config_pool_get(cfg, 1, &p) < 0 || strcmp(p.name, "b") != 0 || p.count[p.sockets[0]] != 200)
		rc = -1;
	slubq_config_free(cfg);
	return rc;
}
