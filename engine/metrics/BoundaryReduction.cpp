#include "engine/metrics/BoundaryReduction.h"

#include <algorithm>

#include "engine/core/Error.h"

namespace vwb {

BoundaryReduction::BoundaryReduction(const BinaryCubicalGrid& grid, Filtration rows)
    : grid_(grid), mask_(static_cast<uint8_t>(rows)), edges_(static_cast<uint64_t>(3 * grid.voxels)), work_(2 * edges_) {
  // Edge ids are stored in 32 bits (stored_).
  if (edges_ >= (uint64_t{1} << 32)) throw Error("BoundaryReduction: block of " + grid.shape.str() + " is too large");
  owner_.assign(edges_, kFree);
}

inline void BoundaryReduction::boundaryKeys(int64_t v, int t, uint64_t keys[4]) const {
  // By id the edges come as: along b from v+a, along a from v+b, along b from v, along a from v
  // (a < b, so the stride of a is the larger). Sorted by key: those of value 1 first, each group
  // in that id order.
  const auto ax = BinaryCubicalGrid::squareAxes(t);
  const int64_t sa = grid_.stride[ax[0]], sb = grid_.stride[ax[1]];
  const uint8_t* code = grid_.code.data();
  const bool f0 = code[v] & mask_, fa = code[v + sa] & mask_, fb = code[v + sb] & mask_, fab = code[v + sa + sb] & mask_;
  const uint64_t id[4] = {static_cast<uint64_t>((v + sa) * 3 + ax[1]), static_cast<uint64_t>((v + sb) * 3 + ax[0]),
                          static_cast<uint64_t>(v * 3 + ax[1]), static_cast<uint64_t>(v * 3 + ax[0])};
  const bool zero[4] = {fa && fab, fb && fab, f0 && fb, f0 && fa};
  int n = 0;
  for (int i = 0; i < 4; ++i)
    if (!zero[i]) keys[n++] = id[i] + edges_;
  for (int i = 0; i < 4; ++i)
    if (zero[i]) keys[n++] = id[i];
}

// Edge (u, a) lies on four squares: normal to each of the two other axes n (lower one first),
// based at u or at u - stride[m], m the remaining axis ("shifted").
inline uint8_t BoundaryReduction::cofaceCode(int64_t edge, int64_t v, int t) const {
  const int a = static_cast<int>(edge % 3), m = 3 - a - t;
  const bool shifted = edge / 3 != v;
  return static_cast<uint8_t>(1 + 2 * (t < m ? 0 : 1) + (shifted ? 1 : 0));
}

inline int64_t BoundaryReduction::cofaceSquare(int64_t edge, uint8_t code) const {
  const int a = static_cast<int>(edge % 3), lo = a == 0 ? 1 : 0, hi = a == 2 ? 1 : 2;
  const int k = code - 1, t = k >> 1 ? hi : lo, m = k >> 1 ? lo : hi;
  const int64_t v = edge / 3 - ((k & 1) ? grid_.stride[m] : 0);
  return v * 3 + t;
}

uint64_t BoundaryReduction::add(int64_t v, int t) {
  uint64_t keys[4];
  boundaryKeys(v, t, keys);
  const uint64_t top = keys[0];
  const int64_t topEdge = edgeOf(top);
  if (owner_[topEdge] == kFree) {
    owner_[topEdge] = cofaceCode(topEdge, v, t);
    return top;
  }
  for (uint64_t key : keys) work_.toggle(key);
  for (uint64_t pivot = work_.pivot(); pivot != PivotColumn::kEmpty; pivot = work_.pivot()) {
    const int64_t edge = edgeOf(pivot);
    uint8_t& owner = owner_[edge];
    if (owner == kFree) {
      owner = kStored;
      stored_.emplace(static_cast<uint32_t>(edge), static_cast<uint32_t>(poolStart_.size() - 1));
      work_.drainInto(pool_);
      poolStart_.push_back(pool_.size());
      return pivot;
    }
    // Add the reduced column of the pivot's owner.
    if (owner == kStored) {
      const uint32_t i = stored_.at(static_cast<uint32_t>(edge));
      for (uint64_t k = poolStart_[i]; k < poolStart_[i + 1]; ++k) work_.toggle(pool_[k]);
    } else {
      const int64_t square = cofaceSquare(edge, owner);
      boundaryKeys(square / 3, static_cast<int>(square % 3), keys);
      for (uint64_t key : keys) work_.toggle(key);
    }
  }
  return kNone;
}

}  // namespace vwb
