#include "engine/model/detail/ModelCheckpoint.h"

#include <nlohmann/json.hpp>

#include "engine/core/Error.h"
#include "engine/model/ModelConfigJson.h"

namespace vwb {

std::string CheckpointInfo::composeMeta(const std::string& extra) const {
  nlohmann::json j = extra.empty() ? nlohmann::json::object() : nlohmann::json::parse(extra);
  j["model"] = modelConfigToJson(model);
  j["patch"] = patch;
  j["normalization"] = nlohmann::json::parse(normalization.toJson());
  j["step"] = step;
  j["epoch"] = epoch;
  return j.dump();
}

CheckpointInfo CheckpointInfo::fromMeta(const std::string& metaJson) {
  try {
    auto j = nlohmann::json::parse(metaJson);
    CheckpointInfo info;
    info.model = modelConfigFromJson(j.at("model"));
    info.patch = j.at("patch").get<int64_t>();
    info.normalization = Normalization::fromJson(j.at("normalization").dump());
    info.step = j.value("step", int64_t(0));
    info.epoch = j.value("epoch", int64_t(0));
    info.metaJson = metaJson;
    return info;
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(std::string("checkpoint meta record is invalid: ") + e.what());
  }
}

void writeModelSection(torch::serialize::OutputArchive& archive, const CheckpointInfo& info,
                       const std::string& extraJson, UNet3DImpl& model) {
  archive.write("format", c10::IValue(std::string(kCheckpointFormat)));
  archive.write("meta", c10::IValue(info.composeMeta(extraJson)));
  torch::serialize::OutputArchive modelArchive;
  model.save(modelArchive);
  archive.write("model", modelArchive);
}

namespace {
// `load` fills the archive from a file or from memory; `name` is what errors call it.
template <typename Load>
torch::serialize::InputArchive openArchive(const std::string& name, Load load) {
  torch::serialize::InputArchive archive;
  try {
    load(archive);
  } catch (const c10::Error& e) {
    throw fileError(name, std::string("not a readable checkpoint (") + e.what_without_backtrace() +
                              ")");
  }
  c10::IValue format;
  if (!archive.try_read("format", format) || !format.isString() ||
      format.toStringRef() != kCheckpointFormat)
    throw fileError(name, std::string("not a vwb checkpoint (expected format ") + kCheckpointFormat +
                              ")");
  return archive;
}
}  // namespace

torch::serialize::InputArchive openCheckpoint(const std::string& path,
                                              const torch::Device& device) {
  return openArchive(path, [&](auto& archive) { archive.load_from(path, device); });
}

torch::serialize::InputArchive openCheckpointData(const std::string& data, const std::string& name,
                                                  const torch::Device& device) {
  return openArchive(name, [&](auto& archive) { archive.load_from(data.data(), data.size(), device); });
}

CheckpointInfo readInfo(torch::serialize::InputArchive& archive, const std::string& path) {
  c10::IValue meta;
  if (!archive.try_read("meta", meta) || !meta.isString())
    throw fileError(path, "checkpoint has no meta record");
  try {
    return CheckpointInfo::fromMeta(meta.toStringRef());
  } catch (const Error& e) {
    throw fileError(path, e.what());
  }
}

void readModelSection(torch::serialize::InputArchive& archive, const std::string& path,
                      UNet3DImpl& model) {
  torch::serialize::InputArchive modelArchive;
  if (!archive.try_read("model", modelArchive))
    throw fileError(path, "checkpoint has no model section");
  try {
    model.load(modelArchive);
  } catch (const c10::Error& e) {
    throw fileError(path, std::string("model weights do not match the model config (") +
                              e.what_without_backtrace() + ")");
  }
}

CheckpointInfo readCheckpointInfo(const std::string& path) {
  auto archive = openCheckpoint(path, torch::kCPU);
  return readInfo(archive, path);
}

LoadedModel loadModelCheckpoint(const std::string& path, const torch::Device& device) {
  auto archive = openCheckpoint(path, torch::kCPU);
  LoadedModel loaded;
  loaded.info = readInfo(archive, path);
  loaded.model = UNet3D(loaded.info.model);
  readModelSection(archive, path, *loaded.model);
  loaded.model->to(device);
  loaded.model->eval();
  return loaded;
}

}  // namespace vwb
