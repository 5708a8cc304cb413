#include "engine/metrics/NeighbourCodes.h"

#include <array>

namespace vwb {

std::vector<uint8_t> neighbourCodes(const VolumeU8& mask, const Box3& box) {
  const Shape3 s = box.shape();
  std::vector<uint8_t> codes(static_cast<size_t>((s.d + 1) * (s.h + 1) * (s.w + 1)));
  forEachCodeRow(mask, box, [&](int64_t cz, int64_t cy, const uint8_t* row, int64_t n) {
    std::copy(row, row + n, &codes[static_cast<size_t>((cz * (s.h + 1) + cy) * n)]);
  });
  return codes;
}

namespace {

// 8 * (contribution of one 2x2x2 window to V - E + F - C).
std::array<int8_t, 256> eulerWindowTable() {
  std::array<int8_t, 256> table{};
  auto bit = [](int a, int b, int c) { return 1 << (7 - (4 * a + 2 * b + c)); };
  for (int code = 0; code < 256; ++code) {
    auto on = [&](int a, int b, int c) { return (code & bit(a, b, c)) != 0; };
    int vertices = 0, edges = 0, squares = 0;
    for (int a = 0; a < 2; ++a)
      for (int b = 0; b < 2; ++b)
        for (int c = 0; c < 2; ++c) vertices += on(a, b, c);
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) {
        edges += on(0, i, j) && on(1, i, j);  // along z
        edges += on(i, 0, j) && on(i, 1, j);  // along y
        edges += on(i, j, 0) && on(i, j, 1);  // along x
      }
    for (int i = 0; i < 2; ++i) {
      squares += on(i, 0, 0) && on(i, 0, 1) && on(i, 1, 0) && on(i, 1, 1);  // z = i
      squares += on(0, i, 0) && on(0, i, 1) && on(1, i, 0) && on(1, i, 1);  // y = i
      squares += on(0, 0, i) && on(0, 1, i) && on(1, 0, i) && on(1, 1, i);  // x = i
    }
    const int cubes = code == 255;
    table[code] = static_cast<int8_t>(vertices - 2 * edges + 4 * squares - 8 * cubes);
  }
  return table;
}

}  // namespace

int64_t eulerCharacteristic6(const VolumeU8& mask, const Box3& box) {
  static const std::array<int8_t, 256> table = eulerWindowTable();
  int64_t sum8 = 0;
  forEachCodeRow(mask, box, [&](int64_t, int64_t, const uint8_t* row, int64_t n) {
    int64_t s = 0;
    for (int64_t i = 0; i < n; ++i) s += table[row[i]];
    sum8 += s;
  });
  return sum8 / 8;
}

}  // namespace vwb
