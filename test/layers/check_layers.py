#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Layers of lib/slubq only look down: a folder includes headers of its own
folder and of lower folders, never of a higher one (docs/design.md,
"Layers"). Prints each violation as file:line with both folders; exit 1
when there is one. Usage: check_layers.py [LIB_DIR] (default lib/slubq)."""
import os
import re
import sys

# Lowest first; folders on one line are siblings of one layer.
LAYERS = [
    ["common"],
    ["topology"],
    ["source"],
    ["slab"],
    ["node"],
    ["queue"],
    ["cache"],
    ["registry"],
    ["debug", "telemetry", "malloc"],
    ["config"],
]
RANK = {folder: n for n, folders in enumerate(LAYERS) for folder in folders}
# Libraries of their own on the engine's public API: of lib/slubq they
# include their own folder and the top-level public headers only.
PUBLIC_API_ONLY = {"malloc"}
# Files at the top of LIB_DIR: slubq.h, the public C API, is below
# everything; slubq.hpp, the inline C++ fast path, sits on the cache layer.
TOP_RANK = {"slubq.h": -1, "slubq.hpp": RANK["cache"]}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SOURCES = (".c", ".cpp", ".h", ".hpp")


def is_public_c_header(path):
    # The C API of a layer (slubq*.h): its siblings may call it.
    return re.fullmatch(r"slubq\w*\.h", os.path.basename(path)) is not None


def resolve(lib, name):
    """(folder, rank) of an included name, or None when it is not ours.
    A bare name is looked up at the top, then in each folder (the
    library's include path holds both)."""
    if "/" in name:
        folder = name.split("/", 1)[0]
        return (folder, RANK[folder]) if folder in RANK else None
    if name in TOP_RANK:
        return ("(top)", TOP_RANK[name])
    for folder in RANK:
        if os.path.isfile(os.path.join(lib, folder, name)):
            return (folder, RANK[folder])
    return None


def violations(lib):
    found = []
    for folder in sorted(os.listdir(lib)):
        path = os.path.join(lib, folder)
        if not os.path.isdir(path):
            continue
        if folder not in RANK:
            found.append(f"{path}: folder '{folder}' has no place in the layer order (test/layers/check_layers.py)")
            continue
        for root, _, files in os.walk(path):
            for f in sorted(files):
                if not f.endswith(SOURCES):
                    continue
                src = os.path.join(root, f)
                with open(src, encoding="utf-8") as fh:
                    for line_no, line in enumerate(fh, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        target = resolve(lib, m.group(1))
                        if target is None:
                            continue
                        to, rank = target
                        if folder in PUBLIC_API_ONLY and to not in (folder, "(top)"):
                            found.append(f"{src}:{line_no}: '{folder}' is built on the engine's public API "
                                         f"but includes \"{m.group(1)}\" of '{to}'")
                            continue
                        if rank < RANK[folder] or to == folder:
                            continue
                        if rank == RANK[folder] and is_public_c_header(m.group(1)):
                            continue
                        found.append(f"{src}:{line_no}: '{folder}' (layer {RANK[folder]}) includes "
                                     f"\"{m.group(1)}\" of '{to}' (layer {rank}): a lower layer may not "
                                     f"include a higher one")
    return found


def main():
    lib = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "lib", "slubq")
    if not os.path.isdir(lib):
        print(f"no such directory: {lib}", file=sys.stderr)
        return 2
    found = violations(lib)
    for v in found:
        print(v)
    print(f"{len(found)} layer violation(s) in {lib}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
