#include "engine/metrics/Dice.h"

namespace vwb {

DiceCounts countDice(const uint8_t* predicted, const uint8_t* label, size_t n) {
  int64_t intersection = 0, positive = 0, truth = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t t = label[i];
    if (t == 2) continue;
    const bool p = predicted[i] != 0;
    positive += p;
    truth += t == 1;
    intersection += p && t == 1;
  }
  return {double(intersection), double(positive), double(truth)};
}

}  // namespace vwb
