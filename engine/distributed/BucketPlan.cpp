#include "engine/distributed/BucketPlan.h"

#include <cstddef>

namespace vwb::dist {

std::vector<BucketLayout> planBuckets(const std::vector<int64_t>& numel, int64_t elementBytes,
                                      int64_t capBytes) {
  std::vector<BucketLayout> buckets;
  BucketLayout current;
  for (int i = int(numel.size()) - 1; i >= 0; --i) {
    int64_t n = numel[std::size_t(i)];
    if (n == 0) continue;
    if (current.numel > 0 && (current.numel + n) * elementBytes > capBytes) {
      buckets.push_back(std::move(current));
      current = {};
    }
    current.entries.push_back({i, current.numel, n});
    current.numel += n;
  }
  if (current.numel > 0) buckets.push_back(std::move(current));
  return buckets;
}

}  // namespace vwb::dist
