/* SPDX-License-Identifier: BSD-3-Clause */
// slubq-config size FILE --app ...: sizing of a stock application's mbuf
// pool (stock_sizing.cpp).
#pragma once

#include <string>
#include <slubq_config.h>

struct stock_options {
	std::string app;      // testpmd, l2fwd, generic
	std::string pool;     // mempool name ("" = the application's own)
	int mbcache = -1;     // rte_mempool cache (-1: the application's default for slubq)
};

// Prints the pool's need and the arguments; returns an exit status.
int stock_size(const char *path, const slubq_config *cfg, const stock_options &opt);
