/* SPDX-License-Identifier: BSD-3-Clause */
#include "commands.hpp"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>
#include <cmdline_socket.h>
#include <rte_ethdev.h>
#include "slubq_view.hpp"

namespace fwd {

namespace {

app *the_app; // the cmdline callbacks' context (one app per process)

using token = cmdline_parse_token_hdr_t;
#define TOKEN(t) reinterpret_cast<token *>(&(t))

// ---- start [tx_first] / stop / quit / sleep / help ------------------------

struct cmd_word_result {
	cmdline_fixed_string_t word;
};

void cmd_start_parsed(void *, cmdline *, void *)
{
	if (the_app->start(false) != 0)
		the_app->command_failed("start failed");
}
cmdline_parse_token_string_t cmd_start_word = TOKEN_STRING_INITIALIZER(cmd_word_result, word, "start");
cmdline_parse_inst_t cmd_start = {cmd_start_parsed, nullptr, "start: start packet forwarding",
				  {TOKEN(cmd_start_word), nullptr}};

struct cmd_start_tx_first_result {
	cmdline_fixed_string_t start, tx_first;
};
void cmd_start_tx_first_parsed(void *, cmdline *, void *)
{
	if (the_app->start(true) != 0)
		the_app->command_failed("start failed");
}
cmdline_parse_token_string_t cmd_stf_start = TOKEN_STRING_INITIALIZER(cmd_start_tx_first_result, start, "start");
cmdline_parse_token_string_t cmd_stf_tx_first =
	TOKEN_STRING_INITIALIZER(cmd_start_tx_first_result, tx_first, "tx_first");
cmdline_parse_inst_t cmd_start_tx_first = {
	cmd_start_tx_first_parsed, nullptr, "start tx_first: send a burst on every stream, then forward",
	{TOKEN(cmd_stf_start), TOKEN(cmd_stf_tx_first), nullptr}};

void cmd_stop_parsed(void *, cmdline *, void *) { the_app->stop(); }
cmdline_parse_token_string_t cmd_stop_word = TOKEN_STRING_INITIALIZER(cmd_word_result, word, "stop");
cmdline_parse_inst_t cmd_stop = {cmd_stop_parsed, nullptr, "stop: stop forwarding, show forward statistics",
				 {TOKEN(cmd_stop_word), nullptr}};

void cmd_quit_parsed(void *, cmdline *cl, void *)
{
	the_app->quit = true;
	cmdline_quit(cl);
}
cmdline_parse_token_string_t cmd_quit_word = TOKEN_STRING_INITIALIZER(cmd_word_result, word, "quit");
cmdline_parse_inst_t cmd_quit = {cmd_quit_parsed, nullptr, "quit: stop, check for leaks, exit",
				 {TOKEN(cmd_quit_word), nullptr}};

struct cmd_sleep_result {
	cmdline_fixed_string_t sleep, seconds;
};
void cmd_sleep_parsed(void *parsed, cmdline *, void *)
{
	auto *r = static_cast<cmd_sleep_result *>(parsed);
	char *end = nullptr;
	double s = std::strtod(r->seconds, &end);
	if (end == r->seconds || *end != '\0' || !(s >= 0) || s > 86400) {
		the_app->command_failed("sleep: want a number of seconds");
		return;
	}
	the_app->wait(s);
}
cmdline_parse_token_string_t cmd_sleep_word = TOKEN_STRING_INITIALIZER(cmd_sleep_result, sleep, "sleep");
cmdline_parse_token_string_t cmd_sleep_seconds = TOKEN_STRING_INITIALIZER(cmd_sleep_result, seconds, nullptr);
cmdline_parse_inst_t cmd_sleep = {
	cmd_sleep_parsed, nullptr, "sleep SECONDS: wait (periodic statistics keep printing)",
	{TOKEN(cmd_sleep_word), TOKEN(cmd_sleep_seconds), nullptr}};

// ---- show port stats all|N / clear port stats all / show config fwd -------

struct cmd_port_stats_result {
	cmdline_fixed_string_t show, port, stats, all;
	uint16_t port_id;
};
void cmd_show_port_stats_all_parsed(void *, cmdline *, void *) { print_port_stats(the_app->ports, -1); }
cmdline_parse_token_string_t cmd_ps_show = TOKEN_STRING_INITIALIZER(cmd_port_stats_result, show, "show");
cmdline_parse_token_string_t cmd_ps_port = TOKEN_STRING_INITIALIZER(cmd_port_stats_result, port, "port");
cmdline_parse_token_string_t cmd_ps_stats = TOKEN_STRING_INITIALIZER(cmd_port_stats_result, stats, "stats");
cmdline_parse_token_string_t cmd_ps_all = TOKEN_STRING_INITIALIZER(cmd_port_stats_result, all, "all");
cmdline_parse_token_num_t cmd_ps_id = TOKEN_NUM_INITIALIZER(cmd_port_stats_result, port_id, RTE_UINT16);
cmdline_parse_inst_t cmd_show_port_stats_all = {
	cmd_show_port_stats_all_parsed, nullptr, "show port stats all: NIC statistics of every port",
	{TOKEN(cmd_ps_show), TOKEN(cmd_ps_port), TOKEN(cmd_ps_stats), TOKEN(cmd_ps_all), nullptr}};

void cmd_show_port_stats_one_parsed(void *parsed, cmdline *, void *)
{
	uint16_t id = static_cast<cmd_port_stats_result *>(parsed)->port_id;
	for (const auto &p : the_app->ports)
		if (p.id == id) {
			print_port_stats(the_app->ports, id);
			return;
		}
	the_app->command_failed("no such port");
}
cmdline_parse_inst_t cmd_show_port_stats_one = {
	cmd_show_port_stats_one_parsed, nullptr, "show port stats PORT: NIC statistics of one port",
	{TOKEN(cmd_ps_show), TOKEN(cmd_ps_port), TOKEN(cmd_ps_stats), TOKEN(cmd_ps_id), nullptr}};

void cmd_clear_port_stats_parsed(void *, cmdline *, void *)
{
	for (const auto &p : the_app->ports)
		rte_eth_stats_reset(p.id);
	std::printf("NIC statistics cleared\n");
}
cmdline_parse_token_string_t cmd_ps_clear = TOKEN_STRING_INITIALIZER(cmd_port_stats_result, show, "clear");
cmdline_parse_inst_t cmd_clear_port_stats = {
	cmd_clear_port_stats_parsed, nullptr, "clear port stats all: reset the NIC statistics",
	{TOKEN(cmd_ps_clear), TOKEN(cmd_ps_port), TOKEN(cmd_ps_stats), TOKEN(cmd_ps_all), nullptr}};

struct cmd_show_config_result {
	cmdline_fixed_string_t show, config, fwd;
};
void cmd_show_config_fwd_parsed(void *, cmdline *, void *) { the_app->fw.describe(); }
cmdline_parse_token_string_t cmd_sc_show = TOKEN_STRING_INITIALIZER(cmd_show_config_result, show, "show");
cmdline_parse_token_string_t cmd_sc_config = TOKEN_STRING_INITIALIZER(cmd_show_config_result, config, "config");
cmdline_parse_token_string_t cmd_sc_fwd = TOKEN_STRING_INITIALIZER(cmd_show_config_result, fwd, "fwd");
cmdline_parse_inst_t cmd_show_config_fwd = {
	cmd_show_config_fwd_parsed, nullptr, "show config fwd: forwarding mode, lcores and streams",
	{TOKEN(cmd_sc_show), TOKEN(cmd_sc_config), TOKEN(cmd_sc_fwd), nullptr}};

// ---- show slubq [CACHE] ---------------------------------------------------

struct cmd_show_slubq_result {
	cmdline_fixed_string_t show, slubq, cache;
};
void cmd_show_slubq_parsed(void *, cmdline *, void *) { print_slubq_table(); }
cmdline_parse_token_string_t cmd_ss_show = TOKEN_STRING_INITIALIZER(cmd_show_slubq_result, show, "show");
cmdline_parse_token_string_t cmd_ss_slubq = TOKEN_STRING_INITIALIZER(cmd_show_slubq_result, slubq, "slubq");
cmdline_parse_token_string_t cmd_ss_cache = TOKEN_STRING_INITIALIZER(cmd_show_slubq_result, cache, nullptr);
cmdline_parse_inst_t cmd_show_slubq = {cmd_show_slubq_parsed, nullptr, "show slubq: a table of every slubq cache",
				       {TOKEN(cmd_ss_show), TOKEN(cmd_ss_slubq), nullptr}};

void cmd_show_slubq_cache_parsed(void *parsed, cmdline *, void *)
{
	if (slubq_cache *c = resolve_cache(static_cast<cmd_show_slubq_result *>(parsed)->cache))
		print_slubq_cache(c);
	else
		the_app->command_failed("show slubq: unknown cache");
}
cmdline_parse_inst_t cmd_show_slubq_cache = {
	cmd_show_slubq_cache_parsed, nullptr, "show slubq CACHE: one cache (or mbuf pool) per lcore and per socket",
	{TOKEN(cmd_ss_show), TOKEN(cmd_ss_slubq), TOKEN(cmd_ss_cache), nullptr}};

// ---- set slubq CACHE queue SIZE batch N / set slubq CACHE NAME VALUE -------

void report_tunables(slubq_cache *c)
{
	slubq_cache_info info;
	if (slubq_cache_get_info(c, &info) == 0)
		std::printf("slubq cache %s: queue %u, batch %u, shared %u, alien %u (lcores apply queue and batch at "
			    "their next slow path)\n",
			    info.name, info.queue_size, info.batch, info.shared_size, info.alien_size);
}

struct cmd_set_queue_result {
	cmdline_fixed_string_t set, slubq, cache, queue, batch;
	uint32_t size, nb;
};
void cmd_set_queue_batch_parsed(void *parsed, cmdline *, void *)
{
	auto *r = static_cast<cmd_set_queue_result *>(parsed);
	slubq_cache *c = resolve_cache(r->cache);
	if (c == nullptr) {
		the_app->command_failed("set slubq: unknown cache");
		return;
	}
	// Check both before changing either: a refused batch must not leave a new queue size behind.
	if (r->size > SLUBQ_MAX_QUEUE || r->nb == 0 || r->nb > (r->size ? r->size : 1)) {
		char why[128];
		std::snprintf(why, sizeof(why), "set slubq: want queue 0..%u and batch 1..queue size (got %u, %u)",
			      SLUBQ_MAX_QUEUE, r->size, r->nb);
		the_app->command_failed(why);
		return;
	}
	if (slubq_cache_set(c, SLUBQ_TUNE_QUEUE_SIZE, r->size) != 0 || slubq_cache_set(c, SLUBQ_TUNE_BATCH, r->nb) != 0) {
		the_app->command_failed(rte_strerror(rte_errno));
		return;
	}
	report_tunables(c);
}
cmdline_parse_token_string_t cmd_sq_set = TOKEN_STRING_INITIALIZER(cmd_set_queue_result, set, "set");
cmdline_parse_token_string_t cmd_sq_slubq = TOKEN_STRING_INITIALIZER(cmd_set_queue_result, slubq, "slubq");
cmdline_parse_token_string_t cmd_sq_cache = TOKEN_STRING_INITIALIZER(cmd_set_queue_result, cache, nullptr);
cmdline_parse_token_string_t cmd_sq_queue = TOKEN_STRING_INITIALIZER(cmd_set_queue_result, queue, "queue");
cmdline_parse_token_num_t cmd_sq_size = TOKEN_NUM_INITIALIZER(cmd_set_queue_result, size, RTE_UINT32);
cmdline_parse_token_string_t cmd_sq_batch = TOKEN_STRING_INITIALIZER(cmd_set_queue_result, batch, "batch");
cmdline_parse_token_num_t cmd_sq_nb = TOKEN_NUM_INITIALIZER(cmd_set_queue_result, nb, RTE_UINT32);
cmdline_parse_inst_t cmd_set_queue_batch = {
	cmd_set_queue_batch_parsed, nullptr,
	"set slubq CACHE queue SIZE batch N: lcore queue size and batch, applied while forwarding",
	{TOKEN(cmd_sq_set), TOKEN(cmd_sq_slubq), TOKEN(cmd_sq_cache), TOKEN(cmd_sq_queue), TOKEN(cmd_sq_size),
	 TOKEN(cmd_sq_batch), TOKEN(cmd_sq_nb), nullptr}};

// Why slubq_cache_set refused: the accepted range where there is one (as /slubq/set says it).
std::string refusal(slubq_cache *c, slubq_tunable key, int err)
{
	if (err == EINVAL && key == SLUBQ_TUNE_BATCH) {
		uint64_t q = 0;
		slubq_cache_get(c, SLUBQ_TUNE_QUEUE_SIZE, &q);
		return "batch must be 1.." + std::to_string(q ? q : 1) + " (the queue size)";
	}
	if (err == EINVAL && key != SLUBQ_TUNE_MEM_LIMIT)
		return "must be 0.." + std::to_string(SLUBQ_MAX_QUEUE);
	if (err == ENOTSUP && key == SLUBQ_TUNE_MEM_LIMIT)
		return "limit applies to elastic caches only";
	return rte_strerror(err);
}

struct cmd_set_tunable_result {
	cmdline_fixed_string_t set, slubq, cache, name;
	uint64_t value;
};
void cmd_set_tunable_parsed(void *parsed, cmdline *, void *)
{
	auto *r = static_cast<cmd_set_tunable_result *>(parsed);
	slubq_cache *c = resolve_cache(r->cache);
	slubq_tunable key;
	if (c == nullptr) {
		the_app->command_failed("set slubq: unknown cache");
		return;
	}
	if (slubq_tunable_from_name(r->name, &key) != 0 || slubq_cache_set(c, key, r->value) != 0) {
		char why[512];
		int err = rte_errno;
		std::string reason = slubq_tunable_from_name(r->name, &key) == 0 ? refusal(c, key, err) : rte_strerror(err);
		std::snprintf(why, sizeof(why), "set slubq %s %s %" PRIu64 ": %s", r->cache, r->name, r->value,
			      reason.c_str());
		the_app->command_failed(why);
		return;
	}
	report_tunables(c);
}
cmdline_parse_token_string_t cmd_st_set = TOKEN_STRING_INITIALIZER(cmd_set_tunable_result, set, "set");
cmdline_parse_token_string_t cmd_st_slubq = TOKEN_STRING_INITIALIZER(cmd_set_tunable_result, slubq, "slubq");
cmdline_parse_token_string_t cmd_st_cache = TOKEN_STRING_INITIALIZER(cmd_set_tunable_result, cache, nullptr);
cmdline_parse_token_string_t cmd_st_name =
	TOKEN_STRING_INITIALIZER(cmd_set_tunable_result, name, "queue#batch#shared#alien#limit");
cmdline_parse_token_num_t cmd_st_value = TOKEN_NUM_INITIALIZER(cmd_set_tunable_result, value, RTE_UINT64);
cmdline_parse_inst_t cmd_set_tunable = {
	cmd_set_tunable_parsed, nullptr,
	"set slubq CACHE queue|batch|shared|alien|limit VALUE: one tunable, applied while forwarding",
	{TOKEN(cmd_st_set), TOKEN(cmd_st_slubq), TOKEN(cmd_st_cache), TOKEN(cmd_st_name), TOKEN(cmd_st_value), nullptr}};

// ---- slubq shrink|verify CACHE ---------------------------------------------

struct cmd_slubq_op_result {
	cmdline_fixed_string_t slubq, op, cache;
};
void cmd_slubq_shrink_parsed(void *parsed, cmdline *, void *)
{
	slubq_cache *c = resolve_cache(static_cast<cmd_slubq_op_result *>(parsed)->cache);
	if (c == nullptr) {
		the_app->command_failed("slubq shrink: unknown cache");
		return;
	}
	int64_t bytes = slubq_cache_shrink(c);
	if (bytes < 0) {
		the_app->command_failed(rte_strerror(int(-bytes)));
		return;
	}
	std::printf("slubq cache %s: %" PRId64 " bytes given back; queues drained (other lcores drain at their next "
		    "slow path)\n",
		    slubq_cache_name(c), bytes);
}
cmdline_parse_token_string_t cmd_so_slubq = TOKEN_STRING_INITIALIZER(cmd_slubq_op_result, slubq, "slubq");
cmdline_parse_token_string_t cmd_so_shrink = TOKEN_STRING_INITIALIZER(cmd_slubq_op_result, op, "shrink");
cmdline_parse_token_string_t cmd_so_verify = TOKEN_STRING_INITIALIZER(cmd_slubq_op_result, op, "verify");
cmdline_parse_token_string_t cmd_so_cache = TOKEN_STRING_INITIALIZER(cmd_slubq_op_result, cache, nullptr);
cmdline_parse_inst_t cmd_slubq_shrink = {
	cmd_slubq_shrink_parsed, nullptr, "slubq shrink CACHE: drain the queues, give empty memory back",
	{TOKEN(cmd_so_slubq), TOKEN(cmd_so_shrink), TOKEN(cmd_so_cache), nullptr}};

void cmd_slubq_verify_parsed(void *parsed, cmdline *, void *)
{
	slubq_cache *c = resolve_cache(static_cast<cmd_slubq_op_result *>(parsed)->cache);
	if (c == nullptr) {
		the_app->command_failed("slubq verify: unknown cache");
		return;
	}
	if (the_app->fw.running()) {
		the_app->command_failed("slubq verify: needs a quiescent cache: stop first");
		return;
	}
	char report[4096];
	int bad = slubq_cache_verify(c, report, sizeof(report));
	std::printf("slubq cache %s: %s%s\n", slubq_cache_name(c), bad == 0 ? "consistent" : "PROBLEMS\n",
		    bad == 0 ? "" : report);
	if (bad != 0)
		the_app->command_failed("slubq verify found problems");
}
cmdline_parse_inst_t cmd_slubq_verify = {
	cmd_slubq_verify_parsed, nullptr, "slubq verify CACHE: check every invariant (when stopped)",
	{TOKEN(cmd_so_slubq), TOKEN(cmd_so_verify), TOKEN(cmd_so_cache), nullptr}};

// ---- help ------------------------------------------------------------------

extern cmdline_parse_ctx_t main_ctx[];

void cmd_help_parsed(void *, cmdline *, void *)
{
	std::printf("Commands:\n");
	for (unsigned i = 0; main_ctx[i] != nullptr; i++)
		std::printf("  %s\n", main_ctx[i]->help_str);
}
cmdline_parse_token_string_t cmd_help_word = TOKEN_STRING_INITIALIZER(cmd_word_result, word, "help");
cmdline_parse_inst_t cmd_help = {cmd_help_parsed, nullptr, "help: this list", {TOKEN(cmd_help_word), nullptr}};

cmdline_parse_ctx_t main_ctx[] = {
	&cmd_start, &cmd_start_tx_first, &cmd_stop, &cmd_show_port_stats_all, &cmd_show_port_stats_one,
	&cmd_clear_port_stats, &cmd_show_config_fwd, &cmd_show_slubq, &cmd_show_slubq_cache, &cmd_set_queue_batch,
	&cmd_set_tunable, &cmd_slubq_shrink, &cmd_slubq_verify, &cmd_sleep, &cmd_help, &cmd_quit, nullptr,
};

} // namespace

void run_prompt(app &a)
{
	the_app = &a;
	cmdline *cl = cmdline_stdin_new(main_ctx, "slubq-fwd> ");
	if (cl == nullptr) {
		std::fprintf(stderr, "slubq-fwd: cannot start the command line\n");
		return;
	}
	cmdline_interact(cl); // until quit, end of input, or a signal interrupts the read
	cmdline_stdin_exit(cl);
	std::printf("\n");
}

void run_commands(app &a, const std::string &cmds)
{
	the_app = &a;
	// Parsing only: the commands come from the string, not from this fd.
	cmdline *cl = cmdline_new(main_ctx, "", -1, STDOUT_FILENO);
	if (cl == nullptr) {
		std::fprintf(stderr, "slubq-fwd: cannot start the command parser\n");
		a.command_errors++;
		return;
	}
	size_t pos = 0;
	while (pos < cmds.size() && !a.should_quit()) {
		size_t end = cmds.find_first_of(";\n", pos);
		if (end == std::string::npos)
			end = cmds.size();
		std::string line = cmds.substr(pos, end - pos);
		pos = end + 1;
		size_t first = line.find_first_not_of(" \t");
		if (first == std::string::npos)
			continue;
		line = line.substr(first);
		std::printf("slubq-fwd> %s\n", line.c_str());
		std::fflush(stdout);
		int rc = cmdline_parse(cl, (line + "\n").c_str());
		if (rc == CMDLINE_PARSE_AMBIGUOUS)
			a.command_failed("ambiguous command");
		else if (rc == CMDLINE_PARSE_NOMATCH)
			a.command_failed("command not found (try: help)");
		else if (rc == CMDLINE_PARSE_BAD_ARGS)
			a.command_failed("bad arguments (try: help)");
		std::fflush(stdout);
	}
	cmdline_free(cl);
}

} // namespace fwd
