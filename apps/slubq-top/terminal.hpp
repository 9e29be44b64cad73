/* SPDX-License-Identifier: BSD-3-Clause */
// The full-screen view: raw keyboard input and ANSI painting, on the
// alternate screen; everything is restored when the object goes away.
#pragma once

#include <vector>
#include "top_format.hpp"

namespace slubq_top {

enum key : int {
	key_none = -1,   // timeout or a signal
	key_up = 0x100,
	key_down,
	key_left,
	key_right,
	key_page_up,
	key_page_down,
	key_home,
	key_end,
	key_enter,
	key_escape,
	key_backspace,
	key_resize,
};

class terminal {
public:
	terminal();   // throws std::runtime_error when stdin is not a terminal
	~terminal();
	terminal(const terminal &) = delete;
	terminal &operator=(const terminal &) = delete;

	// The next key, or key_none after timeout_ms (or a signal other than
	// SIGWINCH, which returns key_resize).
	int read_key(int timeout_ms);
	// Paint lines: those up to the first column header stay at the top,
	// the rest scroll so that the selected line is visible.
	void paint(const std::vector<line> &lines);

private:
	int rows_ = 24, cols_ = 80;
	int scroll_ = 0;
	void query_size();
};

// Set by SIGINT/SIGTERM (installed by terminal and by batch mode).
bool stop_requested();
void install_stop_handlers();

} // namespace slubq_top
