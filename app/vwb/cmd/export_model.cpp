// vwb export-model: a checkpoint as a TorchScript module for Python (torch.jit.load) or C++.
#include <cstdio>

#include "CommandRegistry.h"
#include "engine/core/AtomicFile.h"
#include "engine/model/TorchScriptExport.h"

namespace {

void setup(CLI::App& cmd) {
  auto checkpoint = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  cmd.add_option("--checkpoint", *checkpoint, "vwb checkpoint (best.pt, ema.pt, last.pt)")->required();
  cmd.add_option("--out", *out, "TorchScript file to write (e.g. model.pt)")->required();
  cmd.callback([=] {
    vwb::writeFileAtomically(*out, vwb::exportTorchScript(*checkpoint));
    std::printf("wrote %s: m = torch.jit.load(path); logits = m.predict_raw(raw 0..255 as float "
                "[N,1,D,H,W]) (or m.forward(m.normalize(raw)))\n",
                out->c_str());
  });
}

}  // namespace

// Registered by hand: the command name has a hyphen.
static ::vwb::cli::CommandRegistrar vwbCommand_export_model(
    "export-model", 75, "Write a checkpoint as a TorchScript module (torch.jit.load in Python)", setup);
