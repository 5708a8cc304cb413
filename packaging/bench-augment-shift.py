#!/usr/bin/python3
"""The second acquisition style of packaging/bench-augment: volumes of the synthetic style
(`vwb synth`) re-imaged as if by another scanner, labels moved with them.

    bench-augment-shift.py IMAGES_DIR LABELS_DIR OUT_DIR [--seed N]

writes OUT_DIR/images/<id>.tif and OUT_DIR/labels/<id>.tif. What it varies, in this order:
  spacing      zoom 1.3 (finer voxels: sheets 30 % thicker and farther apart), centre crop
  orientation  rotation by 35 degrees about y and 20 about z (sheets lie at other angles)
  gamma        1.6 on the [0, 255] range
  contrast     x0.65 about the mean, +18 grey levels
  blur         Gaussian, sigma 1.2 voxels (a softer point-spread function)
  illumination a smooth multiplicative field in [0.65, 1.35] (beam hardening, uneven flux)
  noise        Gaussian, sigma 14 grey levels
Voxels the rotation brings in from outside get label 2 (ignored by the metric).
"""
import argparse
import os

import numpy as np
import tifffile
from scipy import ndimage


def shift(image, label, rng):
    shape = image.shape
    img = image.astype(np.float32)
    lab = label
    # Spacing: zoom about the centre, crop back to the shape.
    img = ndimage.zoom(img, 1.3, order=1)
    lab = ndimage.zoom(lab, 1.3, order=0)
    start = [(a - b) // 2 for a, b in zip(img.shape, shape)]
    crop = tuple(slice(s, s + n) for s, n in zip(start, shape))
    img, lab = img[crop], lab[crop]
    # Orientation (labels by nearest voxel; outside -> 2, ignored).
    fill = float(np.median(img))
    for angle, axes in ((35, (0, 2)), (20, (1, 2))):
        img = ndimage.rotate(img, angle, axes=axes, reshape=False, order=1, mode="constant", cval=fill)
        lab = ndimage.rotate(lab, angle, axes=axes, reshape=False, order=0, mode="constant", cval=2)
    # Intensity response: gamma, then contrast and offset.
    img = 255.0 * np.power(np.clip(img, 0, 255) / 255.0, 1.6)
    img = (img - img.mean()) * 0.65 + img.mean() + 18
    # Point-spread function, illumination, noise.
    img = ndimage.gaussian_filter(img, 1.2)
    field = ndimage.gaussian_filter(rng.standard_normal(shape).astype(np.float32), sigma=max(shape) / 4)
    field = field / (np.abs(field).max() + 1e-9)
    img = img * (1 + 0.35 * field)
    img = img + rng.normal(0, 14, shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8), lab.astype(np.uint8)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("images")
    ap.add_argument("labels")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    os.makedirs(os.path.join(a.out, "images"), exist_ok=True)
    os.makedirs(os.path.join(a.out, "labels"), exist_ok=True)
    for name in sorted(os.listdir(a.images)):
        if not name.endswith(".tif"):
            continue
        image = tifffile.imread(os.path.join(a.images, name))
        label = tifffile.imread(os.path.join(a.labels, name))
        img, lab = shift(image, label, rng)
        tifffile.imwrite(os.path.join(a.out, "images", name), img)
        tifffile.imwrite(os.path.join(a.out, "labels", name), lab)


if __name__ == "__main__":
    main()
