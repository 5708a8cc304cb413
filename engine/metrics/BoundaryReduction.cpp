#include "engine/metrics/BoundaryReduction.h"

#include <algorithm>
#include <functional>

#include "engine/core/Error.h"

namespace vwb {

namespace {
constexpr uint32_t kFree = ~uint32_t{0};
}

BoundaryReduction::BoundaryReduction(const BinaryCubicalGrid& grid, Filtration rows)
    : grid_(grid), edges_(static_cast<uint64_t>(3 * grid.voxels)) {
  if (edges_ >= kFree) throw Error("BoundaryReduction: block of " + grid.shape.str() + " is too large");
  fg_.resize(grid.code.size());
  for (size_t i = 0; i < fg_.size(); ++i) fg_[i] = grid.foreground(static_cast<int64_t>(i), rows);
  owner_.assign(edges_, kFree);
}

inline void BoundaryReduction::boundaryKeys(int64_t v, int t, uint64_t keys[4]) const {
  // By id the edges come as: along b from v+a, along a from v+b, along b from v, along a from v
  // (a < b, so the stride of a is the larger). Sorted by key: those of value 1 first, each group
  // in that id order.
  const auto ax = BinaryCubicalGrid::squareAxes(t);
  const int64_t sa = grid_.stride[ax[0]], sb = grid_.stride[ax[1]];
  const bool f0 = fg_[v], fa = fg_[v + sa], fb = fg_[v + sb], fab = fg_[v + sa + sb];
  const uint64_t id[4] = {static_cast<uint64_t>((v + sa) * 3 + ax[1]), static_cast<uint64_t>((v + sb) * 3 + ax[0]),
                          static_cast<uint64_t>(v * 3 + ax[1]), static_cast<uint64_t>(v * 3 + ax[0])};
  const bool zero[4] = {fa && fab, fb && fab, f0 && fb, f0 && fa};
  int n = 0;
  for (int i = 0; i < 4; ++i)
    if (!zero[i]) keys[n++] = id[i] + edges_;
  for (int i = 0; i < 4; ++i)
    if (zero[i]) keys[n++] = id[i];
}

uint64_t BoundaryReduction::add(int64_t v, int t) {
  const uint32_t column = static_cast<uint32_t>(v * 3 + t);
  uint64_t keys[4];
  boundaryKeys(v, t, keys);
  const uint64_t top = keys[0];
  const int64_t topEdge = static_cast<int64_t>(top >= edges_ ? top - edges_ : top);
  if (owner_[topEdge] == kFree) {
    owner_[topEdge] = column;
    return top;
  }
  work_.assign(keys, keys + 4);
  while (!work_.empty()) {
    const uint32_t j = owner_[edgeOf(work_.front())];
    if (j == kFree) {
      owner_[edgeOf(work_.front())] = column;
      stored_.emplace(column, static_cast<uint32_t>(pool_.size()));
      pool_.push_back(work_);
      return work_.front();
    }
    // Add the reduced column of the pivot's owner: symmetric difference of two sorted lists.
    const std::vector<uint64_t>* add = &other_;
    const auto it = stored_.find(j);
    if (it != stored_.end()) {
      add = &pool_[it->second];
    } else {
      boundaryKeys(j / 3, static_cast<int>(j % 3), keys);
      other_.assign(keys, keys + 4);
    }
    merged_.clear();
    std::set_symmetric_difference(work_.begin(), work_.end(), add->begin(), add->end(),
                                  std::back_inserter(merged_), std::greater<>());
    work_.swap(merged_);
  }
  return kNone;
}

}  // namespace vwb
