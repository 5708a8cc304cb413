#pragma once
// Data augmentation presets and nnU-Net's default 3D training transforms, done on a loader
// thread's own buffers (torch-free). Each transform is one small function over a float patch
// (z-y-x), so each can be tested alone; PatchSampler draws their parameters from the patch key
// (drawChain) and runs them in nnU-Net's order:
//   spatial (rotation, scaling, [elastic]) with the mirroring folded into the same gather ->
//   Gaussian noise -> Gaussian blur -> multiplicative brightness -> contrast -> low resolution ->
//   inverted gamma -> gamma -> [illumination -> blank boxes].
// Mirroring is last in nnU-Net; here it is part of the gather. Every later transform is pointwise,
// a symmetric separable filter, a whole-patch statistic, or a random field whose distribution does
// not change under a flip, so the augmented patches have the same distribution and mirroring costs
// nothing.
#include <cstdint>
#include <functional>
#include <string>

namespace vwb {

class SplitMix;

// none: no augmentation; light: flips, 90-degree in-plane rotations, intensity scale/shift and noise
// (the sampler's original recipe, bit-identical batches); nnunet: nnU-Net v2's default 3D pipeline;
// strong: nnunet plus elastic deformation, inhomogeneous illumination and blank boxes.
enum class AugmentPreset { None, Light, NnUnet, Strong };
const char* augmentPresetName(AugmentPreset p);
AugmentPreset parseAugmentPreset(const std::string& s);  // throws vwb::Error naming the choices

// How labels follow a rotation/scaling: nnU-Net's one-hot per class, trilinear, argmax (thin
// sheets keep their voxels), or the nearest source voxel (for comparison).
enum class LabelResampling { OneHotLinear, Nearest };

// nnU-Net's table (nnUNetTrainer.get_training_transforms, batchgeneratorsv2), probabilities already
// multiplied by the per-channel probability where nnU-Net has one (one channel here).
struct ChainOptions {
  double rotationProbability = 0.2, maxRotationDegrees = 30;  // each axis U(-30, 30) degrees
  double scalingProbability = 0.2, scaleMin = 0.7, scaleMax = 1.4;  // one factor, all axes
  double elasticProbability = 0, elasticMagnitude = 0.05;  // max displacement, share of the patch
  double noiseProbability = 0.1, noiseSigmaMax = 0.1;      // sigma U(0, 0.1)
  double blurProbability = 0.1, blurSigmaMin = 0.5, blurSigmaMax = 1.0;  // 0.2 x 0.5; per axis
  double brightnessProbability = 0.15, brightnessMin = 0.75, brightnessMax = 1.25;
  double contrastProbability = 0.15, contrastMin = 0.75, contrastMax = 1.25;
  double lowResProbability = 0.125, lowResZoomMin = 0.5, lowResZoomMax = 1.0;  // 0.25 x 0.5
  double invertedGammaProbability = 0.1, gammaProbability = 0.3, gammaMin = 0.7, gammaMax = 1.5;
  double mirrorProbability = 0.5;  // per axis
  double illuminationProbability = 0, illuminationStrength = 0.3;
  double blankBoxProbability = 0;
  int blankBoxesMax = 5;
  LabelResampling labels = LabelResampling::OneHotLinear;
};

struct AugmentOptions {
  bool enabled = true;
  // light (the original recipe)
  double flipProbability = 0.5;    // per axis
  bool rotateInPlane = true;       // k * 90 degrees in the y-x plane
  double intensityProbability = 0.5;
  double scaleRange = 0.1;         // x * U(1-r, 1+r)
  double shiftRange = 0.1;         // + U(-r, r) (in normalized units)
  double noiseProbability = 0.15;
  double noiseSigmaMax = 0.1;
  // nnunet / strong: the chain replaces the light transforms above
  bool chain = false;
  ChainOptions chainOptions{};
};
AugmentOptions augmentOptions(AugmentPreset p);

// Augmented patches one loader thread makes per CPU-second at a cubic patch edge, warm chunk cache:
// measured with `vwb bench-data` (engine/train/README.md), at 128^3 and 192^3, scaled by voxels
// in between and beyond. What the planner sizes loader threads with.
double augmentPatchesPerSecond(AugmentPreset p, int patch);

// One patch's draw of the chain (all from the patch key).
struct ChainDraw {
  bool active = false;
  bool mirror[3] = {false, false, false};  // z, y, x
  bool spatial = false;                    // rotation, scaling or elastic: resampled
  float angles[3] = {0, 0, 0};             // radians about z, y, x
  float scale = 1;                         // > 1 samples a larger region (objects look smaller)
  float elastic = 0;                       // max displacement in voxels (0 = none)
  uint64_t elasticSeed = 0;
  float noiseSigma = 0;
  uint64_t noiseSeed = 0;
  float blurSigma[3] = {0, 0, 0};  // 0 = no blur
  float brightness = 1, contrast = 1, lowResZoom = 1, invertedGamma = 1, gamma = 1;
  float illumination = 0;
  uint64_t illuminationSeed = 0;
  int blankBoxes = 0;
  uint64_t blankBoxSeed = 0;
};
ChainDraw drawChain(SplitMix& rng, const ChainOptions& o);

struct Dims {
  int64_t d = 0, h = 0, w = 0;
  int64_t voxels() const { return d * h * w; }
};

// ---- spatial ----------------------------------------------------------------------------------
// Label value of box voxels outside the volume (set by markOutside): the image there counts as 0
// and the label becomes 2 (ignored) in the output.
constexpr uint8_t kOutsideLabel = 3;

// Box coordinate of output voxel o (z, y, x): origin + m * o, plus an optional displacement.
struct AffineMap {
  double m[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  double origin[3] = {0, 0, 0};
};
// Rotation about z, y and x (nnU-Net's Rz Ry Rx), times a uniform scale, with mirrored output axes.
AffineMap patchAffine(const float angles[3], float scale, const bool mirror[3]);
// Marks box voxels outside [0, shape) (the box's first voxel at `corner` in the volume).
void markOutside(uint8_t* label, Dims box, const int64_t corner[3], Dims shape);

// The output patch (out dims) resampled from a uint8 box through `table` (normalization):
// image trilinear, labels per `labels`; elasticMagnitude > 0 adds a smooth displacement field drawn
// from elasticSeed. The map must keep every sample at least one voxel inside the box (boxFor).
void resamplePatch(const uint8_t* image, const uint8_t* label, Dims box, const float* table,
                   const AffineMap& map, Dims out, float* outImage, uint8_t* outLabel,
                   LabelResampling labels = LabelResampling::OneHotLinear, float elasticMagnitude = 0,
                   uint64_t elasticSeed = 0);
// The same from a volume read box by box: the output is cut into slabs of source z (`slabDepth`
// voxels), each row's part in a slab found from its source-z line, and only the box around each
// slab's part of the footprint is read. Memory stays a few slabs' worth and the voxels read stay
// close to the footprint itself, where the bounding box of a rotated, scaled patch is up to ~5x
// larger. `map.origin` is in volume coordinates; `read` fills a box (corner, dims) with labels
// outside the volume set to kOutsideLabel.
using BoxReader = std::function<void(const int64_t corner[3], Dims box, uint8_t* image, uint8_t* label)>;
void resamplePatchFrom(const BoxReader& read, const float* table, const AffineMap& map, Dims out,
                       float* outImage, uint8_t* outLabel, LabelResampling labels = LabelResampling::OneHotLinear,
                       float elasticMagnitude = 0, uint64_t elasticSeed = 0, int64_t slabDepth = 24);
// The map of a patch of edge `patch` centred at `centre` (volume coordinates) under `map`'s linear
// part: sets map.origin.
void centreMap(AffineMap& map, const double centre[3], int64_t patch);
// The box (corner in the volume, dims) a patch of edge `patch` centred at `centre` needs under
// `map`'s linear part (with `margin` extra voxels, e.g. the elastic magnitude); sets map.origin so
// that output voxels land in that box.
void boxFor(AffineMap& map, const double centre[3], int64_t patch, double margin, int64_t corner[3],
            Dims& box);
// No resampling: the box is the patch; mirrored axes read backwards.
void gatherPatch(const uint8_t* image, const uint8_t* label, Dims box, const float* table,
                 const bool mirror[3], float* outImage, uint8_t* outLabel);

// ---- intensity (in place, normalized units) -------------------------------------------------
void addGaussianNoise(float* v, int64_t n, float sigma, uint64_t seed);
// Separable Gaussian, sigma per axis (0 = that axis untouched), radius ceil(3 sigma), edges
// repeated.
void gaussianBlur(float* v, Dims d, const float sigma[3]);
void multiplyBrightness(float* v, int64_t n, float factor);
// (v - mean) * factor + mean, clamped to the patch's [min, max] (range preserved).
void adjustContrast(float* v, int64_t n, float factor);
// Nearest-neighbour downsampling to round(zoom * edge) per axis, then trilinear back up (nnU-Net v2,
// align_corners false); separable, so three passes with two taps per voxel.
void simulateLowResolution(float* v, Dims d, float zoom);
// ((v - min) / range)^gamma * range + min, then the patch's mean and std restored; `invert` does it
// on -v (nnU-Net's inverted-image gamma).
void gammaKeepStats(float* v, int64_t n, float gamma, bool invert);
// A smooth multiplicative field in [1 - strength, 1 + strength] (inhomogeneous illumination).
void illuminate(float* v, Dims d, float strength, uint64_t seed);
// `count` boxes (edges 1/10..1/4 of each axis) set to the patch mean (image only).
void blankBoxes(float* v, Dims d, int count, uint64_t seed);

// Everything after the spatial step, in nnU-Net's order.
void applyIntensityChain(const ChainDraw& c, float* image, Dims d);

}  // namespace vwb
