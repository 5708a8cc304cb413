#include "engine/metrics/TopoScore.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>
#include <vector>

#include "engine/core/Error.h"
#include "engine/metrics/BettiMatching.h"
#include "engine/metrics/BinaryCubicalGrid.h"
#include "engine/metrics/NeighbourCodes.h"
#include "engine/metrics/RunLengthMask.h"

namespace vwb {

BettiNumbers bettiNumbers(const VolumeU8& mask, const Box3& box) {
  BettiNumbers b;
  const RunLengthMask fg = RunLengthMask::encode(mask, box, true);
  if (fg.runs.empty()) return b;
  b.b0 = labelComponents(fg, Connectivity::Face6).count;
  const RunLengthMask bg = RunLengthMask::encode(mask, box, false);
  const Components bc = labelComponents(bg, Connectivity::Full26);
  const std::vector<bool> open = componentsTouchingBorder(bg, bc);
  b.b2 = std::count(open.begin(), open.end(), false);
  b.b1 = b.b0 + b.b2 - eulerCharacteristic6(mask, box);
  return b;
}

void finishTopoScore(TopoResult& r) {
  const double weights[3] = {0.34, 0.33, 0.33};
  double weighted = 0, weightSum = 0;
  for (int k = 0; k < 3; ++k) {
    const double p = static_cast<double>(r.pred[k]), g = static_cast<double>(r.gt[k]);
    r.used[k] = !(p == 0 && g == 0);  // nothing to find, nothing found: skipped
    if (!r.used[k]) continue;
    // With no GT feature, 0.5/(p+0.5) penalises spurious features smoothly instead of a flat 0.
    r.f1[k] = g == 0 ? 0.5 / (p + 0.5) : 2.0 * static_cast<double>(r.matched[k]) / (p + g);
    weighted += weights[k] * r.f1[k];
    weightSum += weights[k];
  }
  r.score = weightSum > 0 ? weighted / weightSum : 1.0;
}

TopoResult topoScore(const VolumeU8& gt, const VolumeU8& pred, int threads) {
  if (gt.shape != pred.shape) throw Error("TopoScore: masks are " + gt.shape.str() + " and " + pred.shape.str());
  const std::vector<Box3> boxes = octants(gt.shape);
  std::vector<BettiCounts> counts(boxes.size());
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min<int>(threads, static_cast<int>(boxes.size()));
  std::atomic<size_t> next{0};
  std::vector<std::exception_ptr> errors(boxes.size());
  auto work = [&] {
    for (size_t i; (i = next++) < boxes.size();) try {
        counts[i] = bettiMatching(gt, pred, boxes[i]);
      } catch (...) {
        errors[i] = std::current_exception();
      }
  };
  if (threads <= 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(work);
    for (auto& t : pool) t.join();
  }
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
  TopoResult r;
  BettiCounts sum;
  for (const BettiCounts& c : counts) sum += c;
  r.pred = sum.pred, r.gt = sum.gt, r.matched = sum.matched;
  finishTopoScore(r);
  return r;
}

}  // namespace vwb
