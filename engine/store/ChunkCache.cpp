#include "engine/store/ChunkCache.h"

#include <algorithm>

namespace vwb::store {

ChunkCache::ChunkCache(int64_t budgetBytes) : budget_(std::max<int64_t>(0, budgetBytes)) {}

DecodedChunk ChunkCache::get(uint64_t key, const std::function<void(std::vector<uint8_t>&)>& load) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      ++hits_;
      return it->second->chunk;
    }
    ++misses_;
  }
  auto decoded = std::make_shared<std::vector<uint8_t>>();
  load(*decoded);
  DecodedChunk chunk = decoded;
  const int64_t size = static_cast<int64_t>(decoded->size());
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = index_.find(key);
  if (it != index_.end()) return it->second->chunk;  // another thread decoded it meanwhile
  if (size > budget_) return chunk;                   // never fits: used once, not kept
  while (bytes_ + size > budget_ && !lru_.empty()) {
    bytes_ -= static_cast<int64_t>(lru_.back().chunk->size());
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
  lru_.push_front({key, chunk});
  index_[key] = lru_.begin();
  bytes_ += size;
  peak_ = std::max(peak_, bytes_);
  return chunk;
}

int64_t ChunkCache::bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bytes_;
}
int64_t ChunkCache::peakBytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return peak_;
}
int64_t ChunkCache::hits() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return hits_;
}
int64_t ChunkCache::misses() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return misses_;
}

}  // namespace vwb::store
