#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Stock dpdk-testpmd tuned by a deployment file (SLUBQ_CONFIG=FILE): the
slubq mempool plugin applies the file's `mempools:` rules to the pools
testpmd creates. One case per run:

  rule      a rule's queue, batch, shared and alien sizes reach mb_pool_0,
            SLUBQ_MEMPOOL_CONFIG applies after it, /slubq/info names the
            file, the rule and its line (slubq-top too); a rule that
            matched nothing is logged at exit; a rule's debug flags and
            fault injection reach the pool
  topology  config/stock-testpmd.yaml simulates two sockets: the pool has
            two nodes, the forwarding lcore sits on socket 1
  bad       a file with an unknown key and a bad value, one with a YAML
            syntax error, a rule's batch above the pool's queue: pool
            creation fails, the log has file:line:col and the key, testpmd
            reports its own failure; the same without libslubq_config
  maps      without SLUBQ_CONFIG, neither the plugin nor a running testpmd
            maps yaml-cpp, hwloc or libslubq_config; with it, they do
  l2fwd     DPDK's l2fwd example (Debian package dpdk-doc, built with make
            under --l2fwd-dir) with config/stock-l2fwd.yaml: its
            mbuf_pool gets the rule, forwards without an allocation
            failure, the unused rule is reported at exit

  stock_deploy_test.py --case CASE --plugin PATH/librte_mempool_slubq.so --config-dir DIR [--top SLUBQ_TOP]

Exit 0 pass, 1 fail, 77 skipped (no dpdk-testpmd or plugin)."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'telemetry'))
from tel_harness import (SKIP, App, Checks, checks_in_tmpdir, eal_memory_args, json_documents, run_top,  # noqa: E402
                         stock_env, unique_prefix, wait_for)

FWD = '1'          # testpmd's forwarding lcore with -l 0-1
MBUFS = 16384
POOL = 'mp:mb_pool_0'

RULE_FILE = """\
version: 1
mempools:
  # testpmd's pools
  - match: "mb_pool_*"
    queue_size: 192
    batch: 48
    shared_size: 1000
    alien_size: 96
  - match: l2fwd_pool_that_is_not_here
    queue_size: 64
"""


def line_of(text, needle):
    """1-based line and column of the '- ' item whose first key is needle."""
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i, line.index('-') + 3
    raise AssertionError('%r not in the file' % needle)


def testpmd_argv(args, prefix, extra_eal=(), log_level='lib.slubq:info'):
    return [args.testpmd, '-l', '0-1', '--no-pci', '--vdev', 'net_null0', '--vdev', 'net_null1',
            '--file-prefix', prefix, '--log-level=lib.eal:warning', '--log-level=' + log_level] + \
        list(extra_eal) + eal_memory_args(512) + \
        ['-d', os.path.basename(args.plugin), '--mbuf-pool-ops-name', 'slubq', '--',
         '--stats-period', '1', '--forward-mode=io', '--total-num-mbufs=%d' % MBUFS, '--mbcache=0']


def env_with(args, **extra):
    env = dict(os.environ)
    env['LD_LIBRARY_PATH'] = ':'.join(filter(None, [os.path.dirname(os.path.abspath(args.plugin)),
                                                     env.get('LD_LIBRARY_PATH')]))
    env.pop('SLUBQ_CONFIG', None)
    env.pop('SLUBQ_MEMPOOL_CONFIG', None)
    env.update(extra)
    return stock_env(env)


def log_text(app):
    app.log.flush()
    with open(app.log.name, errors='replace') as f:
        return f.read()


def info_of(tel):
    def get():
        names = tel.query('/slubq/list')
        if not isinstance(names, list) or POOL not in names:
            return None
        return tel.query('/slubq/info,' + POOL)
    return wait_for(get, 15)


