#pragma once
// A dense 3D volume held in one contiguous z-major buffer (index = (z*H + y)*W + x).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace vwb {

struct Shape3 {
  int64_t d = 0, h = 0, w = 0;  // z, y, x

  int64_t voxels() const { return d * h * w; }
  bool empty() const { return voxels() == 0; }
  bool operator==(const Shape3& o) const { return d == o.d && h == o.h && w == o.w; }
  bool operator!=(const Shape3& o) const { return !(*this == o); }
  std::string str() const;  // "320x320x320" (D x H x W)
  // Parses "N" (cube) or "DxHxW"; throws vwb::Error on anything else.
  static Shape3 parse(const std::string& text);
};

enum class DType { U8, U16, F32 };
const char* dtypeName(DType t);
size_t dtypeSize(DType t);

template <class T>
struct Volume {
  Shape3 shape;
  std::vector<T> data;

  Volume() = default;
  explicit Volume(Shape3 s, T fill = T{}) : shape(s), data(static_cast<size_t>(s.voxels()), fill) {}

  size_t index(int64_t z, int64_t y, int64_t x) const {
    return static_cast<size_t>((z * shape.h + y) * shape.w + x);
  }
  T& at(int64_t z, int64_t y, int64_t x) { return data[index(z, y, x)]; }
  const T& at(int64_t z, int64_t y, int64_t x) const { return data[index(z, y, x)]; }
  size_t size() const { return data.size(); }
};

using VolumeU8 = Volume<uint8_t>;
using VolumeU16 = Volume<uint16_t>;
using VolumeF32 = Volume<float>;

}  // namespace vwb
