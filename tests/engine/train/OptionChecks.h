#pragma once
// Torch-side checks for TestTrainingOptions behind plain types (OptionChecks.cpp: torch, no Qt).
#include <cstdint>
#include <vector>

namespace optionchecks {

std::vector<double> deepSupervisionWeights(int outputs);
// downsampleLabel of a [1,1,d,d,d] label (z-major bytes) by `factor`; returns the coarse bytes.
std::vector<uint8_t> downsampleLabel(const std::vector<uint8_t>& label, int64_t edge, int64_t factor);
// skeletonRecallLoss of one sample with every logit equal to `logit`.
double skeletonRecallLoss(float logit, const std::vector<uint8_t>& label,
                          const std::vector<uint8_t>& tube);

}  // namespace optionchecks