def case_rule(args, ck, tmp):
    path = os.path.join(tmp, 'deploy.yaml')
    with open(path, 'w') as f:
        f.write(RULE_FILE)
    line, col = line_of(RULE_FILE, 'match: "mb_pool_*"')
    prefix = unique_prefix('deploy-rule')
    env = env_with(args, SLUBQ_CONFIG=path, SLUBQ_MEMPOOL_CONFIG='mb_pool_0:alien=80')
    with App(testpmd_argv(args, prefix), prefix, env) as app:
        tel = app.connect(timeout=30)
        try:
            info = info_of(tel)
            ck.check(info is not None, 'testpmd has the slubq pool %s' % POOL, app.log_tail())
            if info is None:
                return
            got = {k: info.get(k) for k in ('queue_size', 'batch', 'shared_size', 'alien_size')}
            ck.check(got == {'queue_size': 192, 'batch': 48, 'shared_size': 1000, 'alien_size': 80},
                     'the rule sets queue 192, batch 48, shared 1000; SLUBQ_MEMPOOL_CONFIG then alien 80', got)
            cfg = info.get('config', {})
            ck.check(cfg.get('file') == path and cfg.get('rule') == 'mempools[0]' and
                     cfg.get('match') == 'mb_pool_*' and cfg.get('line') == line and cfg.get('column') == col,
                     '/slubq/info config: file, rule mempools[0], match, line %d col %d' % (line, col), cfg)
            ck.check(cfg.get('settings') == 'queue_size=192 batch=48 shared_size=1000 alien_size=96' and
                     cfg.get('env') == 'mb_pool_0:alien=80' and cfg.get('sources') == 'defaults,file,env',
                     '/slubq/info config: what the rule set, the environment entry, the order', cfg)
            applied = wait_for(lambda: (tel.query('/slubq/info,' + POOL)['lcores'].get(FWD) or {}).get('size')
                               == 192, 8)
            ck.check(applied, 'the forwarding lcore runs with the rule\'s queue of 192',
                     tel.query('/slubq/info,' + POOL).get('lcores'))
            if args.top:
                rc, out, err = run_top(args.top, ['-f', prefix, '--once', '--json', '-d', '0.3'])
                docs = json_documents(out) if rc == 0 else []
                rows = {c['name']: c for c in docs[0]['caches']} if docs else {}
                want = '%s:%d:%d mempools[0] \'mb_pool_*\': queue_size=192' % (path, line, col)
                ck.check((rows.get(POOL, {}).get('config') or '').startswith(want),
                         'slubq-top --json shows the file and rule of the pool', err or out[:600])
        finally:
            tel.close()
        ck.check(app.alive(), 'testpmd is still forwarding', app.log_tail())
        app.stop()
        log = log_text(app)
    ck.check(app.proc.returncode == 0, 'testpmd exits 0 on SIGINT', app.proc.returncode)
    ck.check(re.search(r'mempool mb_pool_0: %s:%d:%d: mempools\[0\] ' % (re.escape(path), line, col), log),
             'the log says which rule configured mb_pool_0', log[-2000:])
    l2, c2 = line_of(RULE_FILE, 'l2fwd_pool_that_is_not_here')
    ck.check(re.search(r'%s:%d:%d: mempools\[1\]: rule .l2fwd_pool_that_is_not_here. matched no mempool'
                       % (re.escape(path), l2, c2), log),
             'at exit, the rule that matched nothing is reported with its file:line:col', log[-2000:])
    case_faults(args, ck, tmp)


FAULT_FILE = """\
mempools:
  - match: mb_pool_0
    debug: [sanity]
    fault_injection: {every_n: 50, seed: 1}
"""


def case_faults(args, ck, tmp):
    """A rule's debug flags and fault injection reach testpmd's pool."""
    path = os.path.join(tmp, 'faults.yaml')
    with open(path, 'w') as f:
        f.write(FAULT_FILE)
    prefix = unique_prefix('deploy-faults')
    with App(testpmd_argv(args, prefix), prefix, env_with(args, SLUBQ_CONFIG=path)) as app:
        tel = app.connect(timeout=30)
        try:
            info = info_of(tel)
            ck.check(info is not None and 'sanity' in info.get('flag_names', '').split(','),
                     'debug: [sanity] reaches mb_pool_0', info and info.get('flag_names'))

            def faults():
                t = tel.query('/slubq/stats,' + POOL).get('total', {})
                return t if t.get('injected_faults', 0) > 0 else None
            total = wait_for(faults, 8)
            ck.check(total is not None and total.get('alloc_fail', 0) >= total.get('injected_faults', 0),
                     'fault_injection every_n 50: allocations of mb_pool_0 fail on purpose (injected_faults > 0)',
                     total or tel.query('/slubq/stats,' + POOL).get('total'))
        finally:
            tel.close()
        ck.check(app.alive(), 'testpmd keeps forwarding through the injected failures', app.log_tail())


