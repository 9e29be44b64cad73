#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The defaults and limits that config/default.yaml and docs/*.md quote
are the code's: each claim below is found in its file and its number
compared with the constant it states (read from the headers and sources
that define it). Fails on a claim whose number differs, and on a claim
that is no longer found (reworded: update its pattern here).

usage: check_defaults.py SOURCE_ROOT [--pretend NAME=VALUE ...]
--pretend replaces a constant, to show that a changed default fails.
"""
import os
import re
import sys

# Where the constants are defined: #define SLUBQ_* and constexpr name = value.
SOURCES = [
    'lib/slubq/common/compiler.hpp',
    'lib/slubq/slubq.h',
    'lib/slubq/slubq_defaults.h',
    'lib/slubq/config/config_model.hpp',
    'lib/slubq/slab/slab.hpp',
    'lib/slubq/slab/slab.cpp',
    'lib/slubq/source/spans.hpp',
    'lib/slubq/node/node.hpp',
]

MiB = 1 << 20
KiB = 1 << 10

# (file, pattern, expressions): the pattern's groups, in order, must equal
# the expressions (Python over the constants). Numbers may carry a unit
# (KiB, MiB, M).
CLAIMS = [
    # config/default.yaml: the defaults section and the sizing inputs.
    ('config/default.yaml', r'\n  queue_size: (\d+) ', ['SLUBQ_DEFAULT_QUEUE_SIZE']),
    ('config/default.yaml', r'\n  shared_size: auto .*auto = 2 x max\(queue_size, (\d+)\), at most (\d+)',
     ['SLUBQ_AUTO_SHARED_MIN_QUEUE', 'SLUBQ_MAX_QUEUE']),
    ('config/default.yaml', r'\n  alien_size: (\d+) ', ['SLUBQ_DEFAULT_ALIEN_SIZE']),
    ('config/default.yaml', r'\n  slab_objs: 0 .*slabs of at least (\d+ KiB) and (\d+) objects',
     ['default_min_slab', 'min_objs_per_slab']),
    ('config/default.yaml', r'\n  align: (\d+) ', ['SLUBQ_DEFAULT_ALIGN']),
    ('config/default.yaml', r'\n  rx_desc: (\d+) ', ['default_desc']),
    ('config/default.yaml', r'\n  tx_desc: (\d+)\n', ['default_desc']),
    ('config/default.yaml', r'\n  burst: (\d+) ', ['default_burst']),
    ('config/default.yaml', r'\n  headroom: (\d+) ', ['default_headroom_pct']),
    ('config/default.yaml', r'\n  hugepage_size: (\d+M)\n', ['default_hugepage_size']),
    ('config/default.yaml', r'queue_size: 256 +# 0\.\.(\d+) or off', ['SLUBQ_MAX_QUEUE']),
    ('config/default.yaml', r'shared_size: 1024 +# 1\.\.(\d+)', ['SLUBQ_MAX_QUEUE']),
    ('config/default.yaml', r'alien_size: 128 +# 1\.\.(\d+)', ['SLUBQ_MAX_QUEUE']),
    # docs/config.md: the `defaults` and `sizing` tables.
    ('docs/config.md', r'\| `queue_size` \| 0\.\.(\d+) or `off` \| (\d+) \|', ['SLUBQ_MAX_QUEUE', 'SLUBQ_DEFAULT_QUEUE_SIZE']),
    ('docs/config.md', r'\| `shared_size` \| 0\.\.(\d+) or `auto` \| `auto` = min\(2 x max\(queue_size, (\d+)\), (\d+)\)',
     ['SLUBQ_MAX_QUEUE', 'SLUBQ_AUTO_SHARED_MIN_QUEUE', 'SLUBQ_MAX_QUEUE']),
    ('docs/config.md', r'\| `alien_size` \| 0\.\.(\d+) \| (\d+) \|', ['SLUBQ_MAX_QUEUE', 'SLUBQ_DEFAULT_ALIEN_SIZE']),
    ('docs/config.md', r'\| `slab_objs` \| 0\.\.\d+ \| 0 \(slubq chooses: caches get slabs of at least (\d+ KiB) and (\d+) objects',
     ['default_min_slab', 'min_objs_per_slab']),
    ('docs/config.md', r'\| `align` \| power of two, 1\.\.4096 \| (\d+) \| caches only: object alignment \(below (\d+) means (\d+)\)',
     ['SLUBQ_DEFAULT_ALIGN', 'SLUBQ_DEFAULT_ALIGN', 'SLUBQ_DEFAULT_ALIGN']),
    ('docs/config.md', r'\| `rx_desc`, `tx_desc` \| 0\.\.65535 \| (\d+) \|', ['default_desc']),
    ('docs/config.md', r'\| `burst` \| 1\.\.4096 \| (\d+) \|', ['default_burst']),
    ('docs/config.md', r'\| `headroom` \| 0\.\.1000 \(%\) \| (\d+) \|', ['default_headroom_pct']),
    ('docs/config.md', r'\| `hugepage_size` \| power of two, 4 KiB\.\.1 GiB \| (\d+M) \|', ['default_hugepage_size']),
    ('docs/config.md', r"elastic source's chunks \((\d+ MiB), (\d+ MiB)", ['SLUBQ_DEFAULT_CHUNK_SIZE', 'SLUBQ_DEFAULT_DMA_CHUNK_SIZE']),
    ('docs/config.md', r"driver's largest default \(queue (\d+) with no mempool\s+cache, (\d+) x the cache otherwise; shared "
     r"queue `auto` as in `defaults`;\s+alien (\d+)",
     ['SLUBQ_DEFAULT_QUEUE_SIZE', 'SLUBQ_MEMPOOL_QUEUE_PER_CACHE', 'SLUBQ_DEFAULT_ALIEN_SIZE']),
    # docs/driver.md: the driver's defaults per pool.
    ('docs/driver.md', r'\| `cache_size` 0 \| min\((\d+), n / (\d+)L\) \| half the queue \|',
     ['SLUBQ_DEFAULT_QUEUE_SIZE', 'SLUBQ_MEMPOOL_QUEUE_SHARE']),
    ('docs/driver.md', r'\| `cache_size` c > 0 \| min\((\d+)c, n / (\d+)L\) \| half the queue \|',
     ['SLUBQ_MEMPOOL_QUEUE_PER_CACHE', 'SLUBQ_MEMPOOL_QUEUE_SHARE']),
    ('docs/driver.md', r'\| either, when that is below (\d+) \| none \(locked path\)', ['SLUBQ_MEMPOOL_MIN_QUEUE']),
    ('docs/driver.md', r"testpmd's pool \([^)]*\) gets (\d+) \(with `--mbcache=0`\) or (\d+)",
     ['SLUBQ_DEFAULT_QUEUE_SIZE', 'SLUBQ_MEMPOOL_QUEUE_PER_CACHE * 250']),
    # docs/design.md: slab shapes, chunks, the depot.
    ('docs/design.md', r'by default at\s+least (\d+ KiB) and (\d+) objects', ['default_min_slab', 'min_objs_per_slab']),
    ('docs/design.md', r'memzones \("chunks", (\d+ MiB) by default, (\d+ MiB) for DMA caches',
     ['SLUBQ_DEFAULT_CHUNK_SIZE', 'SLUBQ_DEFAULT_DMA_CHUNK_SIZE']),
    ('docs/design.md', r"second\s+line's fields \(byte (\d+)\), so a slab of up to (\d+) objects keeps header and\s+"
     r"bitmap in (\d+) bytes", ['slab_bitmap_off', '(2 * cache_line - slab_bitmap_off) * 8', '2 * cache_line']),
    ('docs/design.md', r'a bitmap of up to (\d+) objects, all in\s+(\d+) bytes', ['compact_max_objs', 'cache_line']),
    ('docs/design.md', r'Past (\d+) separate ranges', ['span_slots']),
    ('docs/design.md', r'a \*\*magazine depot\*\*: up to (\d+) full and (\d+) empty pointer arrays',
     ['depot_slots', 'depot_slots']),
]


def number(text):
    """'1024', '64 KiB', '2 MiB', '2M' -> int."""
    m = re.fullmatch(r'(\d+)\s*(KiB|MiB|M|K)?', text)
    if not m:
        raise ValueError(text)
    unit = {'KiB': KiB, 'K': KiB, 'MiB': MiB, 'M': MiB, None: 1}[m.group(2)]
    return int(m.group(1)) * unit


def c_value(expr, known):
    """A C constant expression over literals and known names, or None."""
    e = re.sub(r'UINT64_C\((\w+)\)', r'\1', expr)
    e = re.sub(r'std::uint\d+_t\((\w+)\)', r'\1', e)
    e = re.sub(r'\b(\d+)(?:ull|ul|u|ULL|UL|U)\b', r'\1', e)
    e = e.replace('/', '//')
    if not re.fullmatch(r'[\w\s()<>*+|/-]*', e):
        return None
    try:
        return int(eval(e, {'__builtins__': {}}, dict(known)))
    except Exception:
        return None


def constants(root):
    known = {}
    for rel in SOURCES:
        with open(os.path.join(root, rel), encoding='utf-8') as f:
            text = f.read()
        text = re.sub(r'/\*.*?\*/|//[^\n]*', '', text, flags=re.S)
        pairs = re.findall(r'^#define\s+(SLUBQ_\w+)\s+(.+?)\s*$', text, re.M)
        pairs += re.findall(r'constexpr\s+[\w:]+\s+(\w+)\s*=\s*([^;]+);', text)
        for name, expr in pairs:
            v = c_value(expr, known)
            if v is not None:
                known[name] = v
    return known


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = argv[1]
    known = constants(root)
    args = argv[2:]
    while args:
        if args[0] != '--pretend' or len(args) < 2 or '=' not in args[1]:
            print(__doc__, file=sys.stderr)
            return 2
        name, value = args[1].split('=', 1)
        known[name] = int(value, 0)
        args = args[2:]
    texts = {}
    bad = 0
    for rel, pattern, exprs in CLAIMS:
        if rel not in texts:
            with open(os.path.join(root, rel), encoding='utf-8') as f:
                texts[rel] = f.read()
        m = re.search(pattern, texts[rel])
        if m is None:
            print(f'{rel}: claim not found (reworded? update test/docs/check_defaults.py): /{pattern}/')
            bad += 1
            continue
        line = texts[rel].count('\n', 0, m.start()) + 1 + (texts[rel][m.start()] == '\n')
        for i, expr in enumerate(exprs, 1):
            try:
                want = eval(expr, {'__builtins__': {}}, dict(known))
            except NameError as e:
                print(f'{rel}:{line}: {e} (not a constant of {", ".join(SOURCES)})')
                bad += 1
                continue
            got = number(m.group(i))
            if got != want:
                print(f'{rel}:{line}: says {m.group(i)} ({got}) where the code has {expr} = {want}')
                bad += 1
    print(f'{len(CLAIMS)} claims checked against {len(known)} constants: {bad} problem(s)')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
