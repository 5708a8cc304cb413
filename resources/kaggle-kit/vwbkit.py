"""The Python side of a Vesuvius Workbench Kaggle kit (written by `vwb kaggle-kit`).

Python only moves files: it reads the test TIFFs (tifffile), hands the voxels to libvwbkit.so
(the workbench's engine, built from the kit's src/ against this Python's PyTorch) and writes the
masks into submission.zip (zipfile). The engine predicts (sliding window, TTA, every GPU),
post-processes with the run's record and reads the test ids. Time is kept here: after each
volume the rest is projected from what was measured, and TTA variants are dropped (full ->
flips -> none), saying so, when the rest would not end within the budget.

    python3 vwbkit.py --kit KIT [--lib libvwbkit.so] --data DATA --out submission.zip

Training (the kit's vesuvius-train.ipynb): read_training_volumes() reads the labelled volumes
(tifffile) once into .npy files in /tmp and maps them; prepare_run() finds the run folder of the
notebook's previous version among the inputs and copies it to /kaggle/working; train() hands
the mapped voxels to the engine's trainer (vwbkit_train: `vwb train`, DDP over every GPU as
threads of this process) and resumes a copied run exactly, as `vwb train --resume`.
"""
import argparse
import ctypes
import glob
import hashlib
import io
import json
import os
import shutil
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

    def training_config(self):
        with open(os.path.join(self.path, self.json['training']['config'])) as f:
            return json.load(f)

    def training_summary(self):
        c, t = self.training_config(), self.json['training']
        m = c['model']
        return '\n'.join([
            f'kit {self.path}: training settings from {t["from"]}',
            f'  network {m["arch"]}, {m["levels"]} levels, base {m["base_channels"]} channels; patch {c["patch"]}, '
            f'batch {c["batch_per_device"]} per device x {c["grad_accumulation"]} accumulation',
            f'  {c["epochs"]} epochs x {c["steps_per_epoch"]} steps, lr {c["lr"]}, optimizer {c["optimizer"]}, '
            f'augment {c["augment"]}, amp {c["amp"]}, seed {c["seed"]}',
            f'  run folder /kaggle/working/{t["run_folder"]}; {t["session_hours"]} h of training per session'])

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


def build(kit, work='/kaggle/working', jobs=None, training=False):
    """libvwbkit.so for this PyTorch: an earlier build of the same kit and PyTorch (in `work` or
    in an attached notebook output), else CMake in work/vwbkit-build. `training`: with the
    training entry (vwbkit_train; 79 files instead of 43); a training build serves prediction too.
    Returns its path."""
    import torch
    from torch.utils import cpp_extension
    stamp = {'sources': kit.sources_digest(), 'torch': torch.__version__, 'cuda': torch.version.cuda,
             'cxx11_abi': int(torch._C._GLIBCXX_USE_CXX11_ABI), 'python': sys.version.split()[0],
             'training': bool(training)}
    target = os.path.join(work, 'vwbkit-build')
    candidates = [target] + sorted(glob.glob('/kaggle/input/**/vwbkit-build', recursive=True))
    for c in candidates:
        try:
            with open(os.path.join(c, 'stamp.json')) as f:
                found = json.load(f)
        except (OSError, ValueError):
            continue
        same = found == stamp or (not training and found == dict(stamp, training=True))
        if same and os.path.isfile(os.path.join(c, 'libvwbkit.so')):
            log(f'using the build in {c} (same kit sources, same PyTorch {torch.__version__})')
            return os.path.join(c, 'libvwbkit.so')
    jobs = jobs or os.cpu_count() or 2
    log(f'building libvwbkit.so{" with the training entry" if training else ""} against PyTorch '
        f'{torch.__version__} (CUDA {torch.version.cuda}) with {jobs} jobs in {target}')
    t0 = time.time()
    if os.path.isdir(target):
        subprocess.run(['rm', '-rf', target], check=True)
    os.makedirs(target)
    includes = ';'.join(cpp_extension.include_paths())
    configure = ['cmake', '-S', os.path.join(kit.path, 'src'), '-B', target, '-DCMAKE_BUILD_TYPE=Release',
                 '-DCMAKE_COLOR_MAKEFILE=OFF',
                 f'-DTORCH_INCLUDE_DIRS={includes}', f'-DTORCH_LIBRARY_DIR={cpp_extension.library_paths()[0]}',
                 f'-DTORCH_CXX11_ABI={stamp["cxx11_abi"]}', f'-DVWBKIT_TRAIN={"ON" if training else "OFF"}']
    if torch.version.cuda:  # the CUDA runtime's and NCCL's headers: the toolkit, or the nvidia-* wheels
        hints = [os.environ.get('CUDA_HOME', ''), '/usr/local/cuda']
        site = os.path.dirname(os.path.dirname(torch.__file__))
        hints += sorted(glob.glob(os.path.join(site, 'nvidia', '*')))
        configure += ['-DTORCH_CUDA=1', '-DVWBKIT_CUDA_HINTS=' + ';'.join(h for h in hints if h and os.path.isdir(h))]
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


