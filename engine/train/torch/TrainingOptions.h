#pragma once
// The optional training settings the loop applies (torch): skeleton recall's tubes,
// the learning-rate schedule of the chosen optimizer, and their checks. Kept out of Trainer.cpp
// so the loop only calls them.
#include <string>

#include "engine/train/TrainConfig.h"
#include "engine/train/torch/TrainStrategy.h"

namespace vwb {

// Throws vwb::Error for out-of-range skeleton-recall weights or EMA decays.
void checkTrainingOptions(const OptimizerSettings& settings);

// AdamW: warm-up + cosine; SGD: nnU-Net's poly (exponent 0.9).
double scheduledLearningRate(const OptimizerSettings& settings, int64_t step, int64_t totalSteps);

// With skeleton recall on, fills batch.skeleton with the tubes of the labels (engine/train/
// SkeletonTube.h) on the CPU; otherwise returns the batch unchanged.
GlobalBatch withSkeletons(const OptimizerSettings& settings, GlobalBatch batch);

}  // namespace vwb
