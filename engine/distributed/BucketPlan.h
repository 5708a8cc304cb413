#pragma once
// How gradients are grouped for all-reduce: parameters in reverse registration order (the order
// backward produces their gradients), packed into buckets of about capBytes. A parameter larger
// than the cap gets a bucket of its own. Identical on every rank, which keeps the collectives in
// the same order everywhere.
#include <cstdint>
#include <vector>

namespace vwb::dist {

struct BucketSlot {
  int parameter = 0;   // index into the parameter list
  int64_t offset = 0;  // element offset in the bucket's flat buffer
  int64_t numel = 0;
};

struct BucketLayout {
  std::vector<BucketSlot> entries;
  int64_t numel = 0;
};

constexpr int64_t kDefaultBucketBytes = 25 * 1024 * 1024;

std::vector<BucketLayout> planBuckets(const std::vector<int64_t>& numelPerParameter,
                                      int64_t elementBytes, int64_t capBytes = kDefaultBucketBytes);

}  // namespace vwb::dist
