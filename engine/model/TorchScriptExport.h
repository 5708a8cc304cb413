#pragma once
// A checkpoint as a TorchScript module that Python's `torch.jit.load` opens (torch-free header).
// LibTorch's C++ modules cannot be scripted, so the exporter builds a torch::jit::Module by
// hand: the checkpoint's parameters and buffers become its attributes (dots -> underscores) and
// its methods are TorchScript source generated from the model config and compiled with
// Module::define, one functional op per layer of UNet3DImpl's forward.
// Methods: forward(x) = logits [N,1,D,H,W] of normalized input; normalize(raw) = the
// checkpoint's clip + z-score of raw 0..255 intensities; predict_raw(raw) = forward(normalize).
// Attributes: clip_low, clip_high, mean, std, patch, arch, meta (the checkpoint's meta JSON).
#include <string>

namespace vwb {

// The module's serialized bytes (torch.jit.save format). Throws vwb::Error naming the file.
std::string exportTorchScript(const std::string& checkpointPath);

}  // namespace vwb
