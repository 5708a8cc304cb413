"""The Python side of a Vesuvius Workbench Kaggle kit (written by `vwb kaggle-kit`).

Python only moves files: it reads the test TIFFs (tifffile), hands the voxels to libvwbkit.so
(the workbench's engine, built from the kit's src/ against this Python's PyTorch) and writes the
masks into submission.zip (zipfile). The engine predicts (sliding window, TTA, every GPU),
post-processes with the run's record and reads the test ids. Time is kept here: after each
volume the rest is projected from what was measured, and TTA variants are dropped (full ->
flips -> none), saying so, when the rest would not end within the budget.

    python3 vwbkit.py --kit KIT [--lib libvwbkit.so] --data DATA --out submission.zip
"""
import argparse
import ctypes
import glob
import hashlib
import io
import json
import os
import subprocess
import sys
import time
import zipfile

import numpy as np

FORMAT = 'vwb-kaggle-kit/1'
TTA_LADDER = ['full', 'flips', 'none']   # what is dropped first when time runs short
TTA_TRANSFORMS = {'full': 16, 'flips': 8, 'none': 1}  # engine/infer/TestTimeAugmentation.h


def log(message):
    print(f'[vwbkit {time.strftime("%H:%M:%S")}] {message}', flush=True)


def hours(seconds):
    return f'{seconds / 3600:.2f} h' if seconds >= 3600 else f'{seconds / 60:.1f} min'


class Kit:
    """A kit folder: kit.json (format vwb-kaggle-kit/1), models/, src/, this file."""

    def __init__(self, path):
        self.path = os.path.abspath(path)
        self.started = time.time()  # the budget counts from here (the notebook's first cell)
        file = os.path.join(self.path, 'kit.json')
        with open(file) as f:
            self.json = json.load(f)
        if self.json.get('format') != FORMAT:
            raise RuntimeError(f'{file}: format {self.json.get("format")!r} is not {FORMAT}')

    def data_dir(self):
        return os.environ.get('VWB_KIT_DATA', self.json['competition']['data'])

    def budget_seconds(self):
        if 'VWB_KIT_BUDGET_S' in os.environ:  # to see the TTA drop happen on a small dataset
            return float(os.environ['VWB_KIT_BUDGET_S'])
        return self.json['budget_seconds'] * self.json['budget_share']

    def summary(self):
        lines = [f'kit {self.path} (from run {self.json["run"]})']
        for m in self.json['models']:
            lines.append(f'  {m["file"]}: {m["arch"]}, patch {m["patch"]}, weight {m["weight"]:.3f}')
        inf = self.json['inference']
        lines.append(f'  TTA {inf["tta"]} ({inf["tta_average"]}), overlap {inf["overlap"]}')
        lines.append(f'  post-processing {json.dumps(self.json["postprocess"])}')
        for e in self.json['estimates'].values():
            lines.append(f'  estimate {e["text"]}')
        return '\n'.join(lines)

    def sources_digest(self):
        h = hashlib.sha256()
        src = os.path.join(self.path, 'src')
        for root, dirs, files in os.walk(src):
            dirs.sort()
            for name in sorted(files):
                p = os.path.join(root, name)
                h.update(os.path.relpath(p, src).encode() + b'\0')
                with open(p, 'rb') as f:
                    h.update(f.read())
        return h.hexdigest()


