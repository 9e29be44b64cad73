#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""check_layers.py can fail: on a generated tree with one upward include
it must exit 1 and name the file, the line and both folders; on the same
tree without it, exit 0."""
import os
import subprocess
import sys
import tempfile

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check_layers.py")


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def run(lib):
    r = subprocess.run([sys.executable, CHECK, lib], capture_output=True, text=True, check=False)
    return r.returncode, r.stdout + r.stderr


def main():
    with tempfile.TemporaryDirectory() as tmp:
        lib = os.path.join(tmp, "slubq")
        write(os.path.join(lib, "slubq.h"), "")
        write(os.path.join(lib, "cache", "cache.hpp"), '#include "slubq.h"\n#include "node/node.hpp"\n')
        write(os.path.join(lib, "debug", "slubq_debug.h"), '#include "slubq.h"\n')
        write(os.path.join(lib, "telemetry", "t.cpp"), '#include "debug/slubq_debug.h"\n#include "cache/cache.hpp"\n')
        write(os.path.join(lib, "node", "node.hpp"), '#include "slubq.h"\n')
        rc, out = run(lib)
        if rc != 0:
            print(f"clean tree refused (rc {rc}):\n{out}")
            return 1
        write(os.path.join(lib, "node", "node.cpp"), '#include "node/node.hpp"\n\n#include "cache/cache.hpp"\n')
        write(os.path.join(lib, "debug", "d.cpp"), '#include "telemetry/t.hpp"\n')
        write(os.path.join(lib, "telemetry", "t.hpp"), "")
        rc, out = run(lib)
        want = [os.path.join(lib, "node", "node.cpp") + ":3: 'node'", "\"cache/cache.hpp\" of 'cache'",
                os.path.join(lib, "debug", "d.cpp") + ":1: 'debug'", "of 'telemetry'"]
        missing = [w for w in want if w not in out]
        if rc != 1 or missing:
            print(f"violations not reported (rc {rc}, missing {missing}):\n{out}")
            return 1
    print("check_layers.py reports upward includes and passes a clean tree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
