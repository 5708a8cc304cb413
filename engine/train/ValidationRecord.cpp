#include "engine/train/ValidationRecord.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "engine/core/Error.h"
#include "engine/core/TextFile.h"
#include "engine/core/AtomicFile.h"

namespace vwb {

namespace fs = std::filesystem;

std::string FullValidationRecord::toJson() const {
  nlohmann::json vols = nlohmann::json::array();
  for (const auto& v : volumes) vols.push_back({{"id", v.id}, {"dice", v.dice}});
  nlohmann::json j{{"format", kValidationFormat}, {"checkpoint", checkpoint}, {"step", step},
                   {"epoch", epoch}, {"dice", dice}, {"loss", loss}, {"tiles", tiles},
                   {"seconds", seconds}, {"crop", crop}, {"volumes", vols}};
  return j.dump(2);
}

FullValidationRecord FullValidationRecord::fromJson(const std::string& text) {
  FullValidationRecord r;
  try {
    auto j = nlohmann::json::parse(text);
    if (!j.is_object() || j.value("format", std::string()) != kValidationFormat)
      throw Error(std::string("not a validation record (no \"format\": \"") + kValidationFormat + "\")");
    r.checkpoint = j.at("checkpoint").get<std::string>();
    r.step = j.at("step").get<int64_t>();
    r.epoch = j.at("epoch").get<int64_t>();
    r.dice = j.at("dice").get<double>();
    r.loss = j.at("loss").get<double>();
    r.tiles = j.at("tiles").get<int64_t>();
    r.seconds = j.at("seconds").get<double>();
    r.crop = j.value("crop", 0);
    for (const auto& v : j.at("volumes")) r.volumes.push_back({v.at("id").get<std::string>(), v.at("dice").get<double>()});
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(std::string("validation record: ") + e.what());
  }
  return r;
}

std::string fullValidationPath(const std::string& runDir, const std::string& checkpoint) {
  return (fs::path(runDir) / kValidationFolder / (checkpoint + ".json")).string();
}

void writeFullValidation(const std::string& runDir, const FullValidationRecord& record) {
  const std::string path = fullValidationPath(runDir, record.checkpoint);
  fs::create_directories(fs::path(path).parent_path());
  writeFileAtomically(path, record.toJson() + "\n");
}

FullValidationRecord readFullValidation(const std::string& path) {
  const std::string text = readWholeFile(path, "the validation record");
  try {
    return FullValidationRecord::fromJson(text);
  } catch (const Error& e) {
    throw fileError(path, e.what());
  }
}

}  // namespace vwb