def build(kit, work='/kaggle/working', jobs=None):
    """libvwbkit.so for this PyTorch: an earlier build of the same kit and PyTorch (in `work` or
    in an attached notebook output), else CMake in work/vwbkit-build. Returns its path."""
    import torch
    from torch.utils import cpp_extension
    stamp = {'sources': kit.sources_digest(), 'torch': torch.__version__, 'cuda': torch.version.cuda,
             'cxx11_abi': int(torch._C._GLIBCXX_USE_CXX11_ABI), 'python': sys.version.split()[0]}
    target = os.path.join(work, 'vwbkit-build')
    candidates = [target] + sorted(glob.glob('/kaggle/input/**/vwbkit-build', recursive=True))
    for c in candidates:
        try:
            with open(os.path.join(c, 'stamp.json')) as f:
                same = json.load(f) == stamp
        except (OSError, ValueError):
            continue
        if same and os.path.isfile(os.path.join(c, 'libvwbkit.so')):
            log(f'using the build in {c} (same kit sources, same PyTorch {torch.__version__})')
            return os.path.join(c, 'libvwbkit.so')
    jobs = jobs or os.cpu_count() or 2
    log(f'building libvwbkit.so against PyTorch {torch.__version__} (CUDA {torch.version.cuda}) '
        f'with {jobs} jobs in {target}')
    t0 = time.time()
    if os.path.isdir(target):
        subprocess.run(['rm', '-rf', target], check=True)
    os.makedirs(target)
    includes = ';'.join(cpp_extension.include_paths())
    configure = ['cmake', '-S', os.path.join(kit.path, 'src'), '-B', target, '-DCMAKE_BUILD_TYPE=Release',
                 '-DCMAKE_COLOR_MAKEFILE=OFF',
                 f'-DTORCH_INCLUDE_DIRS={includes}', f'-DTORCH_LIBRARY_DIR={cpp_extension.library_paths()[0]}',
                 f'-DTORCH_CXX11_ABI={stamp["cxx11_abi"]}']
    for step in (configure, ['cmake', '--build', target, '-j', str(jobs)]):
        tail = []
        with subprocess.Popen(step, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as p:
            for line in p.stdout:
                tail = (tail + [line.rstrip()])[-60:]
                if line.startswith('[') or 'error' in line.lower():
                    print('   ', line.rstrip(), flush=True)
        if p.returncode != 0:
            raise RuntimeError(f'{" ".join(step[:2])} failed (exit {p.returncode}):\n' + '\n'.join(tail))
    with open(os.path.join(target, 'stamp.json'), 'w') as f:
        json.dump(stamp, f)
    log(f'built libvwbkit.so in {time.time() - t0:.0f} s')
    return os.path.join(target, 'libvwbkit.so')


PROGRESS = ctypes.CFUNCTYPE(None, ctypes.c_int64, ctypes.c_int64)
_u8 = ctypes.POINTER(ctypes.c_uint8)


def load(lib):
    """The engine library, with its C signatures (engine/kit/KitCApi.h)."""
    if os.environ.get('VWB_KIT_NO_TORCH') != '1':
        try:
            import torch  # noqa: F401  loads libtorch (and libtorch_cuda: the GPUs) first
        except ImportError:
            pass
    L = ctypes.CDLL(os.path.abspath(lib))
    L.vwbkit_version.restype = ctypes.c_char_p
    L.vwbkit_last_error.restype = ctypes.c_char_p
    L.vwbkit_open.restype = ctypes.c_void_p
    L.vwbkit_open.argtypes = [ctypes.c_char_p]
    L.vwbkit_close.argtypes = [ctypes.c_void_p]
    L.vwbkit_patch.restype = ctypes.c_int64
    L.vwbkit_patch.argtypes = [ctypes.c_void_p]
    dims = [ctypes.c_int64] * 3
    L.vwbkit_predict.argtypes = [ctypes.c_void_p, _u8, *dims, _u8, PROGRESS]
    L.vwbkit_postprocess.argtypes = [ctypes.c_char_p, _u8, *dims, _u8]
    L.vwbkit_read_ids.restype = ctypes.c_char_p
    L.vwbkit_read_ids.argtypes = [ctypes.c_char_p]
    return L


def _error(L):
    return L.vwbkit_last_error().decode(errors='replace')


def devices():
    """Every GPU present (the tiles of a volume are shared between them), else the CPU."""
    if os.environ.get('VWB_KIT_DEVICES'):
        return os.environ['VWB_KIT_DEVICES'].split(',')
    try:
        import torch
        n = torch.cuda.device_count()
    except ImportError:
        n = 0
    return [f'cuda:{i}' for i in range(n)] or ['cpu']


def capabilities(devs):
    """Each CUDA device's compute capability: the library cannot ask CUDA itself, and --amp auto
    needs it (fp16 on a T4, sm75; fp32 on a P100, sm60, which has no tensor cores)."""
    caps = []
    for d in devs:
        if d.startswith('cuda'):
            import torch
            caps.append(list(torch.cuda.get_device_capability(int(d.split(':')[1]) if ':' in d else 0)))
        else:
            caps.append([0, 0])
    return caps


def test_ids(L, data):
    csv = os.path.join(data, 'test.csv')
    raw = L.vwbkit_read_ids(csv.encode())
    if raw is None:
        raise RuntimeError(f'{csv}: {_error(L)}')
    listed = json.loads(raw)
    problems = list(listed['problems'])
    for i in listed['ids']:
        if not os.path.isfile(os.path.join(data, 'test_images', f'{i}.tif')):
            problems.append(f'{data}/test_images/{i}.tif: missing (test.csv lists it)')
    if problems:
        raise RuntimeError('the test set has problems:\n  ' + '\n  '.join(problems))
    return listed['ids']


def _open(L, kit, tta):
    inf = kit.json['inference']
    settings = {'checkpoints': [os.path.join(kit.path, m['file']) for m in kit.json['models']],
                'weights': [m['weight'] for m in kit.json['models']], 'tta': tta,
                'tta_average': inf['tta_average'], 'overlap': inf['overlap'], 'batch': inf.get('batch', 2),
                'devices': devices(), 'threads': int(os.environ.get('VWB_KIT_THREADS', '0')),
                'amp': inf.get('amp', 'auto'), 'cuda_capability': capabilities(devices())}
    handle = L.vwbkit_open(json.dumps(settings).encode())
    if not handle:
        raise RuntimeError(f'loading the models: {_error(L)}')
    return handle


def _read_image(path):
    import tifffile
    try:
        image = tifffile.imread(path)
    except ValueError as e:  # a compression tifffile cannot decode without imagecodecs (LZW...)
        from PIL import Image  # Pillow's libtiff decodes every scheme libtiff knows
        with Image.open(path) as im:
            pages = []
            for i in range(getattr(im, 'n_frames', 1)):
                im.seek(i)
                pages.append(np.asarray(im))
        image = np.stack(pages)
        if image.dtype == np.bool_:
            raise RuntimeError(f'{path}: a 1-bit volume; expected 3D uint8') from e
    if image.ndim != 3 or image.dtype != np.uint8:
        raise RuntimeError(f'{path}: a {image.dtype} volume of shape {image.shape}; expected 3D uint8')
    return np.ascontiguousarray(image)


def _mask_tif(mask):
    import tifffile
    buf = io.BytesIO()
    tifffile.imwrite(buf, mask, compression='zlib')
    return buf.getvalue()


def predict_all(kit, lib, data, out):
    """Every test volume -> the run's masks -> `out` (written as out.partial, checked, renamed)."""
    L = load(lib)
    ids = test_ids(L, data)
    tta = kit.json['inference']['tta']
    budget = kit.budget_seconds()
    log(f'{len(ids)} test volume(s) on {", ".join(devices())}; TTA {tta}; budget {hours(budget)} '
        f'({hours(time.time() - kit.started)} spent before prediction)')
    handle = _open(L, kit, tta)
    per_volume = {}  # TTA -> measured seconds per volume
    made_with = {}
    post = json.dumps(kit.json['postprocess']).encode()
    partial = out + '.partial'
    last_print = [0.0]

    @PROGRESS
    def progress(done, total):  # engine worker threads; a line every 30 s at most
        now = time.time()
        if total and now - last_print[0] >= 30:
            last_print[0] = now
            print(f'      tiles {done}/{total}', flush=True)

    try:
        with zipfile.ZipFile(partial, 'w', zipfile.ZIP_STORED) as zf:
            for n, vid in enumerate(ids):
                t0 = time.time()
                image = _read_image(os.path.join(data, 'test_images', f'{vid}.tif'))
                d, h, w = image.shape
                prob = np.empty_like(image)
                mask = np.empty_like(image)
                ptr = lambda a: a.ctypes.data_as(_u8)  # noqa: E731
                last_print[0] = time.time()
                if L.vwbkit_predict(handle, ptr(image), d, h, w, ptr(prob), progress) != 0:
                    raise RuntimeError(f'{vid}: {_error(L)}')
                if L.vwbkit_postprocess(post, ptr(prob), d, h, w, ptr(mask)) != 0:
                    raise RuntimeError(f'{vid}: post-processing: {_error(L)}')
                zf.writestr(f'{vid}.tif', _mask_tif(mask))
                made_with[vid] = tta
                seconds = time.time() - t0
                per_volume.setdefault(tta, []).append(seconds)
                elapsed = time.time() - kit.started
                left = len(ids) - n - 1
                mean = sum(per_volume[tta]) / len(per_volume[tta])
                projected = elapsed + left * mean
                log(f'[{n + 1}/{len(ids)}] {vid}: {d}x{h}x{w} in {seconds:.1f} s (TTA {tta}), '
                    f'{mask.mean():.2%} foreground; {hours(elapsed)} spent, '
                    f'{hours(projected)} projected of {hours(budget)}')
                while left and projected > budget and tta != TTA_LADDER[-1]:
                    cheaper = TTA_LADDER[TTA_LADDER.index(tta) + 1]
                    guess = per_volume.get(cheaper)
                    mean = (sum(guess) / len(guess) if guess
                            else mean * TTA_TRANSFORMS[cheaper] / TTA_TRANSFORMS[tta])
                    log(f'dropping TTA variants: {tta} -> {cheaper}: the remaining {left} volume(s) at '
                        f'TTA {tta} would end at {hours(projected)}, past the budget of {hours(budget)}')
                    tta = cheaper
                    projected = elapsed + left * mean
                    L.vwbkit_close(handle)
                    handle = None
                    handle = _open(L, kit, tta)
                if left and projected > budget:
                    log(f'still projected past the budget ({hours(projected)}) with TTA none: nothing '
                        'more to drop, going on')
        check_submission(partial, data, L, ids)
        os.replace(partial, out)
    finally:
        L.vwbkit_close(handle)
        if os.path.exists(partial):
            os.remove(partial)
    with open(os.path.splitext(out)[0] + '.vwbkit.json', 'w') as f:
        json.dump({'tta_per_volume': made_with, 'seconds_per_volume': per_volume,
                   'postprocess': kit.json['postprocess'], 'models': kit.json['models']}, f, indent=1)
    dropped = sorted({t for t in made_with.values() if t != kit.json['inference']['tta']})
    log(f'wrote {out} ({os.path.getsize(out) / 1e6:.1f} MB, {len(ids)} masks) in '
        f'{hours(time.time() - kit.started)}' + (f'; TTA dropped to {", ".join(dropped)} for some volumes'
                                                 if dropped else ''))
    return made_with


def check_submission(path, data, lib_or_L, ids=None):
    """Reads the zip back: every test id exactly once as <id>.tif, uint8 0/1, the image's shape."""
    import tifffile
    L = load(lib_or_L) if isinstance(lib_or_L, str) else lib_or_L
    ids = ids if ids is not None else test_ids(L, data)
    problems = []
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        if len(names) != len(set(names)):
            problems.append(f'{path}: an entry appears twice')
        expected = {f'{i}.tif' for i in ids}
        problems += [f'{path}: {n} is not a test id' for n in sorted(set(names) - expected)]
        problems += [f'{path}: {n} is missing' for n in sorted(expected - set(names))]
        for i in ids:
            if f'{i}.tif' not in names:
                continue
            mask = tifffile.imread(io.BytesIO(zf.read(f'{i}.tif')))
            with tifffile.TiffFile(os.path.join(data, 'test_images', f'{i}.tif')) as t:
                shape = tuple(t.series[0].shape)
            if mask.shape != shape:
                problems.append(f'{i}.tif: shape {mask.shape}, the image is {shape}')
            if mask.dtype != np.uint8 or mask.max(initial=0) > 1:
                problems.append(f'{i}.tif: not uint8 0/1 ({mask.dtype}, max {mask.max(initial=0)})')
    if problems:
        raise RuntimeError('submission check failed:\n  ' + '\n  '.join(problems))
    log(f'{path}: {len(ids)} masks, every test id once, uint8 0/1, shapes as the images')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--kit', required=True)
    ap.add_argument('--lib', help='a built libvwbkit.so (default: build it into --work)')
    ap.add_argument('--work', default='/kaggle/working')
    ap.add_argument('--data', required=True)
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    kit = Kit(a.kit)
    lib = a.lib or build(kit, a.work)
    predict_all(kit, lib, a.data, a.out)


if __name__ == '__main__':
    main()
