#include "engine/core/Volume.h"

#include <cctype>

#include "engine/core/Error.h"

namespace vwb {

std::string Shape3::str() const {
  return std::to_string(d) + "x" + std::to_string(h) + "x" + std::to_string(w);
}

Shape3 Shape3::parse(const std::string& text) {
  std::vector<int64_t> parts;
  std::string cur;
  auto flush = [&] {
    if (cur.empty()) throw Error("invalid shape '" + text + "': expected N or DxHxW");
    parts.push_back(std::stoll(cur));
    cur.clear();
  };
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c))) cur += c;
    else if (c == 'x' || c == 'X') flush();
    else throw Error("invalid shape '" + text + "': expected N or DxHxW");
  }
  flush();
  if (parts.size() == 1) parts = {parts[0], parts[0], parts[0]};
  if (parts.size() != 3) throw Error("invalid shape '" + text + "': expected N or DxHxW");
  for (auto p : parts)
    if (p <= 0) throw Error("invalid shape '" + text + "': sizes must be positive");
  return {parts[0], parts[1], parts[2]};
}

const char* dtypeName(DType t) {
  switch (t) {
    case DType::U8: return "uint8";
    case DType::U16: return "uint16";
    case DType::F32: return "float32";
  }
  return "?";
}

size_t dtypeSize(DType t) {
  switch (t) {
    case DType::U8: return 1;
    case DType::U16: return 2;
    case DType::F32: return 4;
  }
  return 0;
}

}  // namespace vwb
