#include "engine/model/torch/ModelCheckpoint.h"

#include <zlib.h>

#include <algorithm>
#include <map>
#include <sstream>

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

const char* kChecksumKey = "checksum";

class Crc32 {
 public:
  void add(const void* data, size_t size) {
    crc_ = crc32_z(crc_, static_cast<const Bytef*>(data), size);
  }
  void add(const std::string& text) {
    add(text.data(), text.size());
    add("\0", 1);  // "ab","c" and "a","bc" differ
  }
  std::string hex() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08lx", static_cast<unsigned long>(crc_));
    return std::string("crc32:") + buf;
  }

 private:
  uLong crc_ = crc32_z(0L, Z_NULL, 0);
};

// Every entry of an archive, depth first, in name order (the file's own order is not promised):
// sub-archives recursively, tensors by dtype, shape and bytes, other values by their text.
void digest(torch::serialize::InputArchive& archive, const std::string& prefix, Crc32& crc) {
  std::vector<std::string> keys = archive.keys();
  std::sort(keys.begin(), keys.end());
  for (const std::string& key : keys) {
    if (prefix.empty() && key == kChecksumKey) continue;
    c10::IValue value;
    if (!archive.try_read(key, value)) continue;
    const std::string name = prefix + key;
    if (value.isTensor()) {
      const at::Tensor t = value.toTensor().cpu().contiguous();
      std::ostringstream head;
      head << "T " << name << ' ' << t.scalar_type() << ' ' << t.sizes();
      crc.add(head.str());
      crc.add(t.data_ptr(), t.numel() * t.element_size());
    } else if (value.isObject()) {
      torch::serialize::InputArchive sub;
      if (!archive.try_read(key, sub)) continue;
      crc.add("A " + name);
      digest(sub, name + ".", crc);
    } else {
      std::ostringstream text;
      text << "V " << name << ' ' << value.tagKind() << ' ' << value;
      crc.add(text.str());
    }
  }
}

std::string digestOf(torch::serialize::InputArchive& archive) {
  Crc32 crc;
  digest(archive, "", crc);
  return crc.hex();
}

// The shapes of every tensor of the archive by dotted name (as Module::named_parameters names them).
void tensorShapes(torch::serialize::InputArchive& archive, const std::string& prefix,
                  std::map<std::string, std::vector<int64_t>>& out) {
  for (const std::string& key : archive.keys()) {
    c10::IValue value;
    if (!archive.try_read(key, value)) continue;
    if (value.isTensor()) {
      out[prefix + key] = value.toTensor().sizes().vec();
    } else if (value.isObject()) {
      torch::serialize::InputArchive sub;
      if (archive.try_read(key, sub)) tensorShapes(sub, prefix + key + ".", out);
    }
  }
}

std::string shapeText(const std::vector<int64_t>& s) {
  std::string t = "[";
  for (size_t i = 0; i < s.size(); ++i) t += (i ? "x" : "") + std::to_string(s[i]);
  return t + "]";
}

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
  c10::IValue stored;
  if (archive.try_read(kChecksumKey, stored)) {
    std::string actual;
    try {
      actual = digestOf(archive);
    } catch (const c10::Error& e) {
      throw fileError(name, std::string("is damaged: its content cannot be read (") +
                                e.what_without_backtrace() + ")");
    }
    if (!stored.isString() || stored.toStringRef() != actual)
      throw fileError(name, "is damaged: its content checksum is " + actual + ", the file records " +
                                (stored.isString() ? stored.toStringRef() : std::string("no valid one")) +
                                " (changed or corrupted after it was written); use another checkpoint");
  }
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

std::string sealedCheckpointBytes(torch::serialize::OutputArchive& archive) {
  std::ostringstream first;
  archive.save_to(first);
  const std::string bytes = first.str();
  torch::serialize::InputArchive written;
  written.load_from(bytes.data(), bytes.size(), torch::kCPU);
  archive.write(kChecksumKey, c10::IValue(digestOf(written)));
  std::ostringstream sealed;
  archive.save_to(sealed);
  return sealed.str();
}

CheckpointInfo readInfo(torch::serialize::InputArchive& archive, const std::string& path) {
  c10::IValue meta;
  if (!archive.try_read("meta", meta) || !meta.isString())
    throw fileError(path, "checkpoint has no meta record");
  try {
    CheckpointInfo info = CheckpointInfo::fromMeta(meta.toStringRef());
    c10::IValue checksum;
    info.checksummed = archive.try_read(kChecksumKey, checksum);  // openArchive verified it
    return info;
  } catch (const Error& e) {
    throw fileError(path, e.what());
  }
}

void readModelSection(torch::serialize::InputArchive& archive, const std::string& path,
                      UNet3DImpl& model) {
  torch::serialize::InputArchive modelArchive;
  if (!archive.try_read("model", modelArchive))
    throw fileError(path, "checkpoint has no model section");
  // Module::load reads only the names the network asks for and takes each tensor's shape from the
  // file: extra or reshaped tensors would load silently into a network of another architecture.
  std::map<std::string, std::vector<int64_t>> stored, expected;
  tensorShapes(modelArchive, "", stored);
  for (const auto& p : model.named_parameters()) expected[p.key()] = p.value().sizes().vec();
  for (const auto& b : model.named_buffers()) expected[b.key()] = b.value().sizes().vec();
  std::vector<std::string> problems;
  for (const auto& [name, shape] : expected) {
    auto it = stored.find(name);
    if (it == stored.end()) problems.push_back("has no tensor " + name);
    else if (it->second != shape)
      problems.push_back("holds " + name + " as " + shapeText(it->second) + ", the recorded model needs " +
                         shapeText(shape));
  }
  for (const auto& [name, shape] : stored)
    if (!expected.count(name)) problems.push_back("holds " + name + ", which the recorded model does not have");
  if (!problems.empty()) {
    std::string text = "its weights do not match the model it records (" +
                       modelConfigToJson(model.config()).dump() + "): " + problems[0];
    for (size_t i = 1; i < std::min<size_t>(problems.size(), 3); ++i) text += "; " + problems[i];
    if (problems.size() > 3) text += "; and " + std::to_string(problems.size() - 3) + " more";
    throw fileError(path, text);
  }
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

CheckpointWeightsDigest checkpointWeightsDigest(const std::string& path) {
  LoadedModel m = loadModelCheckpoint(path, torch::kCPU);
  CheckpointWeightsDigest d;
  d.info = m.info;
  uLong crc = crc32_z(0L, Z_NULL, 0);
  auto add = [&](const torch::Tensor& t) {
    const torch::Tensor c = t.contiguous();
    crc = crc32_z(crc, static_cast<const Bytef*>(c.data_ptr()), static_cast<size_t>(c.numel() * c.element_size()));
    ++d.tensors;
  };
  for (const auto& p : m.model->named_parameters()) add(p.value());
  for (const auto& b : m.model->named_buffers()) add(b.value());
  d.crc32 = static_cast<uint32_t>(crc);
  return d;
}

}  // namespace vwb
