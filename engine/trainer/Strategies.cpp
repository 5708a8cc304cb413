#include "engine/trainer/detail/Strategies.h"

#include "engine/core/Error.h"
#include "engine/distributed/torch/DataParallelStrategy.h"
#include "engine/distributed/torch/DdpThreadsStrategy.h"

namespace vwb {

namespace {
// auto: several devices or nodes mean DDP; "cpu:1" is one CPU device.
bool severalDevices(const TrainConfig& c) {
  return c.distributed.nnodes > 1 || c.distributed.devices.size() > 1 ||
         (c.distributed.devices.size() == 1 && c.distributed.devices[0].rfind("cpu:", 0) == 0 && c.distributed.devices[0] != "cpu:1");
}
}  // namespace

std::unique_ptr<TrainStrategy> makeStrategy(const TrainConfig& config) {
  switch (config.distributed.strategy) {
    case StrategyKind::Ddp:
      return std::make_unique<dist::DdpThreadsStrategy>(config);
    case StrategyKind::DataParallel:
      return std::make_unique<dist::DataParallelStrategy>(config);
    case StrategyKind::Auto: {
      if (severalDevices(config)) return std::make_unique<dist::DdpThreadsStrategy>(config);
      TrainConfig single = config;
      single.distributed.strategy = StrategyKind::Single;
      if (!single.distributed.devices.empty() && single.distributed.devices[0] == "cpu:1") single.distributed.devices[0] = "cpu";
      return makeStrategy(single);
    }
    case StrategyKind::Single:
      break;
  }
  if (config.distributed.devices.size() != 1 || config.distributed.devices[0].rfind("cpu:", 0) == 0)
    throw Error("the single-device strategy takes one device (cpu or cuda:N), got " +
                std::to_string(config.distributed.devices.size()) + " device(s)" +
                (config.distributed.devices.size() == 1 ? " ('" + config.distributed.devices[0] + "': use ddp or dp for CPU ranks)" : ""));
  return makeSingleDeviceStrategy(config.distributed.devices[0]);
}

}  // namespace vwb
