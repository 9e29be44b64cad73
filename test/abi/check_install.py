#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The installed ABI of slubq.

Installs the build into a temporary DESTDIR (or, with --other-stats, a
second configuration of just the engine library with the opposite `stats`
option), then checks that
  - every installed shared library exports public names only: C names of
    its own installed headers, and (libslubq) the few C++ names inline
    code calls;
  - only public headers are installed, and they include nothing else of
    slubq;
  - an application built against the install with pkg-config gets the
    inline code of that build's `stats` (test/abi/stats_app.cpp), and a C
    application links libslubq_malloc alone (test/abi/malloc_app.c).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

# The headers whose C names each library may export (its own API).
LIB_HEADERS = {
    "libslubq": ("slubq.h", "slubq_debug.h"),
    "libslubq_malloc": ("slubq_malloc.h",),
    "libslubq_config": ("slubq_config.h",),
    "librte_mempool_slubq": ("rte_mempool_slubq.h",),
}
# C++ names libslubq may export (demangled), and why; the others export none.
CXX_EXPORTS = {
    # the inline fast path of slubq.hpp (slubq_fast.hpp)
    "slubq::alloc_slow(slubq_cache*, slubq::lcore_queue*, void**, unsigned int)",
    "slubq::free_slow(slubq_cache*, slubq::lcore_queue*, void* const*, unsigned int)",
    "slubq::process_token",
}
PUBLIC_HEADERS = {
    "slubq.h", "slubq.hpp", "slubq_fast.hpp", "slubq_compiler.hpp", "slubq_build_config.h", "slubq_defaults.h",
    "slubq_debug.h", "slubq_malloc.h", "slubq_config.h", "rte_mempool_slubq.h",
}


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if r.returncode != 0:
        sys.exit("FAIL: %s\n%s" % (" ".join(cmd), r.stdout))
    return r.stdout


def install_all(args, dest):
    run([args.meson, "install", "-C", args.build, "--no-rebuild", "--quiet", "--destdir", dest])
    return args.build, args.stats


def install_engine_other_stats(args, dest):
    """A second, unoptimised configuration: build libslubq only and copy what
    meson would install of it (library, headers, libslubq.pc)."""
    other = 0 if args.stats else 1
    bdir = os.path.join(args.build, "abi-other-stats")
    if not os.path.exists(os.path.join(bdir, "build.ninja")):
        run([args.meson, "setup", bdir, args.source, "-Dstats=%s" % ("true" if other else "false"),
             "-Dtests=false", "-Dbenchmarks=false", "-Doptimization=0",
             "-Db_sanitize=none"])
    lib = "lib/slubq/libslubq.so." + args.version
    run(["ninja", "-C", bdir, lib])
    installed = json.loads(run([args.meson, "introspect", bdir, "--installed"]))
    for src, dst in installed.items():
        name = os.path.basename(dst)
        if not (src.endswith(lib) or name.endswith((".h", ".hpp")) or name == "libslubq.pc"):
            continue
        target = dest + dst
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy(src, target)
        if src.endswith(lib):  # the links meson install makes: soname, and for -lslubq
            for link in ("libslubq.so." + args.version.split(".")[0], "libslubq.so"):
                os.symlink(os.path.basename(target), os.path.join(os.path.dirname(target), link))
    return bdir, other


def check_exports(dest, problems):
    headers = {}
    for root, _, files in os.walk(dest):
        for f in files:
            if f.endswith((".h", ".hpp")):
                headers[f] = open(os.path.join(root, f)).read()
    libs = 0
    for root, _, files in os.walk(dest):
        for f in files:
            path = os.path.join(root, f)
            if not re.search(r"\.so(\.\d+)*$", f) or os.path.islink(path):
                continue
            libs += 1
            out = run(["nm", "-D", "--defined-only", path])
            names = [l.split()[-1] for l in out.splitlines() if l.strip()]
            mangled = [n for n in names if n.startswith("_Z")]
            demangled = run(["c++filt"], input="\n".join(mangled)).splitlines() if mangled else []
            lib = f.split(".so")[0]
            if lib not in LIB_HEADERS:
                problems.append("%s: no list of the headers it may export from (LIB_HEADERS)" % f)
                continue
            own = "".join(headers.get(h, "") for h in LIB_HEADERS[lib])
            for n in demangled:
                if lib != "libslubq" or n not in CXX_EXPORTS:
                    problems.append("%s exports %s" % (f, n))
            for n in names:
                if n.startswith("_Z"):
                    continue
                public = re.match(r"(slubq_|rte_mempool_slubq_)", n) and re.search(r"\b%s\b" % n, own)
                if not public:
                    problems.append("%s exports %s" % (f, n))
            print("%s: %d exported names" % (f, len(names)))
    if libs == 0:
        problems.append("no shared library installed")


