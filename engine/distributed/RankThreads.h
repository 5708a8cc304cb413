#pragma once
// Runs the ranks of this process as threads. When one rank throws, the abort signal is raised
// with "rank R: <message>" so every other rank stops at (or inside) its next collective; all
// threads are joined and the root cause is rethrown as vwb::Error. Never returns while a rank
// thread still runs.
#include <functional>

#include "engine/distributed/AbortSignal.h"

namespace vwb::dist {

// fn(localRank) runs on its own thread; globalRankOffset only labels messages.
void runRankThreads(int count, const std::function<void(int localRank)>& fn, AbortSignal& abort,
                    int globalRankOffset = 0);

}  // namespace vwb::dist
