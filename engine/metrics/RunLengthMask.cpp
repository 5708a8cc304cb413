#include "engine/metrics/RunLengthMask.h"

#include <algorithm>
#include <numeric>

namespace vwb {

RunLengthMask RunLengthMask::encode(const VolumeU8& mask, const Box3& box, bool foreground) {
  RunLengthMask m;
  m.shape = box.shape();
  m.rowStart.reserve(static_cast<size_t>(m.rows() + 1));
  const int32_t w = static_cast<int32_t>(m.shape.w);
  for (int64_t z = box.z0; z < box.z1; ++z)
    for (int64_t y = box.y0; y < box.y1; ++y) {
      m.rowStart.push_back(static_cast<int64_t>(m.runs.size()));
      const uint8_t* row = &mask.data[mask.index(z, y, box.x0)];
      int32_t x = 0;
      while (x < w) {
        while (x < w && (row[x] != 0) != foreground) ++x;
        if (x == w) break;
        const int32_t start = x;
        while (x < w && (row[x] != 0) == foreground) ++x;
        m.runs.push_back({start, x});
      }
    }
  m.rowStart.push_back(static_cast<int64_t>(m.runs.size()));
  return m;
}

int64_t RunLengthMask::voxels() const {
  int64_t n = 0;
  for (const Run& r : runs) n += r.x1 - r.x0;
  return n;
}

namespace {

struct UnionFind {
  std::vector<int32_t> parent;
  explicit UnionFind(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int32_t find(int32_t a) {
    while (parent[a] != a) a = parent[a] = parent[parent[a]];
    return a;
  }
  void unite(int32_t a, int32_t b) {
    a = find(a), b = find(b);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  }
};

// Unites the runs of two rows that touch; slack 1 also joins runs that meet only diagonally.
void uniteRows(const RunLengthMask& m, int64_t rowA, int64_t rowB, int32_t slack, UnionFind& uf) {
  int64_t i = m.rowStart[rowA], iEnd = m.rowStart[rowA + 1];
  int64_t j = m.rowStart[rowB], jEnd = m.rowStart[rowB + 1];
  while (i < iEnd && j < jEnd) {
    const Run& a = m.runs[i];
    const Run& b = m.runs[j];
    if (a.x0 < b.x1 + slack && b.x0 < a.x1 + slack)
      uf.unite(static_cast<int32_t>(i), static_cast<int32_t>(j));
    if (a.x1 < b.x1) ++i;
    else ++j;
  }
}

}  // namespace

Components labelComponents(const RunLengthMask& m, Connectivity connectivity) {
  UnionFind uf(m.runs.size());
  const int64_t d = m.shape.d, h = m.shape.h;
  const bool full = connectivity == Connectivity::Full26;
  const int32_t slack = full ? 1 : 0;
  for (int64_t z = 0; z < d; ++z)
    for (int64_t y = 0; y < h; ++y) {
      const int64_t row = z * h + y;
      if (m.rowStart[row] == m.rowStart[row + 1]) continue;
      if (y > 0) uniteRows(m, row, row - 1, slack, uf);
      if (z > 0) {
        uniteRows(m, row, row - h, slack, uf);
        if (full) {
          if (y > 0) uniteRows(m, row, row - h - 1, slack, uf);
          if (y + 1 < h) uniteRows(m, row, row - h + 1, slack, uf);
        }
      }
    }
  Components c;
  c.runLabel.resize(m.runs.size());
  std::vector<int32_t> compact(m.runs.size(), -1);
  for (size_t r = 0; r < m.runs.size(); ++r) {
    const int32_t root = uf.find(static_cast<int32_t>(r));
    if (compact[root] < 0) compact[root] = static_cast<int32_t>(c.count++);
    c.runLabel[r] = compact[root];
  }
  return c;
}

std::vector<int64_t> componentSizes(const RunLengthMask& m, const Components& c) {
  std::vector<int64_t> sizes(static_cast<size_t>(c.count), 0);
  for (size_t r = 0; r < m.runs.size(); ++r) sizes[c.runLabel[r]] += m.runs[r].x1 - m.runs[r].x0;
  return sizes;
}

std::vector<bool> componentsTouchingBorder(const RunLengthMask& m, const Components& c) {
  std::vector<bool> touches(static_cast<size_t>(c.count), false);
  const int64_t d = m.shape.d, h = m.shape.h, w = m.shape.w;
  for (int64_t z = 0; z < d; ++z)
    for (int64_t y = 0; y < h; ++y) {
      const int64_t row = z * h + y;
      const bool borderRow = z == 0 || z == d - 1 || y == 0 || y == h - 1;
      for (int64_t r = m.rowStart[row]; r < m.rowStart[row + 1]; ++r)
        if (borderRow || m.runs[r].x0 == 0 || m.runs[r].x1 == w) touches[c.runLabel[r]] = true;
    }
  return touches;
}

}  // namespace vwb
