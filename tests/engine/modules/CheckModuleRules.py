#!/usr/bin/env python3
"""The engine's module rules, read from the includes themselves (STYLE.md, issue 23):

1. `detail/` is private to its module: no file outside engine/<m>/ includes engine/<m>/detail/.
   The includes that still do are listed in cross-module-detail.txt (a ratchet: a new one fails,
   and a listed one that is gone fails too, so the list only shrinks).
2. A module's CMake links match its includes: engine/<m> includes engine/<n> only when its
   CMakeLists.txt links vwb_<n> itself.
3. Public engine headers (outside detail/) include no torch; no engine file includes Qt, ui/ or app/.

Usage: CheckModuleRules.py SOURCE_DIR. Exit 1 naming each breach (file: include)."""
import os
import re
import sys

root = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
quoted = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
angled = re.compile(r'^\s*#\s*include\s*<([^>]+)>')
problems = []


def module_of(path):
    p = path.split('/')
    return p[0] + '/' + p[1] if p[0] in ('engine', 'ui', 'app') and len(p) > 2 else p[0]


allowed = set()
with open(os.path.join(here, 'cross-module-detail.txt')) as f:
    for line in f:
        line = line.split('#', 1)[0].strip()
        if line:
            allowed.add(tuple(line.split(' -> ')))

seen = set()
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
                                seen.add((rel, inc))
                                if (rel, inc) not in allowed:
                                    problems.append(f'{rel}: {inc}: another module\'s detail/ is private')
                        continue
                    m = angled.match(line)
                    if m and top == 'engine':
                        inc = m.group(1)
                        if re.match(r'Q[A-Za-z]+|Qt[A-Za-z]*/', inc):
                            problems.append(f'{rel}: <{inc}>: the engine has no Qt')
                        if '/detail/' not in rel and name.endswith('.h') and re.match(r'(torch|ATen|c10)/', inc):
                            problems.append(f'{rel}: <{inc}>: public engine headers are torch-free')

for gone in sorted(allowed - seen):
    problems.append(f'{gone[0]}: {gone[1]}: no longer included: remove it from cross-module-detail.txt')

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
print(f'{len(problems)} problem(s); {len(allowed)} cross-module detail/ include(s) still listed')
sys.exit(1 if problems else 0)