def check_headers(dest, problems):
    found = {}
    for root, _, files in os.walk(dest):
        if "/include" not in root:
            continue
        for f in files:
            found[f] = os.path.join(root, f)
    for f, path in sorted(found.items()):
        if f not in PUBLIC_HEADERS:
            problems.append("installed header %s is not public" % path[len(dest):])
            continue
        # "x" names a header of ours; <x> one of the system or DPDK, or <slubq*>.
        for quote, inc in re.findall(r'#include\s+([<"])([^>"]+)[>"]', open(path).read()):
            if (quote == '"' or inc.startswith("slubq")) and inc not in found:
                problems.append("%s includes %s, which is not installed" % (f, inc))
    print("installed headers: %s" % " ".join(sorted(found)))


def check_app(args, dest, stats, work, problems):
    # The installed .pc files with their prefix moved into DESTDIR (libdpdk's stays).
    pcdir = os.path.join(work, "pkgconfig")
    os.makedirs(pcdir)
    for root, _, files in os.walk(dest):
        for f in files:
            if f.endswith(".pc"):
                text = re.sub(r"^prefix=", "prefix=" + dest, open(os.path.join(root, f)).read(), flags=re.M)
                open(os.path.join(pcdir, f), "w").write(text)
    if not os.path.exists(os.path.join(pcdir, "libslubq.pc")):
        problems.append("libslubq.pc not installed")
        return
    env = dict(os.environ, PKG_CONFIG_PATH=pcdir)
    flags = run(["pkg-config", "--cflags", "--libs", "libslubq"], env=env).split()
    # DPDK's headers as system headers (they warn in C++20), ours with every warning.
    flags = ["-isystem" + f[2:] if f.startswith("-I") and not f.startswith("-I" + dest) else f for f in flags]
    exe = os.path.join(work, "stats_app")
    run(["c++", "-std=c++20", "-O2", "-Wall", "-Wextra", "-Werror", args.app, "-o", exe] + flags)
    libdir = next(f[2:] for f in flags if f.startswith("-L"))
    env = dict(os.environ, LD_LIBRARY_PATH=libdir)
    if os.environ.get("SLUBQ_SANITIZER_PRELOAD"):
        env["LD_PRELOAD"] = os.environ["SLUBQ_SANITIZER_PRELOAD"]
    eal = ["-l", "0", "--no-pci", "--no-huge", "-m", "128", "--file-prefix=slubq-abi-%d" % os.getpid(),
           "--log-level=lib.eal:warning"]
    r = subprocess.run([exe, str(stats)] + eal, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       env=env, timeout=120)
    print(r.stdout.strip())
    if r.returncode != 0:
        problems.append("stats_app built against the stats=%d install failed (rc %d)" % (stats, r.returncode))
    if not os.path.exists(os.path.join(pcdir, "libslubq_malloc.pc")):
        return  # the engine-only install (--other-stats)
    flags = run(["pkg-config", "--cflags", "--libs", "libslubq_malloc"], env=dict(env, PKG_CONFIG_PATH=pcdir)).split()
    flags = ["-isystem" + f[2:] if f.startswith("-I") and not f.startswith("-I" + dest) else f for f in flags]
    exe = os.path.join(work, "malloc_app")
    run(["cc", "-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", args.malloc_app, "-o", exe] + flags)
    r = subprocess.run([exe] + eal, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       env=env, timeout=120)
    print(r.stdout.strip())
    if r.returncode != 0:
        problems.append("malloc_app built against libslubq_malloc failed (rc %d)" % r.returncode)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--meson", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--stats", type=int, required=True)
    ap.add_argument("--app", required=True)
    ap.add_argument("--malloc-app", required=True)
    ap.add_argument("--other-stats", action="store_true")
    args = ap.parse_args()
    problems = []
    with tempfile.TemporaryDirectory(prefix="slubq-abi-") as work:
        dest = os.path.join(work, "dest")
        install = install_engine_other_stats if args.other_stats else install_all
        _, stats = install(args, dest)
        print("install of a stats=%d build in %s" % (stats, dest))
        check_exports(dest, problems)
        check_headers(dest, problems)
        check_app(args, dest, stats, work, problems)
    for p in problems:
        print("FAIL:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
