/* SPDX-License-Identifier: BSD-3-Clause */
// A client of DPDK's telemetry v2 socket: connect, read the greeting, then
// one command per message, one JSON reply per message (SOCK_SEQPACKET).
#pragma once

#include <stdexcept>
#include <string>
#include <nlohmann/json.hpp>

namespace slubq_top {

using json = nlohmann::json;

// The reply held {"error": "..."} (slubq's convention for a bad request).
struct command_error : std::runtime_error {
	using std::runtime_error::runtime_error;
};

// The socket was unreachable, or the connection broke.
struct connection_error : std::runtime_error {
	using std::runtime_error::runtime_error;
};

// Where DPDK 22.11 puts the v2 socket of the application started with
// --file-prefix `prefix`: <runtime dir>/dpdk/<prefix>/dpdk_telemetry.v2,
// with ":<instance>" when several processes share a prefix. The runtime
// dir is $RUNTIME_DIRECTORY, else /var/run for root, else $XDG_RUNTIME_DIR
// or /tmp (as the EAL and dpdk-telemetry.py decide).
std::string telemetry_socket_path(const std::string &prefix, int instance = 0);

class telemetry_client {
public:
	telemetry_client() = default;
	~telemetry_client();
	telemetry_client(const telemetry_client &) = delete;
	telemetry_client &operator=(const telemetry_client &) = delete;

	// Connect and read the greeting ({"version", "pid", "max_output_len"}).
	void connect(const std::string &path);
	void close();
	bool connected() const { return fd_ >= 0; }
	const json &greeting() const { return greeting_; }
	const std::string &path() const { return path_; }

	// The reply's value for `command` ("/cmd,params"): JSON null when the
	// command is unknown or failed; throws command_error when the value is
	// a dict with an "error" string, connection_error when the socket fails.
	json query(const std::string &command);

private:
	int fd_ = -1;
	std::string path_;
	json greeting_;
	std::size_t max_len_ = 16384;
};

} // namespace slubq_top
