/* SPDX-License-Identifier: BSD-3-Clause */
// The full-screen view: the list of caches, or one cache per lcore,
// refreshed every interval and driven by keys (see docs/telemetry.md).
#pragma once

#include <string>
#include "telemetry_client.hpp"
#include "top_format.hpp"
#include "top_model.hpp"

namespace slubq_top {

// Runs until 'q', SIGINT or SIGTERM (0). cache: start in its per-lcore
// view. Throws connection_error / command_error when the application goes.
int run_live_view(telemetry_client &client, const app_info &app, sort_key sort, bool reverse, const std::string &cache);

} // namespace slubq_top
