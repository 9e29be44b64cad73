/* SPDX-License-Identifier: BSD-3-Clause */
// slubq-fwd: a testpmd-style packet forwarder whose mbuf pools are slubq
// pools (or any other mempool driver with --pool-ops, for comparison).
//
//   slubq-fwd [EAL options] -- [--config F.yaml] [--forward-mode=io|...]
//             [-i | --cmd "start; sleep 2; show slubq; stop; quit"] ...
//
// Without -i or --cmd it forwards until SIGINT/SIGTERM or --duration,
// printing statistics every --stats-period seconds. On exit it stops the
// lcores, drains and closes the ports and checks that every mbuf came
// home; the exit status is 1 when one did not (or a command failed).
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <rte_eal.h>
#include <rte_errno.h>
#include "app.hpp"
#include "commands.hpp"

namespace {

void on_signal(int sig) { fwd::signal_received = sig; }

// No SA_RESTART: a signal must interrupt the prompt's blocking read.
void install_signal_handlers()
{
	struct sigaction sa = {};
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, nullptr);
	sigaction(SIGTERM, &sa, nullptr);
}

} // namespace

int main(int argc, char **argv)
{
	std::setvbuf(stdout, nullptr, _IOLBF, 0);
	install_signal_handlers();
	int eal = rte_eal_init(argc, argv);
	if (eal < 0) {
		std::fprintf(stderr, "slubq-fwd: cannot init EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argv[eal] = argv[0];
	fwd::app a;
	int rc = fwd::parse_options(argc - eal, argv + eal, a.opt);
	if (rc != 0) {
		rte_eal_cleanup();
		return rc > 0 ? 0 : 2;
	}
	if (a.setup() != 0) {
		a.shutdown();
		rte_eal_cleanup();
		return 1;
	}
	if (!a.opt.cmds.empty())
		fwd::run_commands(a, a.opt.cmds);
	if (a.opt.interactive && !a.should_quit()) {
		fwd::run_prompt(a);
	} else if (a.opt.cmds.empty()) {
		if (a.start(a.opt.tx_first) == 0) {
			if (a.opt.duration <= 0)
				std::printf("Forwarding until SIGINT or SIGTERM\n");
			a.wait(a.opt.duration);
		}
	}
	if (fwd::signal_received != 0)
		std::printf("\nSignal %d received, preparing to exit...\n", int(fwd::signal_received));
	uint64_t leaked = a.shutdown();
	rte_eal_cleanup();
	std::printf("Bye...\n");
	if (a.command_errors != 0)
		std::printf("%u command(s) failed\n", a.command_errors);
	return leaked != 0 || a.command_errors != 0 ? 1 : 0;
}
