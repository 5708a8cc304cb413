#include "ui/common/Format.h"

#include <cmath>

namespace vwb::ui {

QString formatBytes(int64_t bytes) {
  const double b = static_cast<double>(bytes);
  if (b >= 1024.0 * 1024 * 1024) return QString::number(b / (1024.0 * 1024 * 1024), 'f', 1) + " GiB";
  if (b >= 1024.0 * 1024) return QString::number(b / (1024.0 * 1024), 'f', 0) + " MiB";
  if (b >= 1024.0) return QString::number(b / 1024.0, 'f', 0) + " KiB";
  return QString::number(bytes) + " B";
}

QString formatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return QStringLiteral("–");
  const qint64 s = static_cast<qint64>(std::llround(seconds));
  if (s >= 3600) return QString("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QChar('0'));
  if (s >= 60) return QString("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
  return QString("%1 s").arg(s);
}

QString formatShape(const Shape3& s) {
  return QString("%1×%2×%3").arg(s.d).arg(s.h).arg(s.w);
}

QString formatPercent(double fraction, int decimals) {
  return QString::number(fraction * 100.0, 'f', decimals) + " %";
}

QString strategyLabel(StrategyKind k) {
  switch (k) {
    case StrategyKind::Single: return QStringLiteral("single device");
    case StrategyKind::DataParallel: return QStringLiteral("DataParallel");
    case StrategyKind::Ddp: return QStringLiteral("DDP");
    case StrategyKind::Auto: break;
  }
  return QStringLiteral("auto");
}

}  // namespace vwb::ui
