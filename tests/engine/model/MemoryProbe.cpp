#include "MemoryProbe.h"

#include <malloc.h>
#include <torch/torch.h>

#include <chrono>
#include <fstream>
#include <string>

#include "engine/model/torch/UNet3DImpl.h"
#include "engine/train/detail/TrainingLoss.h"

namespace memoryprobe {
namespace {

// Field of /proc/self/status in bytes ("VmRSS", "VmHWM").
int64_t statusBytes(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == field + ":") {
      int64_t kib = 0;
      in >> kib;
      return kib * 1024;
    }
    std::string rest;
    std::getline(in, rest);
  }
  return 0;
}

// Writing 5 to clear_refs resets VmHWM to the current RSS (Linux >= 4.0).
void resetPeak() {
  std::ofstream("/proc/self/clear_refs") << "5";
}

}  // namespace

StepMemory measureTrainingStep(const vwb::ModelConfig& config, int patch, int batch, int threads) {
  torch::set_num_threads(threads);
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);  // fixed: no dynamic growth, big blocks go back at free
  mallopt(M_TRIM_THRESHOLD, 256 * 1024);
  malloc_trim(0);
  auto image = torch::randn({batch, 1, patch, patch, patch});
  auto label = (torch::rand({batch, 1, patch, patch, patch}) < 0.3).to(torch::kUInt8);
  StepMemory m;
  const int64_t before = statusBytes("VmRSS");
  {
    auto model = vwb::makeUNet3D(config, 1);
    model->train();
    torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-3));
    vwb::LossOptions options;
    options.deepSupervision = config.deepSupervision;
    auto step = [&] {
      optimizer.zero_grad();
      vwb::trainingLoss(*model, image, label, {}, options).mean().backward();
      optimizer.step();
    };
    // The first step allocates gradients and AdamW's moments; the second is a steady-state
    // step as training runs it (what the planner budgets): measure that one.
    step();
    resetPeak();
    auto start = std::chrono::steady_clock::now();
    step();
    m.stepSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    m.measuredBytes = statusBytes("VmHWM") - before;
  }
  return m;
}

}  // namespace memoryprobe
