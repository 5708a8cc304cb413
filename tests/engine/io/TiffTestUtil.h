#pragma once
// Shared by the engine/io tests: deterministic test volumes, raw reference files, tiffcp.
#include <QFile>
#include <QString>
#include <QtTest>

#include <cstdint>
#include <cstring>
#include <vector>

#include "TestSupport.h"
#include "engine/core/Volume.h"

namespace iotest {

// A volume with runs, gradients and noise, so every codec has something real to do.
inline vwb::VolumeU8 patternVolume(vwb::Shape3 s, uint32_t seed = 1) {
  vwb::VolumeU8 v(s);
  uint32_t x = seed * 2654435761u + 1;
  for (int64_t z = 0; z < s.d; ++z)
    for (int64_t y = 0; y < s.h; ++y)
      for (int64_t i = 0; i < s.w; ++i) {
        x = x * 1664525u + 1013904223u;
        uint8_t value = y % 7 == 0 ? 0 : static_cast<uint8_t>((i + 3 * y + 11 * z) + (x >> 28));
        v.at(z, y, i) = value;
      }
  return v;
}

// The raw little-endian bytes numpy's tofile() wrote.
template <class T>
std::vector<T> readRaw(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  QByteArray bytes = f.readAll();
  std::vector<T> out(static_cast<size_t>(bytes.size()) / sizeof(T));
  std::memcpy(out.data(), bytes.constData(), out.size() * sizeof(T));
  return out;
}

inline QString tiffcp() { return QStringLiteral(VWB_TIFFCP); }

// Runs tiffcp with args; returns "" on success, else its stderr.
inline QString runTiffcp(const QStringList& args) {
  auto r = vwbtest::run(tiffcp(), args, 60000);
  return r.exitCode == 0 ? QString() : "tiffcp " + args.join(' ') + " failed: " + r.err;
}

}  // namespace iotest
