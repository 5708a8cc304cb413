#include "engine/model/TorchScriptExport.h"

#include <torch/script.h>

#include <set>
#include <sstream>

#include "engine/core/Error.h"
#include "engine/model/ModelMemory.h"
#include "engine/model/ModelPresets.h"
#include "engine/model/torch/ModelCheckpoint.h"

namespace vwb {
namespace {

std::string attr(const std::string& name) {
  std::string s = name;
  for (char& c : s)
    if (c == '.') c = '_';
  return "self." + s;
}

// Emits the forward pass as TorchScript statements, mirroring UNet3D.cpp / UNet3DResEnc.cpp.
class SourceWriter {
 public:
  SourceWriter(const ModelConfig& config, std::set<std::string> names)
      : config_(config), names_(std::move(names)) {}

  std::string forward() {
    out_ << "def forward(self, x):\n";
    std::string y = isResEnc(config_.arch) ? resEnc("x") : plain("x");
    out_ << "    return " << y << "\n";
    return out_.str();
  }

 private:
  std::string fresh() { return "t" + std::to_string(next_++); }
  std::string emit(const std::string& expression) {
    std::string v = fresh();
    out_ << "    " << v << " = " << expression << "\n";
    return v;
  }
  bool has(const std::string& name) const { return names_.count(name) > 0; }
  static std::string triple(int64_t v) {
    return "[" + std::to_string(v) + ", " + std::to_string(v) + ", " + std::to_string(v) + "]";
  }

  std::string conv(const std::string& x, const std::string& p, int64_t stride, int64_t pad) {
    std::string bias = has(p + ".bias") ? attr(p + ".bias") : "None";
    return emit("torch.conv3d(" + x + ", " + attr(p + ".weight") + ", " + bias + ", " +
                triple(stride) + ", " + triple(pad) + ", [1, 1, 1], 1)");
  }
  // A Norm3d registered as `p` (its inner module is "norm").
  std::string norm(const std::string& x, const std::string& p) {
    const std::string n = p + ".norm";
    switch (config_.norm) {
      case NormKind::Instance:
        return emit("torch.instance_norm(" + x + ", " + attr(n + ".weight") + ", " +
                    attr(n + ".bias") + ", None, None, True, 0.1, 1e-05, False)");
      case NormKind::Batch:  // eval mode: running statistics
        return emit("torch.batch_norm(" + x + ", " + attr(n + ".weight") + ", " +
                    attr(n + ".bias") + ", " + attr(n + ".running_mean") + ", " +
                    attr(n + ".running_var") + ", False, 0.1, 1e-05, False)");
      case NormKind::Group: {
        return emit("torch.group_norm(" + x + ", " + std::to_string(groupsOf(p)) + ", " +
                    attr(n + ".weight") + ", " + attr(n + ".bias") + ", 1e-05, False)");
      }
    }
    throw Error("internal: unknown norm");
  }
  int64_t groupsOf(const std::string& p) const {
    int64_t channels = channels_.at(p);
    int64_t groups = 8;  // as Norm3dImpl: the largest of 8..1 that divides the width
    while (channels % groups != 0) --groups;
    return groups;
  }
  std::string leaky(const std::string& x) { return emit("torch.leaky_relu(" + x + ", 0.01)"); }

  std::string plainBlock(const std::string& x, const std::string& p, int64_t out) {
    channels_[p + ".norm1"] = channels_[p + ".norm2"] = out;
    std::string y = leaky(norm(conv(x, p + ".conv1", 1, 1), p + ".norm1"));
    y = norm(conv(y, p + ".conv2", 1, 1), p + ".norm2");
    if (config_.residual) {
      std::string skip = has(p + ".project.weight") ? conv(x, p + ".project", 1, 0) : x;
      y = emit(y + " + " + skip);
    }
    return leaky(y);
  }
  std::string up(const std::string& x, int l) {
    const std::string p = "up" + std::to_string(l);
    return emit("torch.conv_transpose3d(" + x + ", " + attr(p + ".weight") + ", " +
                attr(p + ".bias") + ", [2, 2, 2], [0, 0, 0], [0, 0, 0], 1, [1, 1, 1])");
  }
  std::string plain(std::string x) {
    std::vector<std::string> skips;
    for (int l = 0; l < config_.levels; ++l) {
      x = plainBlock(x, "enc" + std::to_string(l), levelChannels(config_, l));
      if (l + 1 < config_.levels) {
        skips.push_back(x);
        x = emit("torch.max_pool3d(" + x + ", [2, 2, 2], [2, 2, 2], [0, 0, 0], [1, 1, 1], False)");
      }
    }
    for (int l = config_.levels - 2; l >= 0; --l) {
      x = up(x, l);
      x = plainBlock(emit("torch.cat([" + skips[l] + ", " + x + "], 1)"), "dec" + std::to_string(l),
                     levelChannels(config_, l));
    }
    return conv(x, "head", 1, 0);
  }

