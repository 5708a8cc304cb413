#pragma once
// The test ids a submission must cover, and whether an id is safe to use as a file name.
#include <string>
#include <vector>

namespace vwb {

// Empty when `id` may become "<id>.tif" inside a folder or a zip: letters, digits, '.', '_',
// '-', not starting with '.', at most 128 characters. Otherwise the reason, quoting the id
// with unprintable bytes escaped.
std::string unsafeIdReason(const std::string& id);

// Ids from a CSV with an "id" column (e.g. test.csv: id,scroll_id), in file order. Problems
// (unreadable file, no id column, empty or duplicate ids) are appended to `problems`.
std::vector<std::string> readIdsFromCsv(const std::string& csvPath, std::vector<std::string>& problems);

// Stems of the *.tif files in a folder, sorted.
std::vector<std::string> listTifIds(const std::string& dir);

// The id printed for humans: unprintable bytes as \xNN.
std::string printableId(const std::string& id);

}  // namespace vwb
