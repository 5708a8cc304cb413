#include "engine/metrics/BoundaryReduction.h"

#include <algorithm>
#include <functional>

#include "engine/core/Error.h"

namespace vwb {

namespace {
constexpr uint32_t kFree = ~uint32_t{0};
}

BoundaryReduction::BoundaryReduction(const BinaryCubicalGrid& grid, Filtration rows)
    : grid_(grid), rows_(rows), edges_(static_cast<uint64_t>(3 * grid.voxels)) {
  if (edges_ >= kFree) throw Error("BoundaryReduction: block of " + grid.shape.str() + " is too large");
  owner_.assign(edges_, kFree);
  stored_.assign(edges_, kFree);
}

uint64_t BoundaryReduction::edgeKey(int64_t e) const {
  return grid_.edgeValue(e / 3, static_cast<int>(e % 3), rows_) ? edges_ + static_cast<uint64_t>(e)
                                                                : static_cast<uint64_t>(e);
}

void BoundaryReduction::boundaryKeys(int64_t v, int t, std::vector<uint64_t>& out) const {
  out.clear();
  for (int64_t e : grid_.squareBoundary(v, t)) out.push_back(edgeKey(e));
  std::sort(out.begin(), out.end(), std::greater<>());
}

uint64_t BoundaryReduction::add(int64_t v, int t) {
  const uint32_t column = static_cast<uint32_t>(v * 3 + t);
  boundaryKeys(v, t, work_);
  bool reduced = false;
  while (!work_.empty()) {
    const uint32_t j = owner_[edgeOf(work_.front())];
    if (j == kFree) {
      owner_[edgeOf(work_.front())] = column;
      if (reduced) {
        stored_[column] = static_cast<uint32_t>(pool_.size());
        pool_.push_back(work_);
      }
      return work_.front();
    }
    // Add the reduced column of the pivot's owner: symmetric difference of two sorted lists.
    const std::vector<uint64_t>* add = &other_;
    if (stored_[j] != kFree) add = &pool_[stored_[j]];
    else boundaryKeys(j / 3, static_cast<int>(j % 3), other_);
    merged_.clear();
    std::set_symmetric_difference(work_.begin(), work_.end(), add->begin(), add->end(),
                                  std::back_inserter(merged_), std::greater<>());
    work_.swap(merged_);
    reduced = true;
  }
  return kNone;
}

}  // namespace vwb
