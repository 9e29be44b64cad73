#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The /slubq/* commands and slubq-top in a forwarding application on two
net_null ports: stock dpdk-testpmd, which loads the slubq mempool plugin
with -d (the library inside the plugin registers the commands), or our
slubq-fwd (linked with the library). The mbuf pool's cache shows up, a
queue size set through telemetry is applied by the forwarding lcore, and
slubq-top sees the traffic. Skips (77) when the application or the plugin
is not there.

  test_apps.py --app testpmd --plugin PATH/librte_mempool_slubq.so --libdir DIR --top PATH
  test_apps.py --app fwd --fwd PATH/slubq-fwd --top PATH"""
import argparse
import os
import shutil
import sys

sys.dont_write_bytecode = True
from tel_harness import (SKIP, App, Checks, check_info, check_stats, eal_memory_args, is_error, json_documents,
                         run_top, stock_env, unique_prefix, wait_for)

FWD = '1'        # the forwarding lcore (-l 0-1)
MBUFS = 8192


def pools(tel):
    names = tel.query('/slubq/list')
    return names if isinstance(names, list) and names else None


def fwd_allocs(stats):
    c = stats['lcores'].get(FWD, {})
    return c.get('alloc_fast', 0) + c.get('alloc_slow', 0)


def applied_size(tel, cache):
    q = tel.query('/slubq/info,' + cache)['lcores'].get(FWD)
    return q['size'] if q else None


def command_line(args, prefix):
    """argv and environment of the application, or None when it is missing."""
    eal = ['-l', '0-1', '--no-pci', '--vdev', 'net_null0', '--vdev', 'net_null1', '--file-prefix', prefix,
           '--log-level=lib.eal:warning'] + eal_memory_args(512)
    if args.app == 'fwd':
        if not args.fwd or not os.path.exists(args.fwd):
            print('SKIPPED: slubq-fwd is not part of this build (%r)' % args.fwd)
            return None
        return [args.fwd] + eal + ['--', '--forward-mode=io', '--duration', '60',
                                   '--total-num-mbufs=%d' % MBUFS], None
    testpmd = shutil.which('dpdk-testpmd')
    if not args.plugin or not os.path.exists(args.plugin) or testpmd is None:
        print('SKIPPED: needs dpdk-testpmd and the slubq mempool plugin (got %r, %r)' % (testpmd, args.plugin))
        return None
    env = dict(os.environ)
    env['LD_LIBRARY_PATH'] = ':'.join(filter(None, [os.path.dirname(os.path.abspath(args.plugin)), args.libdir,
                                                     env.get('LD_LIBRARY_PATH')]))
    # A bare soname: DPDK refuses -d plugins under world-writable paths.
    # --mbcache=0: no rte_mempool cache in front, every get/put reaches slubq.
    return [testpmd] + eal + ['-d', os.path.basename(args.plugin), '--mbuf-pool-ops-name', 'slubq', '--',
                              '--stats-period', '1', '--forward-mode=io', '--total-num-mbufs=%d' % MBUFS,
                              '--mbcache=0'], stock_env(env)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--app', choices=['testpmd', 'fwd'], required=True)
    ap.add_argument('--plugin', default='')
    ap.add_argument('--libdir', default='')
    ap.add_argument('--fwd', default='')
    ap.add_argument('--top', required=True)
    args = ap.parse_args()
    prefix = unique_prefix(args.app)
    cmd = command_line(args, prefix)
    if cmd is None:
        return SKIP
    argv, env = cmd
    app_name = os.path.basename(argv[0])
    ck = Checks('telemetry-' + args.app)
    with App(argv, prefix, env) as app:
        try:
            tel = app.connect(timeout=30)
        except RuntimeError as e:
            ck.check(False, '%s starts and opens its telemetry socket' % app_name, e)
            return ck.done()
        try:
            names = wait_for(lambda: pools(tel), 10)
            ck.check(names and len(names) == 1, '%s: /slubq/list has the mbuf pool' % app_name, names)
            if not names:
                return ck.done()
            pool = names[0]
            info = tel.query('/slubq/info,' + pool)
            check_info(ck, pool, info)
            ck.check(info.get('source') == 'fixed' and info.get('objects') == MBUFS,
                     'the pool cache: fixed source, %d mbufs' % MBUFS, {k: info.get(k) for k in ('source', 'objects')})
            s1 = tel.query('/slubq/stats,' + pool)
            check_stats(ck, pool, s1)
            # testpmd's main lcore first drains the rx queues for a second
            # (net_null always has packets), then lcore 1 forwards.
            fwd = wait_for(lambda: fwd_allocs(tel.query('/slubq/stats,' + pool)), 8)
            ck.check(fwd > 0, 'packets flow: the forwarding lcore allocates mbufs from slubq',
                     (tel.query('/slubq/stats,' + pool), app.log_tail(12)))
            old = info['queue_size']
            r = tel.query('/slubq/set,%s,queue=48' % pool)
            ck.check(r.get('value') == 48 and r.get('previous') == old, 'set queue=48 on the mbuf pool', r)
            ck.check(wait_for(lambda: applied_size(tel, pool) == 48, 5),
                     'the forwarding lcore applies queue size 48', tel.query('/slubq/info,' + pool).get('lcores'))
            r = tel.query('/slubq/set,%s,queue=%d' % (pool, old))
            ck.check(r.get('value') == old and wait_for(lambda: applied_size(tel, pool) == old, 5),
                     'and %d again' % old)
            ck.check(is_error(tel.query('/slubq/set,%s,queue=oops' % pool)), 'a bad value gets an error')
            ck.check(is_error(tel.query('/slubq/info,mp:no_such_pool')), 'an unknown pool gets an error')
            r = tel.query('/slubq/shrink,' + pool)
            ck.check(r.get('freed_bytes') == 0, 'shrink of the fixed pool frees nothing (and breaks nothing)', r)
            rc, out, err = run_top(args.top, ['-f', prefix, '--once', '--json', '-d', '0.5'])
            docs = json_documents(out) if rc == 0 else []
            rows = {c['name']: c for c in docs[0]['caches']} if docs else {}
            ck.check(rows.get(pool, {}).get('alloc_per_s', 0) > 0 and rows[pool]['objects'] == MBUFS and
                     docs[0].get('app') == app_name, 'slubq-top --once --json sees the pool and its traffic',
                     err or out[:400])
        finally:
            tel.close()
        ck.check(app.alive(), '%s is still forwarding' % app_name, app.log_tail())
    return ck.done()


if __name__ == '__main__':
    sys.exit(main())
