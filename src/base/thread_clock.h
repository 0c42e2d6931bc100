// base/thread_clock.h — ThreadCpuClock, a std::chrono clock over this
// thread's CPU time (CLOCK_THREAD_CPUTIME_ID), for the benchmarks: when both
// sides of a TLS connection run in one thread, it equals wall time on an idle
// machine and leaves out the time other processes take on a shared one (as
// `openssl speed` reports CPU time).
#pragma once

#include <time.h>

#include <chrono>
#include <cstdint>

namespace tessera {

struct ThreadCpuClock {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<ThreadCpuClock>;
  static constexpr bool is_steady = true;
  static time_point now() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return time_point(duration(int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec));
  }
};

}  // namespace tessera
