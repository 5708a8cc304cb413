#include "engine/distributed/RankThreads.h"

#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/core/Error.h"

namespace vwb::dist {

void runRankThreads(int count, const std::function<void(int)>& fn, AbortSignal& abort,
                    int globalRankOffset) {
  std::mutex mutex;
  std::string rootCause;  // first failure that was not itself a reaction to the abort
  std::vector<std::thread> threads;
  threads.reserve(size_t(count));
  for (int r = 0; r < count; ++r) {
    threads.emplace_back([&, r] {
      // A PeerFailure is a reaction to another rank (and names its rank already); any other
      // exception is a root cause, even when its rank's unwinding made others fail first.
      auto failed = [&](const std::string& what, bool reaction) {
        std::string message =
            reaction ? what : "rank " + std::to_string(globalRankOffset + r) + ": " + what;
        abort.raise(message);
        std::lock_guard<std::mutex> lock(mutex);
        if (!reaction && rootCause.empty()) rootCause = message;
      };
      try {
        fn(r);
      } catch (const PeerFailure& e) {
        failed(e.what(), true);
      } catch (const std::exception& e) {
        failed(e.what(), false);
      }
    });
  }
  for (auto& t : threads) t.join();
  if (abort.raised()) throw Error(rootCause.empty() ? abort.message() : rootCause);
}

}  // namespace vwb::dist
