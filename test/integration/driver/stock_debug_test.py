#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Stock dpdk-testpmd with its mbuf pool in debug mode (issue 17 item 1).

A deployment file (SLUBQ_CONFIG) puts mb_pool_0 in debug mode (poison,
track, sanity); testpmd forwards (io, net_null) at its default per-lcore
mempool cache; a deliberately leaking plugin (-d libslubq_test_leaker.so)
allocates 5 mbufs from a function of its own, on an lcore it registers,
and never frees them. Checked:
  - the pool is in debug mode and its per-lcore caches pass every get/put
    to the driver; forwarding still works, with no debug error;
  - /slubq/leaks names the 5 leaked mbufs: the leaker's lcore, the
    function slubq_test_leak_mbufs and its library;
  - /slubq/verify answers (problem count and first lines);
  - when testpmd exits (it frees its pools), the log's leak report says
    5 objects are out and names the lcore and the function.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'telemetry'))
from tel_harness import (SKIP, App, Checks, checks_in_tmpdir, eal_memory_args, stock_env,  # noqa: E402
                         unique_prefix, wait_for)

POOL = 'mp:mb_pool_0'
LEAKS = 5
LEAK_FN = 'slubq_test_leak_mbufs'

DEBUG_FILE = """\
version: 1
mempools:
  - match: mb_pool_0
    debug: [poison, track, sanity]
"""


def log_text(app):
    app.log.flush()
    with open(app.log.name, errors='replace') as f:
        return f.read()


def stop_and_wait(app, timeout=60):
    """SIGINT, then wait: a debug pool checks every object as testpmd frees it."""
    os.killpg(app.proc.pid, signal.SIGINT)
    try:
        app.proc.wait(timeout)
    except subprocess.TimeoutExpired:
        app.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--plugin', required=True)
    ap.add_argument('--leaker', required=True)
    args = ap.parse_args()
    testpmd = shutil.which('dpdk-testpmd')
    if testpmd is None or not os.path.exists(args.plugin) or not os.path.exists(args.leaker):
        print('SKIPPED: needs dpdk-testpmd (Debian package dpdk), the plugin and the leaker')
        return SKIP
    ck = Checks('stock-testpmd-debug')

    def body(tmp):
        path = os.path.join(tmp, 'debug.yaml')
        with open(path, 'w') as f:
            f.write(DEBUG_FILE)
        prefix = unique_prefix('debug')
        env = dict(os.environ)
        env['LD_LIBRARY_PATH'] = ':'.join(filter(None, [os.path.dirname(os.path.abspath(args.plugin)),
                                                         os.path.dirname(os.path.abspath(args.leaker)),
                                                         env.get('LD_LIBRARY_PATH')]))
        env.pop('SLUBQ_MEMPOOL_CONFIG', None)
        env['SLUBQ_CONFIG'] = path
        argv = [testpmd, '-l', '0-1', '--no-pci', '--vdev', 'net_null0', '--vdev', 'net_null1',
                '--file-prefix', prefix, '--log-level=lib.eal:warning', '--log-level=lib.slubq:info'] + \
            eal_memory_args(512) + \
            ['-d', os.path.basename(args.plugin), '-d', os.path.basename(args.leaker),
             '--mbuf-pool-ops-name', 'slubq', '--',
             '--stats-period', '1', '--forward-mode=io', '--total-num-mbufs=8192']
        with App(argv, prefix, stock_env(env)) as app:
            tel = app.connect(timeout=30)
            try:
                up = wait_for(lambda: POOL in (tel.query('/slubq/list') or []), 15)
                ck.check(up, 'testpmd has the slubq pool %s' % POOL, app.log_tail())
                if not up:
                    return
                time.sleep(1)  # forwarding through the debug pool
                leak = tel.query('/slubq_test/leak,mb_pool_0,%d' % LEAKS)
                ck.check(leak.get('leaked') == LEAKS and isinstance(leak.get('lcore'), int),
                         'the leaker allocated %d mbufs on an lcore of its own' % LEAKS, leak)
                lcore = leak.get('lcore')
                time.sleep(1)  # testpmd's own mbufs in flight are younger than the leaked ones
                rep = tel.query('/slubq/leaks,' + POOL)
                ck.check(rep.get('objects_out', 0) >= LEAKS, '/slubq/leaks counts at least the %d leaked' % LEAKS,
                         rep)
                ours = [v for k, v in sorted(rep.items()) if k.startswith('oldest_') and
                        (v.get('alloc_symbol') or '').startswith(LEAK_FN + '+')]
                ck.check(len(ours) == LEAKS, '/slubq/leaks lists the %d mbufs allocated by %s' % (LEAKS, LEAK_FN), rep)
                ck.check(all(v.get('alloc_lcore') == lcore and
                             (v.get('alloc_file') or '').endswith('libslubq_test_leaker.so') for v in ours),
                         'each on lcore %s, from libslubq_test_leaker.so' % lcore, ours)
                ver = tel.query('/slubq/verify,' + POOL)
                ck.check(isinstance(ver.get('problems'), int) and isinstance(ver.get('first'), list),
                         '/slubq/verify answers with a problem count and the first problems', ver)
                total = tel.query('/slubq/stats,' + POOL).get('total', {})
                ck.check(total.get('debug_errors') == 0 and total.get('alloc_slow', 0) > 0,
                         'forwarding through the debug pool finds no error',
                         {k: total.get(k) for k in ('debug_errors', 'alloc_slow', 'free_slow')})
            finally:
                tel.close()
            ck.check(app.alive(), 'testpmd is still forwarding', app.log_tail())
            stop_and_wait(app)
            log = log_text(app)
        ck.check(app.proc.returncode == 0, 'testpmd exits 0 on SIGINT', app.proc.returncode)
        ck.check('mempool mb_pool_0: debug mode (poison of the mbuf data buffer track sanity mbuf checks)' in log
                 and 'its per-lcore caches (' in log,
                 'the log says mb_pool_0 is in debug mode, its per-lcore caches passing everything on', log[-3000:])
        m = re.search(r'RX-packets: (\d+)', log[log.rfind('Accumulated forward statistics'):])
        ck.check(m is not None and int(m.group(1)) > 0, 'testpmd forwarded packets', log[-1500:])
        ck.check('cache %s: %d object(s) still allocated (leaked?); the oldest:' % (POOL, LEAKS) in log,
                 'at exit the leak report counts exactly the %d leaked mbufs' % LEAKS, log[-3000:])
        named = re.findall(r'cache %s: leak \d of %d: 0x[0-9a-f]+ allocated by lcore %s, caller 0x[0-9a-f]+ '
                           r'\(%s\+0x[0-9a-f]+ in libslubq_test_leaker\.so\), [0-9.]+ s ago'
                           % (re.escape(POOL), LEAKS, lcore, LEAK_FN), log)
        ck.check(len(named) == LEAKS, 'each leak names lcore %s and %s in libslubq_test_leaker.so' % (lcore, LEAK_FN),
                 '\n'.join(l for l in log.splitlines() if 'leak' in l)[-3000:])

    return checks_in_tmpdir(ck, 'debug', body)


if __name__ == '__main__':
    sys.exit(main())
