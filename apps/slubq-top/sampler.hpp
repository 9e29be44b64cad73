/* SPDX-License-Identifier: BSD-3-Clause */
// One sample of the application's caches through its telemetry socket.
#pragma once

#include <string>
#include "telemetry_client.hpp"
#include "top_format.hpp"
#include "top_model.hpp"

namespace slubq_top {

// /slubq/list, then /slubq/info and /slubq/stats for every cache (or only
// the cache `only`, when not empty). Aliases are folded into the cache
// they name; a cache destroyed meanwhile is left out. Throws
// command_error when the application has no slubq commands.
snapshot take_snapshot(telemetry_client &client, const std::string &only = "");

// What the header shows about the connected application: pid and DPDK
// version from the telemetry greeting, its program name from /proc.
app_info describe_app(const telemetry_client &client, const std::string &prefix, double interval);

} // namespace slubq_top
