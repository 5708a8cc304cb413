#include "engine/export/SubmissionIds.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace vwb {

namespace fs = std::filesystem;

std::string printableId(const std::string& id) {
  std::string out;
  for (unsigned char c : id) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

std::string unsafeIdReason(const std::string& id) {
  const std::string quoted = "test id '" + printableId(id) + "'";
  if (id.empty()) return "an empty test id";
  if (id.size() > 128) return quoted + " is longer than 128 characters";
  if (id.find('/') != std::string::npos || id.find('\\') != std::string::npos)
    return quoted + " contains a path separator";
  if (id[0] == '.') return quoted + " starts with '.' (hidden or parent folder)";
  for (unsigned char c : id)
    if (!(std::isalnum(c) || c == '.' || c == '_' || c == '-'))
      return quoted + " contains a character other than letters, digits, '.', '_' and '-'";
  return {};
}

namespace {

std::string trimField(std::string s) {
  if (s.size() >= 3 && s.compare(0, 3, "\xEF\xBB\xBF") == 0) s.erase(0, 3);  // UTF-8 BOM
  auto notSpace = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), notSpace));
  s.erase(std::find_if(s.rbegin(), s.rend(), notSpace).base(), s.end());
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

std::vector<std::string> splitCsvLine(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream ss(line);
  std::string f;
  while (std::getline(ss, f, ',')) fields.push_back(trimField(f));
  if (!line.empty() && line.back() == ',') fields.push_back("");
  return fields;
}

}  // namespace

std::vector<std::string> readIdsFromCsv(const std::string& csvPath, std::vector<std::string>& problems) {
  std::ifstream in(csvPath, std::ios::binary);
  if (!in) {
    problems.push_back(csvPath + ": cannot be read");
    return {};
  }
  std::string line;
  if (!std::getline(in, line)) {
    problems.push_back(csvPath + ": is empty (expected a header with an 'id' column)");
    return {};
  }
  const std::vector<std::string> header = splitCsvLine(line);
  const auto col = std::find(header.begin(), header.end(), "id");
  if (col == header.end()) {
    problems.push_back(csvPath + ": the header has no 'id' column");
    return {};
  }
  const size_t idColumn = static_cast<size_t>(col - header.begin());
  std::vector<std::string> ids;
  std::map<std::string, int> firstLine;
  int lineNo = 1;
  while (std::getline(in, line)) {
    ++lineNo;
    if (trimField(line).empty()) continue;
    const std::vector<std::string> fields = splitCsvLine(line);
    const std::string id = idColumn < fields.size() ? fields[idColumn] : "";
    if (id.empty()) {
      problems.push_back(csvPath + ": line " + std::to_string(lineNo) + " has no id");
      continue;
    }
    const auto [it, fresh] = firstLine.emplace(id, lineNo);
    if (!fresh) {
      problems.push_back(csvPath + ": test id '" + printableId(id) + "' appears twice (lines " +
                         std::to_string(it->second) + " and " + std::to_string(lineNo) + ")");
      continue;
    }
    ids.push_back(id);
  }
  return ids;
}

std::vector<std::string> listTifIds(const std::string& dir) {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".tif") ids.push_back(e.path().stem().string());
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace vwb
