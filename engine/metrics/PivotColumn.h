#pragma once
// The working column of a GF(2) reduction as a 64-ary bit tree over all row keys: adding an entry
// (toggling it) and finding the pivot (the largest key) cost a few word operations whatever the
// column's length. A sorted-vector column costs its whole length for every addition, and the
// columns that fill the holes of a scroll sheet grow to hundreds of edges while most of what is
// added to them is a square's four edges.
#include <cstdint>
#include <vector>

namespace vwb {

class PivotColumn {
 public:
  static constexpr uint64_t kEmpty = ~uint64_t{0};

  explicit PivotColumn(uint64_t keys) {
    uint64_t n = keys;
    do {
      n = (n + 63) / 64;
      levels_.emplace_back(n, 0);
    } while (n > 1);
  }

  bool empty() const { return levels_.back()[0] == 0; }

  void toggle(uint64_t key) {
    for (auto& level : levels_) {
      uint64_t& word = level[key / 64];
      const bool wasEmpty = word == 0;
      word ^= uint64_t{1} << (key % 64);
      // The level above records which words are non-empty: it changes only when this one did.
      if (wasEmpty == (word == 0)) return;
      key /= 64;
    }
  }

  // The largest key present, kEmpty if none.
  uint64_t pivot() const {
    if (empty()) return kEmpty;
    uint64_t key = 0;
    for (size_t l = levels_.size(); l-- > 0;) key = key * 64 + (63 - __builtin_clzll(levels_[l][key]));
    return key;
  }

  // Appends the entries to `out`, largest first, and leaves the column empty.
  void drainInto(std::vector<uint64_t>& out) {
    for (uint64_t key = pivot(); key != kEmpty; key = pivot()) {
      out.push_back(key);
      toggle(key);
    }
  }

 private:
  std::vector<std::vector<uint64_t>> levels_;  // [0]: one bit per key; [l + 1]: one bit per word of [l]
};

}  // namespace vwb
