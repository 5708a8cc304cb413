#!/usr/bin/env python3
"""The engine's module rules, read from the includes themselves (STYLE.md, issue 23):

1. `detail/` is private to its module: no file outside engine/<m>/ includes engine/<m>/detail/.
2. `torch/` is a module's torch API for the engine's other torch code (the strategy interface, the
   U-Net module, checkpoints, device support): engine modules may include it, ui/ and app/ do not
   (they reach the engine through its torch-free headers).
3. A module's CMake links match its includes: engine/<m> includes engine/<n> only when its
   CMakeLists.txt links vwb_<n> itself.
4. Public engine headers (outside detail/ and torch/) include no torch; no engine file includes
   Qt, ui/ or app/.

Usage: CheckModuleRules.py SOURCE_DIR. Exit 1 naming each breach (file: include)."""
import os
import re
import sys

root = sys.argv[1]
quoted = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
angled = re.compile(r'^\s*#\s*include\s*<([^>]+)>')
problems = []


def module_of(path):
    p = path.split('/')
    return p[0] + '/' + p[1] if p[0] in ('engine', 'ui', 'app') and len(p) > 2 else p[0]


includes = {}  # engine module -> engine modules it includes
for top in ('engine', 'ui', 'app'):
    for d, _, files in os.walk(os.path.join(root, top)):
        for name in sorted(files):
            if not name.endswith(('.h', '.cpp')):
                continue
            rel = os.path.relpath(os.path.join(d, name), root)
            src = module_of(rel)
            with open(os.path.join(d, name), errors='replace') as f:
                for line in f:
                    m = quoted.match(line)
                    if m:
                        inc = m.group(1)
                        dst = module_of(inc)
                        if dst.startswith(('engine/', 'ui/', 'app/')) and dst != src:
                            if top == 'engine':
                                if not dst.startswith('engine/'):
                                    problems.append(f'{rel}: {inc}: the engine includes no ui/ or app/')
                                else:
                                    includes.setdefault(src, set()).add(dst.split('/')[1])
                            if '/detail/' in inc:
                                problems.append(f'{rel}: {inc}: another module\'s detail/ is private')
                            if '/torch/' in inc and top != 'engine':
                                problems.append(f'{rel}: {inc}: torch/ is for the engine; {top}/ uses its torch-free headers')
                        continue
                    m = angled.match(line)
                    if m and top == 'engine':
                        inc = m.group(1)
                        if re.match(r'Q[A-Za-z]+|Qt[A-Za-z]*/', inc):
                            problems.append(f'{rel}: <{inc}>: the engine has no Qt')
                        if '/detail/' not in rel and '/torch/' not in rel and name.endswith('.h') and re.match(r'(torch|ATen|c10)/', inc):
                            problems.append(f'{rel}: <{inc}>: public engine headers are torch-free')

for module, targets in sorted(includes.items()):
    cmake = os.path.join(root, module, 'CMakeLists.txt')
    if not os.path.exists(cmake):
        continue
    with open(cmake) as f:
        linked = set(re.findall(r'\bvwb_(\w+)', f.read()))
    for t in sorted(targets - linked):
        problems.append(f'{module}/CMakeLists.txt: includes engine/{t} but does not link vwb_{t}')

for p in problems:
    print(p)
print(f'{len(problems)} problem(s)')
sys.exit(1 if problems else 0)
