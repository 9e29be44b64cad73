/* SPDX-License-Identifier: BSD-3-Clause */
#include "telemetry_client.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace slubq_top {

namespace {

// A reply must arrive within this time: the telemetry thread answers at
// once unless the application is stuck.
constexpr int reply_timeout_ms = 5000;

std::string errno_text(const std::string &what, int err) { return what + ": " + std::strerror(err); }

std::string receive(int fd, std::size_t max_len, const std::string &path)
{
	pollfd p{fd, POLLIN, 0};
	int rc;
	do
		rc = ::poll(&p, 1, reply_timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc == 0)
		throw connection_error("no reply from " + path + " within " + std::to_string(reply_timeout_ms / 1000) + " s");
	if (rc < 0)
		throw connection_error(errno_text("poll " + path, errno));
	std::vector<char> buf(max_len + 1);
	ssize_t n;
	do
		n = ::recv(fd, buf.data(), buf.size(), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		throw connection_error(errno_text("read " + path, errno));
	if (n == 0)
		throw connection_error("the application closed " + path);
	return std::string(buf.data(), std::size_t(n));
}

} // namespace

std::string telemetry_socket_path(const std::string &prefix, int instance)
{
	std::string dir;
	if (const char *rd = std::getenv("RUNTIME_DIRECTORY"); rd && *rd)
		dir = rd;
	else if (::getuid() == 0)
		dir = "/var/run";
	else if (const char *xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg)
		dir = xdg;
	else
		dir = "/tmp";
	std::string path = dir + "/dpdk/" + prefix + "/dpdk_telemetry.v2";
	if (instance > 0)
		path += ":" + std::to_string(instance);
	return path;
}

telemetry_client::~telemetry_client() { close(); }

void telemetry_client::close()
{
	if (fd_ >= 0)
		::close(fd_);
	fd_ = -1;
}

void telemetry_client::connect(const std::string &path)
{
	close();
	path_ = path;
	sockaddr_un sun{};
	sun.sun_family = AF_UNIX;
	if (path.size() >= sizeof(sun.sun_path))
		throw connection_error("socket path too long: " + path);
	std::memcpy(sun.sun_path, path.c_str(), path.size() + 1);
	int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		throw connection_error(errno_text("socket", errno));
	if (::connect(fd, reinterpret_cast<sockaddr *>(&sun), sizeof(sun)) < 0) {
		int e = errno;
		::close(fd);
		throw connection_error(errno_text("cannot connect to " + path, e));
	}
	fd_ = fd;
	try {
		// DPDK closes a connection beyond its client limit without a greeting.
		greeting_ = json::parse(receive(fd_, 4096, path_));
	} catch (const json::exception &e) {
		close();
		throw connection_error("bad greeting from " + path + ": " + e.what());
	} catch (...) {
		close();
		throw;
	}
	if (greeting_.contains("max_output_len") && greeting_["max_output_len"].is_number_unsigned())
		max_len_ = greeting_["max_output_len"].get<std::size_t>();
}

json telemetry_client::query(const std::string &command)
{
	if (fd_ < 0)
		throw connection_error("not connected");
	ssize_t n;
	do
		n = ::send(fd_, command.data(), command.size(), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		int e = errno;
		close();
		if (e == EPIPE || e == ECONNRESET)
			throw connection_error("the application closed " + path_);
		throw connection_error(errno_text("write " + path_, e));
	}
	std::string text;
	try {
		text = receive(fd_, max_len_, path_);
	} catch (...) {
		close();
		throw;
	}
	json reply;
	try {
		reply = json::parse(text);
	} catch (const json::exception &e) {
		throw command_error("bad JSON in the reply to " + command + ": " + e.what());
	}
	if (!reply.is_object() || reply.size() != 1)
		throw command_error("unexpected reply to " + command + ": " + text.substr(0, 200));
	json value = reply.begin().value();
	if (value.is_object() && value.contains("error") && value["error"].is_string())
		throw command_error(value["error"].get<std::string>());
	return value;
}

} // namespace slubq_top
