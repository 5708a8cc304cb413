#!/usr/bin/env python3
"""The plain PyTorch loop `vwb predict` replaces (issue 22, item 5): the same network (vwb
export-model's TorchScript), a Gaussian-weighted sliding window (sigma = patch/8, nnU-Net's),
`batch` tiles per forward pass in inference mode, fp32 on the CPU; reads the volume (Pillow: LZW
without imagecodecs), writes the 0/1 mask and the probability x 255 as deflated TIFFs, as vwb does.
Prints one line per phase and a JSON line. A benchmark, not a product path.

  bench-predict-plain.py --model model.ts --image ID.tif --out DIR [--patch 64] [--overlap 0.5]
                         [--batch 2] [--threads 0]
"""
import argparse
import json
import math
import os
import time

import numpy as np
import tifffile
import torch
from PIL import Image, ImageSequence


def starts(n, patch, step):
    if n <= patch:
        return [0]
    k = math.ceil((n - patch) / step) + 1
    return sorted({round(i * (n - patch) / (k - 1)) for i in range(k)})


def gaussian(patch):
    i = torch.arange(patch, dtype=torch.float64)
    c, s = (patch - 1) / 2.0, patch / 8.0
    g = torch.exp(-0.5 * ((i - c) / s) ** 2)
    w = g[:, None, None] * g[None, :, None] * g[None, None, :]
    return (w / w.max()).float()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--image", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--patch", type=int, default=64)
    p.add_argument("--overlap", type=float, default=0.5)
    p.add_argument("--batch", type=int, default=2)
    p.add_argument("--threads", type=int, default=0, help="0 = every core (torch's own default may be fewer)")
    a = p.parse_args()
    torch.set_num_threads(a.threads if a.threads > 0 else len(os.sched_getaffinity(0)))
    t0 = time.perf_counter()
    with Image.open(a.image) as im:
        vol = np.stack([np.asarray(page) for page in ImageSequence.Iterator(im)])
    t_read = time.perf_counter() - t0

    model = torch.jit.load(a.model, map_location="cpu").eval()
    P = a.patch
    step = max(1, int(P * (1 - a.overlap)))
    zs, ys, xs = (starts(n, P, step) for n in vol.shape)
    tiles = [(z, y, x) for z in zs for y in ys for x in xs]
    weight = gaussian(P)
    image = torch.from_numpy(vol).float().div_(255.0)
    acc = torch.zeros(vol.shape, dtype=torch.float32)
    norm = torch.zeros(vol.shape, dtype=torch.float32)
    t_net = 0.0
    t1 = time.perf_counter()
    with torch.inference_mode():
        for b in range(0, len(tiles), a.batch):
            group = tiles[b:b + a.batch]
            x = torch.stack([image[z:z + P, y:y + P, x0:x0 + P] for z, y, x0 in group])[:, None]
            tn = time.perf_counter()
            prob = torch.sigmoid(model(x))[:, 0]
            t_net += time.perf_counter() - tn
            for (z, y, x0), pr in zip(group, prob):
                acc[z:z + P, y:y + P, x0:x0 + P] += pr * weight
                norm[z:z + P, y:y + P, x0:x0 + P] += weight
        acc /= norm
    t_loop = time.perf_counter() - t1
    t2 = time.perf_counter()
    os.makedirs(os.path.join(a.out, "prob"), exist_ok=True)
    name = os.path.basename(a.image)
    mask = (acc >= 0.5).to(torch.uint8).numpy()
    probu8 = (acc * 255.0).round().clamp_(0, 255).to(torch.uint8).numpy()
    tifffile.imwrite(os.path.join(a.out, name), mask, compression="zlib")
    tifffile.imwrite(os.path.join(a.out, "prob", name), probu8, compression="zlib")
    t_write = time.perf_counter() - t2
    total = time.perf_counter() - t0
    print(f"plain PyTorch {torch.__version__}, {torch.get_num_threads()} threads: {len(tiles)} tiles of {P}^3, "
          f"read {t_read:.1f} s, network {t_net:.1f} s, loop {t_loop:.1f} s (outside the network "
          f"{100 * (t_loop - t_net) / t_loop:.1f} %), write {t_write:.1f} s, total {total:.1f} s, "
          f"{len(tiles) / t_loop:.2f} tiles/s")
    print(json.dumps({"tiles": len(tiles), "read_s": t_read, "network_s": t_net, "loop_s": t_loop,
                      "write_s": t_write, "total_s": total, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
