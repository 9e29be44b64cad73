/* SPDX-License-Identifier: BSD-3-Clause */
#include "common/plock.hpp"

#include <sched.h>
#include <rte_pause.h>
#include "common/log.hpp"

namespace slubq {

// Spins between liveness checks of the holder (a check reads /proc: keep
// it rare; a live holder's critical sections are a few microseconds).
constexpr unsigned spins_per_check = 1u << 14;

bool plock_acquire_slow(plock &l)
{
	for (unsigned spins = 1;; spins++) {
		std::uint32_t h = load_relaxed(l.holder);
		if (h == 0) {
			if (plock_try(l))
				return false;
			continue;
		}
		if (spins % spins_per_check == 0) {
			if (!process_alive(h) &&
			    __atomic_compare_exchange_n(&l.holder, &h, process_token, false, __ATOMIC_ACQUIRE,
							__ATOMIC_RELAXED)) {
				SLUBQ_LOG(ERR, "lock %p was held by process %u, which is gone: taken over",
					  static_cast<void *>(&l), h);
				return true;
			}
			// Two lcores on one CPU: let the holder run.
			sched_yield();
		}
		rte_pause();
	}
}

} // namespace slubq
