/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 8 (beside debug/ and malloc/): the /slubq/* telemetry commands,
// callable without the socket (tests call them from many threads at once,
// as telemetry's client threads do).
#pragma once

#include <rte_telemetry.h>

namespace slubq::tel {

// Run command `cmd` ("/slubq/info", ...) with params into d, as the
// telemetry socket would. -EINVAL for a command that is not slubq's.
int run_command(const char *cmd, const char *params, rte_tel_data *d);

} // namespace slubq::tel
