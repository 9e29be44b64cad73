/* SPDX-License-Identifier: BSD-3-Clause */
#include "common/process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "common/log.hpp"

namespace slubq {

std::uint32_t process_token;

namespace {

// Which membarrier command serves barrier_all_processes(): the expedited
// one needs every process to register (done below, when the library loads:
// every process that can own an lcore queue has loaded it); the plain
// global one needs nothing but costs a grace period (milliseconds).
int barrier_cmd = -1;

long membarrier(int cmd) { return syscall(__NR_membarrier, cmd, 0, 0); }

void set_token() { process_token = std::uint32_t(getpid()); }

__attribute__((constructor)) void process_init()
{
	set_token();
	pthread_atfork(nullptr, nullptr, set_token);
	long cmds = membarrier(MEMBARRIER_CMD_QUERY);
	if (cmds < 0)
		return;
	if ((cmds & MEMBARRIER_CMD_GLOBAL_EXPEDITED) &&
	    membarrier(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED) == 0)
		barrier_cmd = MEMBARRIER_CMD_GLOBAL_EXPEDITED;
	else if (cmds & MEMBARRIER_CMD_GLOBAL)
		barrier_cmd = MEMBARRIER_CMD_GLOBAL;
}

} // namespace

bool process_alive(std::uint32_t pid)
{
	if (pid == 0)
		return false;
	if (pid == process_token)
		return true;
	if (kill(pid_t(pid), 0) < 0 && errno == ESRCH)
		return false;
	// A killed child stays a zombie until its parent reaps it: gone for us.
	char path[64];
	std::snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	FILE *f = std::fopen(path, "r");
	if (f == nullptr)
		return errno != ENOENT;
	char line[512];
	std::size_t len = std::fread(line, 1, sizeof(line) - 1, f);
	std::fclose(f);
	line[len] = '\0';
	// "pid (comm) S ...": the state follows the last ')' (comm may hold any byte).
	const char *close = std::strrchr(line, ')');
	char state = close != nullptr && close[1] == ' ' ? close[2] : 0;
	return state != 'Z' && state != 'X';
}

bool barrier_all_processes()
{
	if (barrier_cmd < 0)
		return false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (membarrier(barrier_cmd) != 0) {
		SLUBQ_LOG(WARNING, "membarrier: %s; queues of running lcores will not be reclaimed",
			  std::strerror(errno));
		barrier_cmd = -1;
		return false;
	}
	return true;
}

} // namespace slubq
