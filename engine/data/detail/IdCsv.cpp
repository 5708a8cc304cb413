#include "engine/data/detail/IdCsv.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace vwb::detail {

namespace {

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  std::string t = s.substr(b, e - b);
  if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = trim(t.substr(1, t.size() - 2));
  return t;
}

std::vector<std::string> splitFields(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (size_t i = 0; i <= line.size(); ++i)
    if (i == line.size() || line[i] == ',') {
      fields.push_back(trim(line.substr(start, i - start)));
      start = i + 1;
    }
  return fields;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

IdCsv parseIdCsv(const std::string& text, const std::string& name) {
  IdCsv out;
  std::vector<std::pair<int, std::string>> lines;
  size_t start = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;  // UTF-8 BOM
  for (int number = 1; start <= text.size(); ++number) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!trim(line).empty()) lines.emplace_back(number, line);
    start = end + 1;
  }
  if (lines.empty()) {
    out.warnings.push_back(name + " is empty");
    return out;
  }
  int idColumn = 0, scrollColumn = 1;
  size_t first = 0;
  auto header = splitFields(lines[0].second);
  auto idIt = std::find_if(header.begin(), header.end(), [](const std::string& f) { return lower(f) == "id"; });
  if (idIt != header.end()) {
    first = 1;
    idColumn = int(idIt - header.begin());
    auto sc = std::find_if(header.begin(), header.end(), [](const std::string& f) { return lower(f) == "scroll_id"; });
    scrollColumn = sc == header.end() ? -1 : int(sc - header.begin());
    if (scrollColumn < 0) out.warnings.push_back(name + " has no scroll_id column: scroll ids unknown");
  } else {
    out.warnings.push_back(name + " has no header line: assuming the columns are id,scroll_id");
  }
  const size_t needed = size_t(std::max(idColumn, scrollColumn)) + 1;
  std::map<std::string, int> seen;
  for (size_t i = first; i < lines.size(); ++i) {
    const auto& [number, line] = lines[i];
    const std::string where = name + " line " + std::to_string(number) + ": ";
    auto fields = splitFields(line);
    if (fields.size() < needed) {
      out.errors.push_back(where + "expected at least " + std::to_string(needed) + " columns, found " +
                           std::to_string(fields.size()) + " ('" + line + "')");
      continue;
    }
    IdRow row{fields[size_t(idColumn)], scrollColumn >= 0 ? fields[size_t(scrollColumn)] : "", number};
    if (row.id.empty()) {
      out.errors.push_back(where + "empty id");
      continue;
    }
    auto [it, inserted] = seen.emplace(row.id, number);
    if (!inserted) {
      out.errors.push_back(where + "id " + row.id + " repeats line " + std::to_string(it->second));
      continue;
    }
    out.rows.push_back(row);
  }
  return out;
}

}  // namespace vwb::detail
