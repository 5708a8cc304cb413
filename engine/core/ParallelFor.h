#pragma once
// Runs body(i) for i in [0, n) on up to `threads` threads (this one included): volumes are read,
// decoded and preprocessed independently. The first exception stops the work not yet started and
// is rethrown once the running bodies have finished.
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace vwb {

template <class Body>
void parallelFor(size_t n, size_t threads, Body&& body) {
  std::atomic<size_t> next{0};
  std::mutex mutex;
  std::exception_ptr failure;
  auto work = [&] {
    for (size_t i; (i = next++) < n;) {
      try {
        body(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!failure) failure = std::current_exception();
        next = n;
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < std::min(n, threads); ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

// At most `wanted` threads, and no more than the machine's logical cores.
inline size_t threadsUpTo(size_t wanted) {
  return std::min(wanted, size_t(std::max(1u, std::thread::hardware_concurrency())));
}

}  // namespace vwb
