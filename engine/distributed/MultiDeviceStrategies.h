#pragma once
// Makes "ddp", "dp" and "auto" available to the training loop (engine/train's strategy
// registry). Call once before runTraining(); idempotent and thread-safe.
//   auto: DDP in worker threads when the config names several devices (cpu:N, several cuda:I)
//         or several nodes, else the single-device strategy.
namespace vwb::dist {

void registerMultiDeviceStrategies();

}  // namespace vwb::dist
