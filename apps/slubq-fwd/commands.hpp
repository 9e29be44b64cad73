/* SPDX-License-Identifier: BSD-3-Clause */
// slubq-fwd's commands, parsed by DPDK's cmdline library as testpmd does:
// at the `-i` prompt, or from --cmd "c1; c2; ...".
#pragma once

#include <string>
#include "app.hpp"

namespace fwd {

// The interactive prompt, until `quit`, end of input or a signal.
void run_prompt(app &a);

// Run the commands separated by ';' or newlines, in order, until the last
// one or `quit`. A command that does not parse or fails counts in
// a.command_errors; the following ones still run.
void run_commands(app &a, const std::string &cmds);

} // namespace fwd