def case_topology(args, ck, tmp):
    path = os.path.join(args.config_dir, 'stock-testpmd.yaml')
    prefix = unique_prefix('deploy-topo')
    with App(testpmd_argv(args, prefix), prefix, env_with(args, SLUBQ_CONFIG=path)) as app:
        tel = app.connect(timeout=30)
        try:
            info = info_of(tel)
            ck.check(info is not None, 'testpmd has the slubq pool %s' % POOL, app.log_tail())
            if info is None:
                return
            nodes = info.get('nodes', {})
            ck.check(info.get('sockets') == 2 and sorted(nodes) == ['0', '1'],
                     'the pool has two simulated sockets (nodes 0 and 1)', (info.get('sockets'), list(nodes)))
            ck.check(all(n.get('real_socket') == 0 for n in nodes.values()),
                     'both backed by real socket 0', nodes)
            # (objects, not MBUFS: with --no-huge testpmd populates its
            # pool differently and the cache counts fewer; not this test's
            # subject.)
            ck.check(sum(n.get('objects', 0) for n in nodes.values()) == info.get('objects') and
                     all(n.get('objects', 0) > 0 for n in nodes.values()),
                     'the mbufs are spread over both sockets', {k: n.get('objects') for k, n in nodes.items()})
            q = wait_for(lambda: tel.query('/slubq/info,' + POOL)['lcores'].get(FWD), 8)
            ck.check(q is not None and q.get('socket') == 1,
                     'the forwarding lcore %s is on simulated socket 1' % FWD, q)
            ck.check(info.get('queue_size') == 256 and info.get('config', {}).get('file') == path,
                     'the example\'s rule applies (queue 256) and /slubq/info names the example',
                     (info.get('queue_size'), info.get('config')))
        finally:
            tel.close()
        ck.check(app.alive(), 'testpmd is still forwarding', app.log_tail())


BAD_FILES = [
    # (name, text, expected "line:col: key: message" fragments)
    ('unknown-key.yaml', 'version: 1\nmempools:\n  - match: "mb_pool_*"\n    quue_size: 256\n'
     '  - match: other\n    alien_size: 0\n',
     [r':4:5: mempools\[0\]\.quue_size: unknown key \(did you mean .queue_size.\?\)',
      r':6:17: mempools\[1\]\.alien_size: must be between 1 and 8192, got 0']),
    ('syntax.yaml', 'mempools:\n  - match: "mb_pool_*"\n    queue_size: [256\n', [r':\d+:\d+: YAML syntax: ']),
    ('batch.yaml', 'mempools:\n  - match: "mb_pool_*"\n    batch: 4000\n',
     [r':3:12: mempools\[0\]\.batch: batch 4000 for mempool mb_pool_0: larger than the pool\'s queue \d+']),
]


def case_bad(args, ck, tmp):
    for name, text, expect in BAD_FILES:
        path = os.path.join(tmp, name)
        with open(path, 'w') as f:
            f.write(text)
        prefix = unique_prefix('deploy-bad')
        with App(testpmd_argv(args, prefix), prefix, env_with(args, SLUBQ_CONFIG=path)) as app:
            try:
                app.proc.wait(30)
            except subprocess.TimeoutExpired:
                pass
            ck.check(not app.alive() and app.proc.returncode != 0, '%s: testpmd stops with an error' % name,
                     app.proc.returncode)
            log = log_text(app)
        for e in expect:
            ck.check(re.search(re.escape(path) + e, log), '%s: the log has %s' % (name, e), log[-1500:])
        ck.check('Creation of mbuf pool for socket 0 failed' in log,
                 '%s: testpmd reports its pool creation failure' % name, log[-800:])
    # The plugin without libslubq_config beside it (nor on its RUNPATH):
    # the pool creation fails and says why.
    lone = os.path.join(tmp, 'lone')
    os.mkdir(lone)
    shutil.copy(args.plugin, lone)
    libslubq = subprocess.run(['ldd', args.plugin], capture_output=True, text=True,
                              env=env_with(args)).stdout
    m = re.search(r'libslubq\.so\.\d+ => (\S+)', libslubq)
    ck.check(m is not None, 'ldd finds the plugin\'s libslubq', libslubq)
    if m is None:
        return
    shutil.copy(m.group(1), os.path.join(lone, os.path.basename(m.group(0).split()[0])))
    env = env_with(args, SLUBQ_CONFIG=os.path.join(args.config_dir, 'stock-testpmd.yaml'))
    env['LD_LIBRARY_PATH'] = lone  # (meson test adds the build's library folders)
    prefix = unique_prefix('deploy-nolib')
    with App(testpmd_argv(args, prefix), prefix, env) as app:
        try:
            app.proc.wait(15)
        except subprocess.TimeoutExpired:
            pass
        ck.check(not app.alive() and app.proc.returncode != 0, 'no libslubq_config: testpmd stops with an error',
                 app.proc.returncode)
        log = log_text(app)
    ck.check('the configuration library cannot be loaded: libslubq_config.so' in log and
             'Creation of mbuf pool for socket 0 failed' in log,
             'no libslubq_config: the log says the library cannot be loaded; testpmd reports its failure',
             log[-1200:])


