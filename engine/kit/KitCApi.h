#pragma once
// The C entry points of the Kaggle kit's library (libvwbkit.so), which the kit's notebook loads
// with ctypes: Python only reads and writes files (tifffile, zipfile); the engine predicts
// (EnsemblePredictor: sliding window, TTA, every GPU given), post-processes (PostProcess.h,
// the options read by the engine's own codec) and checks the test ids (SubmissionIds.h).
// Plain C types only, so that no Python header and no pybind11 is needed to build or load it.
// Every function that can fail returns 0 on success and -1 on failure, the reason then in
// vwbkit_last_error() (per thread).
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Called from engine worker threads with the tiles done and the total of the current volume.
typedef void (*vwbkit_progress_fn)(int64_t done, int64_t total);

const char* vwbkit_version(void);
const char* vwbkit_last_error(void);

// settings: a JSON object {"checkpoints": [paths], "weights": [w...] (optional), "tta":
// "none|flips|full", "tta_average": "probability|logit", "overlap": 0.5, "devices": ["cpu"] or
// ["cuda:0", "cuda:1"], "batch": 2, "threads": 0, "amp": "auto|off|fp16|bf16" (auto: as vwb
// predict), "cuda_capability": [[7, 5], ...] (torch.cuda.get_device_capability per device)}. Returns a handle, or NULL.
void* vwbkit_open(const char* settingsJson);
void vwbkit_close(void* handle);
// The largest patch edge of the ensemble's models, or -1.
int64_t vwbkit_patch(void* handle);

// image: d*h*w uint8 voxels, z-major; prob receives round(p*255) for every voxel.
int vwbkit_predict(void* handle, const uint8_t* image, int64_t d, int64_t h, int64_t w, uint8_t* prob,
                   vwbkit_progress_fn progress);

// postprocessJson: a post-processing record in the engine's format (vwb-postprocess/1);
// mask receives the 0/1 mask.
int vwbkit_postprocess(const char* postprocessJson, const uint8_t* prob, int64_t d, int64_t h, int64_t w,
                       uint8_t* mask);

// The test ids of a CSV with an "id" column, and every problem with it or with an id (unsafe as
// a file name, duplicate, empty...): JSON {"ids": [...], "problems": [...]}. NULL on failure.
// The string lives until the next call on this thread.
const char* vwbkit_read_ids(const char* csvPath);

// ---------------------------------------------------------------------------------------------
// Training (engine/kit/KitTrain.cpp): `vwb train` inside the notebook's kernel. The engine's own
// trainer (engine/trainer: every strategy; DDP = one worker thread per device, gradients
// all-reduced through c10d: NCCL on GPUs where the build has it, else Gloo) runs on volumes
// Python read (tifffile) and hands over as pointers: the library needs no TIFF reader.

// One labelled training volume: d*h*w uint8 voxels each, z-major; label values 0/1/2. The memory
// (a numpy array, or a memory-mapped .npy file) must stay valid until vwbkit_train returns.
typedef struct {
  const char* id;
  const char* scroll_id;  // "" when unknown (the validation split then goes by volume)
  int64_t d, h, w;
  const uint8_t* image;
  const uint8_t* label;
} vwbkit_volume;

// One progress line a person can read (no newline); called from the training thread or engine
// worker threads, never two at once.
typedef void (*vwbkit_line_fn)(const char* line);

// request: a JSON object
//   "config":  the run's settings in RUN/config.json's format (TrainConfig::fromJson); for a new run
//   "run_dir": the run folder (created; a folder that holds a run is refused unless "resume")
//   "resume":  true = continue RUN/checkpoints/last.pt with RUN/config.json's settings, exactly as
//              `vwb train --resume` ("config" is then not read)
//   "devices": optional, overrides the config's devices (["cuda:0", "cuda:1"], ["cpu:2"], ["cpu"])
//   "strategy": optional, overrides (auto | single | ddp | dp)
//   "epochs":  optional, overrides (with resume: a larger value extends the run, as --epochs does)
//   "max_seconds": optional, > 0: stop after the step during which this much time has passed
//              (last.pt is written; the next session resumes from it)
//   "stop_after_step": optional, > 0: stop after this global step (tests; same as a stop then)
//   "line_every_s": optional, seconds between step lines (default 30; 0 = every step)
//   "allow_data_change": optional, as --allow-data-change
// Blocks until the run ends or stops. Returns a JSON object {"outcome": "finished"|"stopped",
// "step", "epoch", "message"} that lives until the next call on this thread, or NULL on failure
// (the reason in vwbkit_last_error()).
const char* vwbkit_train(const char* request, const vwbkit_volume* volumes, int64_t count, vwbkit_line_fn line);

// A checkpoint's step and epoch and a digest of its weights (crc32 over every parameter and buffer,
// in order, as stored): equal digests = bit-identical weights. JSON {"step", "epoch", "weights_crc32",
// "tensors"}; NULL on failure. Lives until the next call on this thread.
const char* vwbkit_checkpoint_info(const char* path);

// What this build can train with: JSON {"gloo": bool, "nccl": bool, "cuda_paths": bool}.
const char* vwbkit_features(void);

#ifdef __cplusplus
}
#endif
