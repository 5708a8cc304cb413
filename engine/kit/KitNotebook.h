#pragma once
// The Kaggle kit's generated notebook (.ipynb, nbformat 4) and README, from its kit.json: a few
// markdown cells that say what each step does, and short code cells that call vwbkit.py.
#include <string>

namespace vwb {

std::string kaggleKitNotebook(const std::string& kitJson);
std::string kaggleKitReadme(const std::string& kitJson);
// The training notebook: `vwb train` (and its --resume) in the notebook's kernel, on every GPU.
std::string kaggleKitTrainNotebook(const std::string& kitJson, const std::string& trainConfigJson);

}  // namespace vwb
