/* SPDX-License-Identifier: BSD-3-Clause */
/* A C application built against an install with pkg-config libslubq_malloc
 * (test/abi/check_install.py): allocates from a size class and a large
 * block, frees both.
 *   malloc_app EAL-ARGS... */
#include <stdio.h>
#include <string.h>
#include <rte_eal.h>
#include <slubq_malloc.h>

int main(int argc, char **argv)
{
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 2;
	}
	char *small = slubq_malloc(100, SOCKET_ID_ANY);
	char *large = slubq_zmalloc(3 * SLUBQ_MALLOC_MAX_CLASS, SOCKET_ID_ANY);
	if (small == NULL || large == NULL || slubq_malloc_usable_size(small) != 128 || large[100] != 0) {
		fprintf(stderr, "slubq_malloc failed\n");
		return 1;
	}
	memset(small, 1, 100);
	slubq_free(small);
	slubq_free(large);
	printf("slubq_malloc: a 128-byte class object and a large block, allocated and freed\n");
	rte_eal_cleanup();
	return 0;
}
