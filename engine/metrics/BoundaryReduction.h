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
#include "engine/metrics/PivotColumn.h"

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
  // An edge's owner as one of its four cofaces (1..4), and back: the square (v, t) as v * 3 + t.
  uint8_t cofaceCode(int64_t edge, int64_t v, int t) const;
  int64_t cofaceSquare(int64_t edge, uint8_t code) const;

  const BinaryCubicalGrid& grid_;
  uint8_t mask_;  // the row filtration's bit(s) in grid_.code: foreground when code & mask_
  uint64_t edges_;
  // Per edge, whose pivot it is, in one byte so that the table (a byte per edge, three per voxel)
  // stays small enough for the caches: kFree; 1..4, the coface whose column was paired at once (its
  // boundary is recomputed when needed); kStored, a reduced column kept in pool_ (stored_ has its
  // index: under 1 % of the columns).
  static constexpr uint8_t kFree = 0, kStored = 5;
  std::vector<uint8_t> owner_;
  std::unordered_map<uint32_t, uint32_t> stored_;  // edge -> index in poolStart_
  // The stored columns end to end (never changed once stored): column i is
  // pool_[poolStart_[i] .. poolStart_[i + 1]). One arena instead of a vector per column.
  std::vector<uint64_t> pool_;
  std::vector<uint64_t> poolStart_{0};
  PivotColumn work_;
};

}  // namespace vwb
