#include "engine/core/DeviceName.h"


#include "engine/core/Error.h"

namespace vwb {

namespace {
// The digits after `prefix` as a number; -2 when they are not all digits (or too many).
int numberAfter(const std::string& name, size_t prefix) {
  if (name.size() == prefix || name.size() - prefix > 6) return -2;
  int n = 0;
  for (size_t i = prefix; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return -2;
    n = n * 10 + (name[i] - '0');
  }
  return n;
}
}  // namespace

DeviceName parseDeviceName(const std::string& name) {
  DeviceName d;
  if (name == "cpu") return d;
  if (name == "cuda") {
    d.cuda = true;
    d.index = 0;
    return d;
  }
  if (name.rfind("cpu:", 0) == 0) d.index = numberAfter(name, 4);
  else if (name.rfind("cuda:", 0) == 0) d.cuda = true, d.index = numberAfter(name, 5);
  else d.index = -2;
  if (d.index < 0) throw Error("device '" + name + "': expected cpu, cpu:N or cuda:I");
  return d;
}

void requireVisibleGpu(const std::string& name, const DeviceName& device, int visibleGpus) {
  if (!device.cuda) return;
  if (visibleGpus <= 0)
    throw Error("device " + name + ": this build of LibTorch has no CUDA or no GPU is visible");
  if (device.index >= visibleGpus)
    throw Error("device " + name + ": only " + std::to_string(visibleGpus) + " CUDA device(s) visible");
}

}  // namespace vwb
