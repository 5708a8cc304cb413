#include "engine/distributed/MultiDeviceStrategies.h"

#include <mutex>

#include "engine/distributed/detail/DataParallelStrategy.h"
#include "engine/distributed/detail/DdpThreadsStrategy.h"
#include "engine/train/detail/TrainingRun.h"

namespace vwb::dist {

void registerMultiDeviceStrategies() {
  static std::once_flag once;
  std::call_once(once, [] {
    registerStrategyFactory(StrategyKind::Ddp, [](const TrainConfig& c) {
      return std::unique_ptr<TrainStrategy>(new DdpThreadsStrategy(c));
    });
    registerStrategyFactory(StrategyKind::DataParallel, [](const TrainConfig& c) {
      return std::unique_ptr<TrainStrategy>(new DataParallelStrategy(c));
    });
    registerStrategyFactory(StrategyKind::Auto, [](const TrainConfig& c) {
      bool several = c.nnodes > 1 || c.devices.size() > 1 ||
                     (c.devices.size() == 1 && c.devices[0].rfind("cpu:", 0) == 0 &&
                      c.devices[0] != "cpu:1");
      if (several) return std::unique_ptr<TrainStrategy>(new DdpThreadsStrategy(c));
      TrainConfig single = c;
      single.strategy = StrategyKind::Single;
      if (single.devices[0] == "cpu:1") single.devices[0] = "cpu";
      return makeStrategy(single);
    });
  });
}

}  // namespace vwb::dist
