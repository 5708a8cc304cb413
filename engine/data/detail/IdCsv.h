#pragma once
// Private to engine/data: the competition's train.csv / test.csv (id,scroll_id), parsed
// leniently (header or not, whitespace, CRLF, BOM, quotes, extra columns) with every malformed
// line reported rather than only the first.
#include <string>
#include <vector>

namespace vwb::detail {

struct IdRow {
  std::string id, scrollId;
  int line = 0;  // 1-based, for messages
};

struct IdCsv {
  std::vector<IdRow> rows;             // in file order, duplicates removed
  std::vector<std::string> errors;     // "train.csv line 4: ..."
  std::vector<std::string> warnings;
};

// `name` is used in messages (e.g. "train.csv").
IdCsv parseIdCsv(const std::string& text, const std::string& name);

}  // namespace vwb::detail
