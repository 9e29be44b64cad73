/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <rte_log.h>
#include <rte_errno.h>

#include "slubq.h"

// Through the public slubq_logtype(): the mempool driver logs with this
// macro too, and libslubq exports no variable for it.
#define SLUBQ_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, slubq_logtype(), "SLUBQ: " fmt "\n", ##__VA_ARGS__)

namespace slubq {
// Errors are -errno and rte_errno (DPDK convention).
inline int fail(int err) { rte_errno = err; return -err; }
template <typename T> inline T *fail_null(int err) { rte_errno = err; return nullptr; }
} // namespace slubq
