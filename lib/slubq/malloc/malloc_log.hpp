/* SPDX-License-Identifier: BSD-3-Clause */
// Logging and errors of the malloc layer, through the engine's public log
// type (slubq.h), in the engine's style: "SLUBQ: ..." lines, -errno and
// rte_errno.
#pragma once

#include <rte_errno.h>
#include <rte_log.h>
#include "slubq.h"

#define SLUBQ_MALLOC_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, slubq_logtype(), "SLUBQ: " fmt "\n", ##__VA_ARGS__)

namespace slubq {
template <typename T> inline T *malloc_fail(int err) { rte_errno = err; return nullptr; }
} // namespace slubq
