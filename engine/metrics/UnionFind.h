#pragma once
// Union-find over dense integer ids with path halving. The persistent-homology passes decide
// which root survives a union themselves (elder rule), so `attach` takes the survivor explicitly.
#include <cstdint>
#include <numeric>
#include <vector>

namespace vwb {

class UnionFind {
 public:
  explicit UnionFind(size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
  int32_t find(int32_t a) {
    while (parent_[a] != a) a = parent_[a] = parent_[parent_[a]];
    return a;
  }
  // Makes root `child` a child of root `survivor`.
  void attach(int32_t child, int32_t survivor) { parent_[child] = survivor; }

 private:
  std::vector<int32_t> parent_;
};

}  // namespace vwb