# ---------------------------------------------------------------------------------------------
# Training in the notebook (vesuvius-train.ipynb)

class _Volume(ctypes.Structure):  # engine/kit/KitCApi.h: vwbkit_volume
    _fields_ = [('id', ctypes.c_char_p), ('scroll_id', ctypes.c_char_p), ('d', ctypes.c_int64),
                ('h', ctypes.c_int64), ('w', ctypes.c_int64), ('image', _u8), ('label', _u8)]


LINE = ctypes.CFUNCTYPE(None, ctypes.c_char_p)


def _train_api(L):
    L.vwbkit_train.restype = ctypes.c_char_p
    L.vwbkit_train.argtypes = [ctypes.c_char_p, ctypes.POINTER(_Volume), ctypes.c_int64, LINE]
    L.vwbkit_checkpoint_info.restype = ctypes.c_char_p
    L.vwbkit_checkpoint_info.argtypes = [ctypes.c_char_p]
    L.vwbkit_features.restype = ctypes.c_char_p
    return L


def checkpoint_info(L, path):
    """Step, epoch and weights digest of a checkpoint (the engine reads it), or None if unreadable."""
    raw = _train_api(L).vwbkit_checkpoint_info(path.encode())
    return json.loads(raw) if raw is not None else None


def _id_key(i):  # the engine's order of volume ids (engine/data/Dataset.cpp: numbers first, by value)
    return (0, len(i), i) if i.isdigit() else (1, 0, i)


def _tif_files(folder):
    out = {}
    for p in glob.glob(os.path.join(folder, '*')):
        name = os.path.basename(p)
        stem, ext = os.path.splitext(name)
        if not name.startswith('.') and ext.lower() in ('.tif', '.tiff'):
            out[stem] = p
    return out