def mapped(pid):
    with open('/proc/%d/maps' % pid) as f:
        return sorted({l.split()[-1] for l in f if '/' in l.split()[-1]})


UNWANTED = re.compile(r'yaml-cpp|libyaml|hwloc|libslubq_config')


def case_maps(args, ck, tmp):
    out = subprocess.run(['ldd', args.plugin], capture_output=True, text=True, env=env_with(args)).stdout
    ck.check('libslubq.so' in out and not UNWANTED.search(out),
             'ldd of the plugin: libslubq, no yaml-cpp, hwloc or libslubq_config', out)
    for with_config in (False, True):
        what = 'with SLUBQ_CONFIG' if with_config else 'without SLUBQ_CONFIG'
        extra = {'SLUBQ_CONFIG': os.path.join(args.config_dir, 'stock-testpmd.yaml')} if with_config else {}
        prefix = unique_prefix('deploy-maps')
        with App(testpmd_argv(args, prefix), prefix, env_with(args, **extra)) as app:
            tel = app.connect(timeout=30)
            try:
                ck.check(info_of(tel) is not None, '%s: testpmd runs on a slubq pool' % what, app.log_tail())
                libs = mapped(app.proc.pid)
            finally:
                tel.close()
        bad = [l for l in libs if UNWANTED.search(os.path.basename(l))]
        ours = [l for l in libs if 'slubq' in os.path.basename(l)]
        if with_config:
            # The check can fail: the same scan finds them once asked for.
            ck.check(any('libslubq_config' in l for l in bad) and any('yaml-cpp' in l for l in bad),
                     '%s: libslubq_config and yaml-cpp are mapped (dlopened)' % what, bad)
        else:
            ck.check(any('librte_mempool_slubq' in l for l in ours) and not bad,
                     '%s: /proc/PID/maps has the plugin and no yaml-cpp, hwloc or libslubq_config' % what,
                     {'slubq': ours, 'unwanted': bad})


def build_l2fwd(args):
    """Path of the l2fwd binary (installing dpdk-doc and make through
    scripts/deps.sh, building the example under --l2fwd-dir), or None."""
    env = dict(os.environ, SLUBQ_EXTRA_PKGS='dpdk-doc make')
    r = subprocess.run(['sh', args.deps], env=env, capture_output=True, text=True)
    src = '/usr/share/dpdk/examples/l2fwd'
    if r.returncode != 0 or not os.path.isfile(os.path.join(src, 'main.c')) or shutil.which('make') is None:
        print('SKIPPED: l2fwd needs the Debian packages dpdk-doc and make: %s' % (r.stderr.strip() or 'missing'))
        return None
    binary = os.path.join(args.l2fwd_dir, 'build', 'l2fwd')
    if not os.path.exists(binary):
        shutil.rmtree(args.l2fwd_dir, ignore_errors=True)
        shutil.copytree(src, args.l2fwd_dir)
        r = subprocess.run(['make', '-s', '-C', args.l2fwd_dir], capture_output=True, text=True)
        if r.returncode != 0 or not os.path.exists(binary):
            raise RuntimeError('building l2fwd failed:\n' + r.stdout[-2000:] + r.stderr[-2000:])
    return binary


