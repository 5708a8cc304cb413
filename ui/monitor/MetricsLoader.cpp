#include "ui/monitor/MetricsLoader.h"

#include <QFile>
#include <QMetaObject>
#include <algorithm>
#include <cctype>
#include <iterator>

namespace vwb::ui {
namespace {

struct ParsedSlice {
  std::vector<MetricsRecord> records;
  QStringList problems;
  bool otherFormat = false;  // a format line of another format: the file is refused
};

// Parses lines [begin, end) of `lines` (views into one buffer) into `out`, in order.
void parseRange(const std::vector<std::pair<const char*, size_t>>& lines, size_t begin, size_t end,
                int64_t firstLineNo, const QString& path, ParsedSlice& out) {
  out.records.reserve(end - begin);
  std::string line, problem;
  for (size_t i = begin; i < end; ++i) {
    const char* p = lines[i].first;
    size_t n = lines[i].second;
    while (n > 0 && std::isspace(static_cast<unsigned char>(*p))) ++p, --n;
    while (n > 0 && std::isspace(static_cast<unsigned char>(p[n - 1]))) --n;
    if (n == 0) continue;
    line.assign(p, n);
    MetricsRecord record;
    const MetricsLine kind = parseMetricsLine(line, record, problem);
    if (kind == MetricsLine::Record) {
      out.records.push_back(std::move(record));
    } else if (kind != MetricsLine::Format) {
      out.problems << QString("%1:%2: %3").arg(path).arg(firstLineNo + int64_t(i)).arg(QString::fromStdString(problem));
      if (kind == MetricsLine::OtherFormat) {
        out.otherFormat = true;
        return;
      }
    }
  }
}

}  // namespace

MetricsLoader::MetricsLoader(QObject* parent) : QObject(parent) {
  qRegisterMetaType<std::vector<vwb::MetricsRecord>>("std::vector<vwb::MetricsRecord>");
}

MetricsLoader::~MetricsLoader() { join(); }

void MetricsLoader::join() {
  ++generation_;  // whatever the worker still posts is dropped
  if (worker_.joinable()) worker_.join();
  loading_ = false;
}

void MetricsLoader::abandon() { join(); }

bool MetricsLoader::start(const QString& path, QString* error) {
  join();
  QFile probe(path);
  if (!probe.open(QIODevice::ReadOnly)) {
    if (error) *error = path + ": cannot open: " + probe.errorString();
    return false;
  }
  probe.close();
  path_ = path;
  loading_ = true;
  const int generation = ++generation_;
  worker_ = std::thread([this, path, generation] { run(path, generation); });
  return true;
}

void MetricsLoader::run(QString path, int generation) {
  QFile f(path);
  QStringList problems;
  if (!f.open(QIODevice::ReadOnly)) {
    problems << path + ": cannot open: " + f.errorString();
  } else {
    const qint64 total = f.size();
    const int threads = int(std::clamp<unsigned>(std::thread::hardware_concurrency(), 1u, 8u));
    QByteArray carry;  // the unfinished last line of the previous slice
    int64_t lineNo = 1;
    qint64 read = 0;
    while (generation == generation_) {
      QByteArray buffer = carry + f.read(kSliceBytes);
      read = f.pos();
      const bool last = f.atEnd() || buffer.size() == carry.size();
      carry.clear();
      if (!last) {  // keep the partial line for the next slice
        const qsizetype cut = buffer.lastIndexOf('\n') + 1;
        carry = buffer.mid(cut);
        buffer.truncate(cut);
      }
      std::vector<std::pair<const char*, size_t>> lines;
      lines.reserve(size_t(buffer.size() / 200 + 16));
      const char* data = buffer.constData();
      for (qsizetype start = 0; start < buffer.size();) {
        qsizetype end = buffer.indexOf('\n', start);
        if (end < 0) end = buffer.size();
        lines.emplace_back(data + start, size_t(end - start));
        start = end + 1;
      }
      // The lines are independent: parse them on every core, then keep the file's order.
      const size_t parts = std::min<size_t>(size_t(threads), std::max<size_t>(1, lines.size() / 2000));
      std::vector<ParsedSlice> parsed(parts);
      std::vector<std::thread> pool;
      for (size_t t = 1; t < parts; ++t)
        pool.emplace_back([&, t] {
          parseRange(lines, lines.size() * t / parts, lines.size() * (t + 1) / parts, lineNo, path, parsed[t]);
        });
      parseRange(lines, 0, lines.size() / parts, lineNo, path, parsed[0]);
      for (std::thread& th : pool) th.join();
      lineNo += int64_t(lines.size());
      // A file of another format is refused whole, naming its format line: none of it is shown.
      const auto other = std::find_if(parsed.begin(), parsed.end(), [](const ParsedSlice& p) { return p.otherFormat; });
      if (other != parsed.end()) {
        problems << other->problems.back();
        break;
      }
      auto records = std::make_shared<std::vector<MetricsRecord>>();
      size_t count = 0;
      for (const ParsedSlice& p : parsed) count += p.records.size();
      records->reserve(count);
      for (ParsedSlice& p : parsed) {
        std::move(p.records.begin(), p.records.end(), std::back_inserter(*records));
        problems << p.problems;
      }
      QMetaObject::invokeMethod(this, [this, records, generation, read, total] {
        if (generation != generation_) return;
        Q_EMIT recordsReady(*records);
        Q_EMIT progressChanged(read, total);
      }, Qt::QueuedConnection);
      if (last) break;
    }
  }
  QMetaObject::invokeMethod(this, [this, problems, generation] {
    if (generation != generation_) return;
    loading_ = false;
    Q_EMIT finished(problems);
  }, Qt::QueuedConnection);
}

}  // namespace vwb::ui
