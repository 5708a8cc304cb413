#include "engine/infer/PostProcessRecord.h"

#include <nlohmann/json.hpp>

#include <cmath>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/core/TextFile.h"

namespace vwb {

namespace {
// The keys of the schema, and the ones the GUI's untagged records used before it.
struct Keys {
  const char *border, *minSize, *closing, *sheetClosing;
};
constexpr Keys kKeys{"border", "min_size", "closing", "sheet_closing"};
constexpr Keys kOlderGuiKeys{"border_voxels", "min_component_voxels", "closing_radius", "sheet_closing_radius"};
}  // namespace

std::string postProcessToJson(const PostProcessOptions& o) {
  nlohmann::json j{{"format", kPostProcessFormat},   {"threshold", o.threshold},
                   {kKeys.border, o.borderVoxels},   {kKeys.minSize, o.minComponentVoxels},
                   {kKeys.closing, o.closingRadius}, {"fill_holes", o.fillHoles},
                   {"plug_holes", o.plugHoles},      {kKeys.sheetClosing, o.sheetClosingRadius}};
  return j.dump(2);
}

PostProcessOptions postProcessFromJson(const std::string& text) {
  try {
    auto j = nlohmann::json::parse(text);
    if (!j.is_object()) throw Error("a post-processing record is a JSON object");
    const Keys* keys = &kKeys;
    if (!j.contains("format")) {
      // The GUI's record before the schema was shared: no tag, its own key names.
      if (!j.contains("threshold") || !j.contains(kOlderGuiKeys.border))
        throw Error(std::string("not a post-processing record (expected format ") + kPostProcessFormat + ")");
      keys = &kOlderGuiKeys;
    } else if (!j["format"].is_string() || j["format"].get<std::string>() != kPostProcessFormat) {
      throw Error("post-processing record of format " + j["format"].dump() + ": this build reads " + kPostProcessFormat);
    }
    PostProcessOptions o;
    // Each number is range-checked as the JSON holds it (a double), before any conversion: 1e13
    // must be refused, not truncated to an int that happens to look fine.
    auto number = [&](const char* key, double fallback, const PostProcessRange& range) {
      if (!j.contains(key)) return fallback;
      if (!j[key].is_number()) throw Error(std::string("post-processing record: '") + key + "' is not a number");
      const double v = j[key].get<double>();
      if (!(v >= range.min && v <= range.max))
        throw Error("post-processing record: '" + std::string(key) + "' is " + j[key].dump() + ", outside its range " +
                    range.text());
      if (range.integer && v != std::floor(v))
        throw Error("post-processing record: '" + std::string(key) + "' is " + j[key].dump() + ", not a whole number");
      return v;
    };
    auto flag = [&](const char* key, bool fallback) {
      if (!j.contains(key)) return fallback;
      if (!j[key].is_boolean()) throw Error(std::string("post-processing record: '") + key + "' is not true or false");
      return j[key].get<bool>();
    };
    const PostProcessRanges r;
    o.threshold = number("threshold", o.threshold, r.threshold);
    o.borderVoxels = int(number(keys->border, o.borderVoxels, r.border));
    o.minComponentVoxels = int64_t(number(keys->minSize, double(o.minComponentVoxels), r.minSize));
    o.closingRadius = int(number(keys->closing, o.closingRadius, r.closing));
    o.fillHoles = flag("fill_holes", o.fillHoles);
    o.plugHoles = flag("plug_holes", o.plugHoles);  // absent in older records: off
    o.sheetClosingRadius = int(number(keys->sheetClosing, o.sheetClosingRadius, r.sheetClosing));
    return o;
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(std::string("post-processing record: ") + e.what());
  }
}

void writePostProcessFile(const std::string& path, const PostProcessOptions& options) {
  writeFileAtomically(path, postProcessToJson(options) + "\n");
}

PostProcessOptions readPostProcessFile(const std::string& path) {
  const std::string text = readWholeFile(path, "the post-processing record");
  try {
    return postProcessFromJson(text);
  } catch (const Error& e) {
    throw fileError(path, e.what());
  }
}

}  // namespace vwb