def case_l2fwd(args, ck, tmp):
    binary = build_l2fwd(args)
    if binary is None:
        return SKIP
    path = os.path.join(args.config_dir, 'stock-l2fwd.yaml')
    with open(path) as f:
        text = f.read()
    line, col = line_of(text, '- match: mbuf_pool')
    unused_line, unused_col = line_of(text, '- match: "MProc_*"')
    pool = 'mp:mbuf_pool'
    prefix = unique_prefix('deploy-l2fwd')
    argv = [binary, '-l', '0-1', '--no-pci', '--vdev', 'net_null0', '--vdev', 'net_null1', '--file-prefix', prefix,
            '--log-level=lib.eal:warning', '--log-level=lib.slubq:info'] + eal_memory_args(512) + \
        ['-d', os.path.basename(args.plugin), '--mbuf-pool-ops-name', 'slubq', '--', '-p', '0x3', '-T', '1']
    with App(argv, prefix, env_with(args, SLUBQ_CONFIG=path)) as app:
        tel = app.connect(timeout=30)
        try:
            info = wait_for(lambda: pool in (tel.query('/slubq/list') or []) and tel.query('/slubq/info,' + pool),
                            15)
            ck.check(bool(info), 'l2fwd has the slubq pool %s' % pool, app.log_tail())
            if not info:
                return None
            cfg = info.get('config', {})
            ck.check(info.get('queue_size') == 512 and info.get('batch') == 384 and cfg.get('file') == path and
                     cfg.get('rule') == 'mempools[0]' and cfg.get('line') == line and cfg.get('column') == col,
                     'the example\'s rule (queue 512, batch 384) applies to mbuf_pool, /slubq/info names it',
                     (info.get('queue_size'), info.get('batch'), cfg))

            # l2fwd's rte_mempool cache (256) takes most of the traffic:
            # slubq sees its refills and flushes.
            def stats():
                t = tel.query('/slubq/stats,' + pool).get('total', {})
                return t if t.get('alloc_fast', 0) + t.get('alloc_slow', 0) > 0 else None
            time.sleep(1.5)
            total = wait_for(stats, 10)
            ck.check(total is not None and total.get('alloc_fail') == 0,
                     'slubq serves the refills of l2fwd\'s mempool cache, no allocation failed', total)
        finally:
            tel.close()
        ck.check(app.alive(), 'l2fwd is still forwarding', app.log_tail())
        app.stop()
        log = log_text(app)
    ck.check(app.proc.returncode == 0 and 'Bye...' in log, 'l2fwd exits 0 on SIGINT', app.proc.returncode)
    received = [int(x) for x in re.findall(r'Total packets received:\s+(\d+)', log)]
    dropped = [int(x) for x in re.findall(r'Total packets dropped:\s+(\d+)', log)]
    ck.check(received and received[-1] > 100000 and dropped and dropped[-1] == 0,
             'l2fwd forwarded (its statistics: 100k+ packets received, none dropped)', (received[-3:], dropped[-3:]))
    ck.check(re.search(r'%s:%d:%d: mempools\[1\]: rule .MProc_\*. matched no mempool' % (
        re.escape(path), unused_line, unused_col), log),
        'at exit, the rule for client_server_mp\'s pool is reported unused', log[-1500:])
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--case', choices=['rule', 'topology', 'bad', 'maps', 'l2fwd'], required=True)
    ap.add_argument('--plugin', default='')
    ap.add_argument('--config-dir', required=True)
    ap.add_argument('--top', default='')
    ap.add_argument('--l2fwd-dir', default='')
    ap.add_argument('--deps', default='')
    args = ap.parse_args()
    args.testpmd = shutil.which('dpdk-testpmd')
    if args.testpmd is None or not os.path.exists(args.plugin):
        print('SKIPPED: needs dpdk-testpmd (Debian package dpdk) and the plugin (%r)' % args.plugin)
        return SKIP
    ck = Checks('stock-testpmd-deploy-' + args.case)
    cases = {'rule': case_rule, 'topology': case_topology, 'bad': case_bad, 'maps': case_maps,
             'l2fwd': case_l2fwd}
    return checks_in_tmpdir(ck, 'deploy', lambda tmp: cases[args.case](args, ck, tmp))


if __name__ == '__main__':
    sys.exit(main())
