// A toy DDP process for the multi-process tests: prints its final parameters' sum and exits 0,
// or prints "error: ..." to stderr and exits 1.
//   DistRankProbe --world W --nnodes N --node-rank R --local-ranks L --master H:P --steps K
//                 [--timeout S] [--die-at STEP] [--hang-at STEP]
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "DistScenarios.h"

int main(int argc, char** argv) {
  vwbtest::dist::ToyRun run;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--world") run.world = std::stoi(v);
    else if (k == "--nnodes") run.nnodes = std::stoi(v);
    else if (k == "--node-rank") run.nodeRank = std::stoi(v);
    else if (k == "--local-ranks") run.localRanks = std::stoi(v);
    else if (k == "--master") run.master = v;
    else if (k == "--steps") run.steps = std::stoi(v);
    else if (k == "--timeout") run.timeoutSec = std::stoi(v);
    else if (k == "--die-at") run.dieAtStep = std::stoi(v);
    else if (k == "--hang-at") run.hangAtStep = std::stoi(v);
  }
  try {
    auto p = vwbtest::dist::toyDdpParameters(run);
    double sum = 0, weighted = 0;
    for (size_t i = 0; i < p.size(); ++i) {
      sum += p[i];
      weighted += p[i] * double(i % 7 + 1);
    }
    std::printf("params %zu %.12e %.12e\n", p.size(), sum, weighted);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
