#pragma once
// Decoded chunks shared by every reader thread (loader threads, local ranks), least recently used
// first out, held within a byte budget. Memory stays bounded whatever the number of volumes:
// the cache holds at most `budget` bytes; a chunk being copied by a reader when it is evicted
// lives until that copy ends.
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace vwb::store {

using DecodedChunk = std::shared_ptr<const std::vector<uint8_t>>;

class ChunkCache {
 public:
  explicit ChunkCache(int64_t budgetBytes);

  // The chunk for `key`; on a miss `load` decodes it (outside the lock: threads decode in
  // parallel) and it is kept if it fits the budget.
  DecodedChunk get(uint64_t key, const std::function<void(std::vector<uint8_t>&)>& load);

  int64_t budget() const { return budget_; }
  int64_t bytes() const;      // held now
  int64_t peakBytes() const;  // most ever held (never above the budget)
  int64_t hits() const;
  int64_t misses() const;

 private:
  struct Entry {
    uint64_t key;
    DecodedChunk chunk;
  };
  const int64_t budget_;
  mutable std::mutex mutex_;
  std::list<Entry> lru_;  // front: most recent
  std::unordered_map<uint64_t, std::list<Entry>::iterator> index_;
  int64_t bytes_ = 0, peak_ = 0, hits_ = 0, misses_ = 0;
};

}  // namespace vwb::store
