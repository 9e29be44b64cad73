/* SPDX-License-Identifier: BSD-3-Clause */
#include "terminal.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <stdexcept>
#include <string>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

namespace slubq_top {

namespace {

volatile sig_atomic_t stop_flag = 0;
volatile sig_atomic_t resized = 0;
termios saved;

void on_stop(int) { stop_flag = 1; }
void on_winch(int) { resized = 1; }

// Without SA_RESTART, so that poll() returns at once.
void handle(int sig, void (*fn)(int))
{
	struct sigaction sa {};
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, nullptr);
}

void write_all(const std::string &s)
{
	std::size_t off = 0;
	while (off < s.size()) {
		ssize_t n = ::write(STDOUT_FILENO, s.data() + off, s.size() - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		off += std::size_t(n);
	}
}

// The key an escape sequence (after ESC) stands for.
int escape_key(const std::string &seq)
{
	static const struct { const char *seq; int key; } table[] = {
		{"[A", key_up},       {"OA", key_up},       {"[B", key_down},  {"OB", key_down},
		{"[C", key_right},    {"OC", key_right},    {"[D", key_left},  {"OD", key_left},
		{"[5~", key_page_up}, {"[6~", key_page_down}, {"[H", key_home}, {"[1~", key_home},
		{"OH", key_home},     {"[F", key_end},      {"OF", key_end},   {"[4~", key_end},
	};
	for (const auto &t : table)
		if (seq == t.seq)
			return t.key;
	return key_none;
}

} // namespace

bool stop_requested() { return stop_flag != 0; }

void install_stop_handlers()
{
	handle(SIGINT, on_stop);
	handle(SIGTERM, on_stop);
	handle(SIGHUP, on_stop);
}

terminal::terminal()
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) || tcgetattr(STDIN_FILENO, &saved) < 0)
		throw std::runtime_error("the live view needs a terminal (use --once or --json in scripts)");
	termios raw = saved;
	raw.c_lflag &= ~tcflag_t(ICANON | ECHO);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	install_stop_handlers();
	handle(SIGWINCH, on_winch);
	// Alternate screen, cursor hidden.
	write_all("\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J");
	query_size();
}

terminal::~terminal()
{
	write_all("\x1b[0m\x1b[?25h\x1b[?1049l");
	tcsetattr(STDIN_FILENO, TCSANOW, &saved);
}

void terminal::query_size()
{
	winsize ws{};
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
		rows_ = ws.ws_row;
		cols_ = ws.ws_col;
	}
}

int terminal::read_key(int timeout_ms)
{
	pollfd p{STDIN_FILENO, POLLIN, 0};
	int rc = ::poll(&p, 1, std::max(timeout_ms, 0));
	if (resized) {
		resized = 0;
		query_size();
		return key_resize;
	}
	if (rc <= 0)
		return key_none;
	char buf[16];
	ssize_t n = ::read(STDIN_FILENO, buf, sizeof(buf));
	if (n <= 0)
		return key_none;
	// A key is one byte or one escape sequence; the terminal sends each
	// sequence in one write, so a lone ESC byte is the Esc key.
	if (buf[0] == '\x1b')
		return n == 1 ? key_escape : escape_key(std::string(buf + 1, std::size_t(n - 1)));
	if (buf[0] == '\r' || buf[0] == '\n')
		return key_enter;
	if (buf[0] == 0x7f || buf[0] == 0x08)
		return key_backspace;
	return static_cast<unsigned char>(buf[0]);
}

void terminal::paint(const std::vector<line> &lines)
{
	query_size();
	int fixed = 0, selected = -1;
	for (int i = 0; i < int(lines.size()); i++) {
		if (lines[i].style == line_style::header && fixed == 0)
			fixed = i + 1;
		if (lines[i].style == line_style::selected)
			selected = i;
	}
	int body = std::max(rows_ - fixed, 1);
	if (selected >= 0) {
		int pos = selected - fixed;
		if (pos < scroll_)
			scroll_ = pos;
		else if (pos >= scroll_ + body)
			scroll_ = pos - body + 1;
	}
	scroll_ = std::clamp(scroll_, 0, std::max(int(lines.size()) - fixed - body, 0));
	std::string out = "\x1b[H";
	int painted = 0;
	auto put = [&](const line &l) {
		std::string text = l.text.substr(0, std::size_t(cols_));
		if (painted > 0)
			out += "\r\n";
		switch (l.style) {
		case line_style::title:
		case line_style::selected:
			text.resize(std::size_t(cols_), ' ');
			out += "\x1b[7m" + text + "\x1b[0m";
			break;
		case line_style::header:
			text.resize(std::size_t(cols_), ' ');
			out += "\x1b[1;7m" + text + "\x1b[0m";
			break;
		case line_style::plain:
			out += text + "\x1b[K";
			break;
		}
		painted++;
	};
	for (int i = 0; i < std::min(fixed, int(lines.size())) && painted < rows_; i++)
		put(lines[std::size_t(i)]);
	for (int i = fixed + scroll_; i < int(lines.size()) && painted < rows_; i++)
		put(lines[std::size_t(i)]);
	out += "\x1b[J";
	write_all(out);
}

} // namespace slubq_top