def read_training_volumes(data, scratch=None, max_volumes=None):
    """The labelled training volumes of the competition layout (train_images/<id>.tif,
    train_labels/<id>.tif, train.csv's scroll ids), each read once with tifffile into .npy files in
    `scratch` (default /tmp/vwbkit-volumes, $VWB_KIT_SCRATCH) and returned memory-mapped. A volume
    whose files are unchanged (size, mtime) is not read again. When the local disk cannot hold them
    all, the first ones that fit are used, and the notebook says so."""
    import csv
    scratch = scratch or os.environ.get('VWB_KIT_SCRATCH', '/tmp/vwbkit-volumes')
    images, labels = _tif_files(os.path.join(data, 'train_images')), _tif_files(os.path.join(data, 'train_labels'))
    if not images:
        raise RuntimeError(f'{data}/train_images: no training volumes (.tif)')
    missing = sorted(set(images) - set(labels), key=_id_key)
    if missing:
        raise RuntimeError(f'{data}/train_labels: no label for ' + ', '.join(f'{i}.tif' for i in missing[:10]) +
                           (f' and {len(missing) - 10} more' if len(missing) > 10 else ''))
    scrolls = {}
    csv_path = os.path.join(data, 'train.csv')
    if os.path.isfile(csv_path):
        with open(csv_path, newline='') as f:
            for row in csv.DictReader(f):
                row = {k.strip().lower(): (v or '').strip() for k, v in row.items() if k}
                if 'id' in row:
                    scrolls[row['id']] = row.get('scroll_id', '')
    ids = sorted(images, key=_id_key)
    limit = max_volumes or int(os.environ.get('VWB_KIT_MAX_VOLUMES', '0')) or len(ids)
    os.makedirs(scratch, exist_ok=True)
    out, t0, last = [], time.time(), 0.0
    for n, vid in enumerate(ids[:limit]):
        stamp = {k: [os.stat(p).st_size, os.stat(p).st_mtime_ns] for k, p in (('image', images[vid]), ('label', labels[vid]))}
        base = os.path.join(scratch, vid)
        try:
            with open(base + '.json') as f:
                fresh = json.load(f) == stamp
        except (OSError, ValueError):
            fresh = False
        if not fresh:
            image, label = _read_image(images[vid]), _read_image(labels[vid])
            if image.shape != label.shape:
                raise RuntimeError(f'{labels[vid]}: label is {label.shape}, the image {image.shape}')
            if label.max(initial=0) > 2:
                raise RuntimeError(f'{labels[vid]}: label values must be 0, 1 or 2 (found {label.max()})')
            need = 2 * image.nbytes + (1 << 30)
            if shutil.disk_usage(scratch).free < need:
                log(f'the local disk holds no more volumes ({shutil.disk_usage(scratch).free / 1e9:.1f} GB free in '
                    f'{scratch}): training on the first {len(out)} of {len(ids)}')
                break
            for kind, array in (('image', image), ('label', label)):
                np.save(base + f'.{kind}.npy.partial.npy', array)
                os.replace(base + f'.{kind}.npy.partial.npy', base + f'.{kind}.npy')
            with open(base + '.json', 'w') as f:
                json.dump(stamp, f)
        out.append({'id': vid, 'scroll_id': scrolls.get(vid, ''),
                    'image': np.load(base + '.image.npy', mmap_mode='r'),
                    'label': np.load(base + '.label.npy', mmap_mode='r')})
        now = time.time()
        if now - last >= 30 or n + 1 == min(limit, len(ids)):
            last = now
            log(f'training volumes: {n + 1}/{min(limit, len(ids))} ready in {scratch} ({hours(now - t0)})')
    if limit < len(ids):
        log(f'using {limit} of the {len(ids)} training volumes (max_volumes / VWB_KIT_MAX_VOLUMES)')
    scrolls_seen = sorted({v['scroll_id'] for v in out if v['scroll_id']})
    log(f'{len(out)} training volumes, {len(scrolls_seen)} scroll(s)' +
        ('' if scrolls_seen else f' ({csv_path} gives no scroll ids: the validation split goes by volume)'))
    return out


def _writable(tree):
    for root, dirs, files in os.walk(tree):
        os.chmod(root, 0o755)
        for name in files:
            os.chmod(os.path.join(root, name), 0o644)


def prepare_run(kit, lib, work='/kaggle/working', inputs='/kaggle/input'):
    """The run folder to train in: work/<run folder>. When an input (the previous version's output)
    holds a run folder with a checkpoint further along than the one in `work`, it is copied there
    (writable) and the run resumes from it. Returns {'dir', 'resume', 'from', 'step'}."""
    L = _train_api(load(lib))
    name = kit.json['training']['run_folder']
    target = os.path.join(work, name)
    found = []
    for last in sorted(glob.glob(os.path.join(inputs, '**', name, 'checkpoints', 'last.pt'), recursive=True)) + \
            [os.path.join(target, 'checkpoints', 'last.pt')]:
        if os.path.isfile(last):
            info = checkpoint_info(L, last)
            if info is None:
                log(f'{last}: not a readable checkpoint ({_error(L)}): left aside')
            else:
                found.append((info['step'], os.path.dirname(os.path.dirname(last)), info))
    if not found:
        if os.path.exists(target) and os.listdir(target):
            aside = f'{target}.before-{time.strftime("%Y%m%d-%H%M%S")}'
            os.rename(target, aside)
            log(f'{target} held no checkpoint: moved to {aside}')
        log(f'no earlier run among the inputs: a new run in {target}')
        return {'dir': target, 'resume': False, 'from': None, 'step': 0}
    step, source, info = max(found, key=lambda f: f[0])
    if os.path.abspath(source) != os.path.abspath(target):
        if os.path.exists(target):
            aside = f'{target}.before-{time.strftime("%Y%m%d-%H%M%S")}'
            os.rename(target, aside)
            log(f'{target} is behind {source}: moved to {aside}')
        t0 = time.time()
        shutil.copytree(source, target, copy_function=shutil.copyfile)
        _writable(target)
        log(f'copied the previous run {source} to {target} in {time.time() - t0:.0f} s')
    log(f'resuming the run at step {step} (epoch {info["epoch"]}, weights {info["weights_crc32"]})')
    return {'dir': target, 'resume': True, 'from': source, 'step': step}


