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

#ifdef __cplusplus
}
#endif
