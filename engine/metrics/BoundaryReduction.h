#pragma once
// Column reduction over GF(2) of the boundary matrix of squares (the standard persistence
// algorithm): columns are added left to right, each reduced by the earlier columns until its
// pivot, its latest edge, is owned by no earlier column. The pivots depend only on the order of
// the columns and of the rows, never on how the reduction proceeds, so this gives the same pairs
// as any other reduction in the same orders. Rows are edges ordered by (value in `rows`, id); the
// caller feeds columns in its own order: the same filtration's order for a barcode, the comparison
// image's order for an image barcode (Cohen-Steiner et al., persistent image).
// A column whose latest edge is still free is paired at once and not stored ("emergent pair"):
// over 99 % of the columns of a scroll mask, so that path touches nothing but four edges.
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "engine/metrics/BinaryCubicalGrid.h"

namespace vwb {

class BoundaryReduction {
 public:
  static constexpr uint64_t kNone = ~uint64_t{0};

  BoundaryReduction(const BinaryCubicalGrid& grid, Filtration rows);
  // Adds square (v, t) as the next column; returns its pivot's row key, kNone if it reduces to 0.
  uint64_t add(int64_t v, int t);
  int64_t edgeOf(uint64_t key) const { return static_cast<int64_t>(key >= edges_ ? key - edges_ : key); }
  int valueOf(uint64_t key) const { return key >= edges_ ? 1 : 0; }

 private:
  // Keys (value * edges + id) of the four boundary edges, latest first.
  void boundaryKeys(int64_t v, int t, uint64_t keys[4]) const;

  const BinaryCubicalGrid& grid_;
  std::vector<uint8_t> fg_;  // foreground in the row filtration, per voxel
  uint64_t edges_;
  std::vector<uint32_t> owner_;                     // per edge: the square id whose pivot it is
  std::unordered_map<uint32_t, uint32_t> stored_;  // square id -> index in pool_ of its reduced column
  std::vector<std::vector<uint64_t>> pool_;
  std::vector<uint64_t> work_, other_, merged_;
};

}  // namespace vwb
