#pragma once
// Private to engine/data: run body(i) for i in [0, n) on a few threads (volumes are read and
// decoded independently). The first exception stops the remaining work and is rethrown.
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace vwb::detail {

template <class Body>
void parallelFor(size_t n, size_t maxThreads, Body&& body) {
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
  const size_t threads = std::min({n, maxThreads, size_t(std::max(1u, std::thread::hardware_concurrency()))});
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace vwb::detail