def train(kit, lib, run, volumes, hours_per_session=None, devices_=None):
    """`vwb train` (or its --resume) in this kernel on every GPU present; stops when the session's
    training time is spent, with last.pt written. Returns the engine's end: {'outcome', 'step', ...}."""
    L = _train_api(load(lib))
    devs = devices_ or devices()
    features = json.loads(L.vwbkit_features())
    request = {'run_dir': run['dir'], 'resume': run['resume'], 'devices': devs,
               'line_every_s': float(os.environ.get('VWB_KIT_LINE_EVERY_S', '30'))}
    if not run['resume']:
        request['config'] = kit.training_config()
    gpus = [d for d in devs if d.startswith('cuda')]
    if len(gpus) > 1 and not (features['nccl'] or features['gloo']):
        request['strategy'] = 'dp'
        log('no NCCL and no Gloo in this build: DataParallel over the GPUs instead of DDP')
    hours_per_session = hours_per_session or kit.json['training']['session_hours']
    budget = hours_per_session * 3600 - (time.time() - kit.started)
    if os.environ.get('VWB_KIT_TRAIN_SECONDS'):
        budget = float(os.environ['VWB_KIT_TRAIN_SECONDS'])
    request['max_seconds'] = max(budget, 1.0)
    if os.environ.get('VWB_KIT_STOP_AFTER_STEP'):  # a session cut short at a known step (packaging/kaggle-check)
        request['stop_after_step'] = int(os.environ['VWB_KIT_STOP_AFTER_STEP'])
    keep = [(v['id'].encode(), v['scroll_id'].encode()) for v in volumes]
    array = (_Volume * len(volumes))()
    for i, v in enumerate(volumes):
        d, h, w = v['image'].shape
        array[i] = _Volume(keep[i][0], keep[i][1], d, h, w, v['image'].ctypes.data_as(_u8), v['label'].ctypes.data_as(_u8))

    @LINE
    def line(text):
        log(text.decode(errors='replace'))

    log(f'training on {", ".join(devs)} (build: gloo {features["gloo"]}, nccl {features["nccl"]}, CUDA paths '
        f'{features["cuda_paths"]}); {hours(request["max_seconds"])} of training time this session')
    raw = L.vwbkit_train(json.dumps(request).encode(), array, len(volumes), line)
    if raw is None:
        raise RuntimeError(f'training: {_error(L)}')
    end = json.loads(raw)
    log(end['message'].replace('(continue with --resume)', '').rstrip() +
        (': attach this version\'s output to the next version to go on' if end['outcome'] == 'stopped' else ''))
    return end


def summarize_run(lib, run):
    """What the run folder holds now: its checkpoints (step, weights digest), its last epoch line."""
    L = load(lib)
    for name in ('last.pt', 'best.pt', 'ema.pt'):
        p = os.path.join(run['dir'], 'checkpoints', name)
        if os.path.isfile(p):
            info = checkpoint_info(L, p)
            log(f'{p}: step {info["step"]}, epoch {info["epoch"]}, weights {info["weights_crc32"]}, '
                f'{os.path.getsize(p) / 1e6:.1f} MB')
    epochs = []
    with open(os.path.join(run['dir'], 'metrics.jsonl')) as f:
        for text in f:
            j = json.loads(text)
            if j.get('type') == 'epoch':
                epochs.append(j)
    if epochs:
        e = epochs[-1]
        log(f'last epoch {e["epoch"]}: train loss {e["train_loss"]:.4f}' +
            (f', validation Dice {e["val_dice"]:.4f}' if 'val_dice' in e else ''))


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
