/* SPDX-License-Identifier: BSD-3-Clause */
#include "common/log.hpp"

RTE_LOG_REGISTER(slubq_logtype_id, lib.slubq, NOTICE);

int slubq_logtype(void) { return slubq_logtype_id; }
