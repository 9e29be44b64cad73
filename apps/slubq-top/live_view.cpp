/* SPDX-License-Identifier: BSD-3-Clause */
#include "live_view.hpp"

#include <algorithm>
#include <chrono>
#include "sampler.hpp"
#include "terminal.hpp"

namespace slubq_top {

namespace {

class live_view {
public:
	live_view(telemetry_client &client, const app_info &app, sort_key sort, bool reverse, const std::string &cache)
		: client_(client), app_(app), sort_(sort), reverse_(reverse), open_(cache), selected_(cache)
	{
	}

	int run()
	{
		terminal term;
		cur_ = take_snapshot(client_, "");
		keep_selection();
		auto next = std::chrono::steady_clock::now() + interval();
		for (;;) {
			term.paint(render());
			auto left = std::chrono::duration_cast<std::chrono::milliseconds>(next - std::chrono::steady_clock::now());
			int k = term.read_key(int(std::max<long>(left.count(), 0)));
			if (stop_requested() || !handle(k))
				return 0;
			if (std::chrono::steady_clock::now() >= next) {
				prev_ = std::move(cur_);
				have_prev_ = true;
				cur_ = take_snapshot(client_, "");
				next = std::chrono::steady_clock::now() + interval();
			}
			keep_selection();
		}
	}

private:
	telemetry_client &client_;
	app_info app_;
	sort_key sort_;
	bool reverse_;
	std::string open_;      // cache shown per lcore ("" = the list)
	std::string selected_;  // cache under the cursor in the list
	snapshot prev_, cur_;
	bool have_prev_ = false;

	std::chrono::steady_clock::duration interval() const
	{
		return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
			std::chrono::duration<double>(app_.interval));
	}

	std::vector<cache_row> rows() const
	{
		auto r = make_rows(have_prev_ ? &prev_ : nullptr, cur_);
		sort_rows(r, sort_, reverse_);
		return r;
	}

	// The cursor stays on its cache across re-sorts; on the first row
	// when there is none yet or its cache went away.
	void keep_selection()
	{
		if (const cache_sample *s = cur_.find(selected_))
			selected_ = s->name; // an alias: its cache
		else if (auto r = rows(); !r.empty())
			selected_ = r.front().s->name;
	}

	int selected_index(const std::vector<cache_row> &rows) const
	{
		for (std::size_t i = 0; i < rows.size(); i++)
			if (rows[i].s->name == selected_)
				return int(i);
		return rows.empty() ? -1 : 0;
	}

	std::vector<line> render() const
	{
		auto r = rows();
		if (!open_.empty()) {
			for (const auto &row : r)
				if (row.s->name == open_ ||
				    std::find(row.s->aliases.begin(), row.s->aliases.end(), open_) != row.s->aliases.end())
					return render_cache(app_, row,
							    make_lcore_rows(have_prev_ ? prev_.find(row.s->name) : nullptr, *row.s),
							    true);
			std::vector<line> gone = {{"slubq-top", line_style::title},
						  {"cache '" + open_ + "' does not exist (any more); Esc: back to the list"}};
			return gone;
		}
		return render_caches(app_, r, sort_, reverse_, selected_index(r), true);
	}

	// False: quit.
	bool handle(int k)
	{
		if (k == 'q' || k == 'Q')
			return false;
		if (k == '+' || k == '-') {
			app_.interval = std::clamp(app_.interval * (k == '+' ? 2.0 : 0.5), 0.25, 60.0);
			return true;
		}
		if (!open_.empty()) {
			if (k == key_escape || k == 'b' || k == key_left || k == key_backspace)
				open_.clear();
			return true;
		}
		auto r = rows();
		int sel = selected_index(r);
		if (auto s = sort_key_from_char(k)) {
			sort_ = *s;
		} else if (k == 'R') {
			reverse_ = !reverse_;
		} else if ((k == key_up || k == 'k') && sel > 0) {
			selected_ = r[std::size_t(sel - 1)].s->name;
		} else if ((k == key_down || k == 'j') && sel + 1 < int(r.size())) {
			selected_ = r[std::size_t(sel + 1)].s->name;
		} else if (k == key_home && !r.empty()) {
			selected_ = r.front().s->name;
		} else if (k == key_end && !r.empty()) {
			selected_ = r.back().s->name;
		} else if ((k == key_enter || k == 'l' || k == key_right) && sel >= 0) {
			selected_ = r[std::size_t(sel)].s->name;
			open_ = selected_;
		}
		return true;
	}
};

} // namespace

int run_live_view(telemetry_client &client, const app_info &app, sort_key sort, bool reverse, const std::string &cache)
{
	live_view view(client, app, sort, reverse, cache);
	return view.run();
}

} // namespace slubq_top