  std::string convNormAct(const std::string& x, const std::string& p, int64_t k, int64_t stride,
                          bool act, int64_t out) {
    channels_[p + ".norm"] = out;
    std::string y = norm(conv(x, p + ".conv", stride, k / 2), p + ".norm");
    return act ? leaky(y) : y;
  }
  std::string resEnc(std::string x) {
    x = convNormAct(x, "stem", 3, 1, true, levelChannels(config_, 0));
    std::vector<std::string> skips;
    for (int s = 0; s < config_.levels; ++s) {
      const int64_t c = levelChannels(config_, s);
      for (int b = 0; b < resEncBlocks(s); ++b) {
        const std::string p = "stage" + std::to_string(s) + ".block" + std::to_string(b);
        const int64_t stride = (b == 0 && s > 0) ? 2 : 1;
        std::string r = convNormAct(x, p + ".conv1", 3, stride, true, c);
        r = convNormAct(r, p + ".conv2", 3, 1, false, c);
        std::string skip = stride != 1 ? emit("torch.avg_pool3d(" + x +
                                              ", [2, 2, 2], [2, 2, 2], [0, 0, 0], False, True, None)")
                                       : x;
        if (has(p + ".skip.conv.weight")) skip = convNormAct(skip, p + ".skip", 1, 1, false, c);
        x = leaky(emit(r + " + " + skip));
      }
      if (s + 1 < config_.levels) skips.push_back(x);
    }
    for (int l = config_.levels - 2; l >= 0; --l) {
      x = up(x, l);
      x = convNormAct(emit("torch.cat([" + skips[l] + ", " + x + "], 1)"), "dec" + std::to_string(l),
                      3, 1, true, levelChannels(config_, l));
    }
    return conv(x, "head", 1, 0);
  }

  ModelConfig config_;
  std::set<std::string> names_;
  std::map<std::string, int64_t> channels_;
  std::ostringstream out_;
  int next_ = 0;
};

}  // namespace

std::string exportTorchScript(const std::string& checkpointPath) {
  LoadedModel loaded = loadModelCheckpoint(checkpointPath, torch::kCPU);
  const CheckpointInfo& info = loaded.info;
  torch::jit::Module module("VwbSurfaceModel");
  std::set<std::string> names;
  torch::NoGradGuard noGrad;
  for (const auto& p : loaded.model->named_parameters(true)) {
    module.register_parameter(attr(p.key()).substr(5), p.value().detach().clone(), false);
    names.insert(p.key());
  }
  for (const auto& b : loaded.model->named_buffers(true)) {
    if (b.key().find("num_batches_tracked") != std::string::npos) continue;
    module.register_buffer(attr(b.key()).substr(5), b.value().detach().clone());
    names.insert(b.key());
  }
  const Normalization& n = info.normalization;
  module.register_attribute("clip_low", c10::FloatType::get(), n.clipLow);
  module.register_attribute("clip_high", c10::FloatType::get(), n.clipHigh);
  module.register_attribute("mean", c10::FloatType::get(), n.mean);
  module.register_attribute("std", c10::FloatType::get(), n.std);
  module.register_attribute("patch", c10::IntType::get(), info.patch);
  module.register_attribute("arch", c10::StringType::get(), std::string(archName(info.model.arch)));
  module.register_attribute("meta", c10::StringType::get(), info.metaJson);
  try {
    module.define(SourceWriter(info.model, names).forward());
    module.define(
        "def normalize(self, raw):\n"
        "    return (torch.clamp(raw, self.clip_low, self.clip_high) - self.mean) / self.std\n"
        "def predict_raw(self, raw):\n"
        "    return self.forward(self.normalize(raw))\n");
  } catch (const c10::Error& e) {
    throw fileError(checkpointPath, std::string("TorchScript export failed: ") +
                                        e.what_without_backtrace());
  }
  module.eval();
  std::ostringstream bytes;
  module.save(bytes);
  return bytes.str();
}

}  // namespace vwb
