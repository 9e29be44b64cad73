#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Every /slubq/* telemetry command against a running application (our
target, two simulated sockets): the JSON of each reply, a tunable changed
through telemetry and applied by the lcore that owns the queue, errors for
bad parameters, and the stock dpdk-telemetry.py client.

  test_commands.py --target PATH"""
import argparse
import json
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True
from tel_harness import Checks, check_info, check_stats, is_error, run_with_target, wait_for

WORKER = '1'  # the target's worker lcore (-l 0-1), on simulated socket 1


def names_ready(tel):
    names = tel.query('/slubq/list')
    return names if isinstance(names, list) and len(names) >= 5 else None


def stats_moved_on(tel, before):
    """tel_flows' stats once traffic has moved them on from before (both
    lcores allocating, cross-socket frees through the alien queues), else
    None."""
    now = tel.query('/slubq/stats,tel_flows')
    total, lcores = now['total'], now['lcores']
    moved = (now['time_ns'] > before['time_ns'] and total['alloc_fast'] > before['total']['alloc_fast'] and
             lcores.get(WORKER, {}).get('alloc_fast', 0) > 0 and total['alien_sent'] > 0 and
             total['alien_received'] > 0 and lcores.get('0', {}).get('alien_sent', 0) > 0)
    return now if moved else None


def test_list_info_stats(ck, tel):
    names = wait_for(lambda: names_ready(tel), 10)
    ck.check(isinstance(names, list) and all(isinstance(n, str) for n in names), '/slubq/list is a list of names',
             names)
    names = names or []
    for n in ('tel_flows', 'tel-sessions', 'tel_fixed'):
        ck.check(n in names, 'list has %s' % n, names)
    anon = [n for n in names if n.startswith('anon-96-')]
    ck.check(len(anon) == 2, 'list has both anonymous names (cache and alias)', names)
    for n in names:
        check_info(ck, n, tel.query('/slubq/info,' + n))
    flows = tel.query('/slubq/info,tel_flows')
    ck.check(flows.get('obj_size') == 192 and flows.get('sockets') == 2 and flows.get('source') == 'elastic',
             'info tel_flows: 192-byte objects, 2 sockets, elastic', flows)
    ck.check(tel.query('/slubq/info,tel-sessions').get('queue_size') == 128, 'info tel-sessions: queue 128')
    fixed = tel.query('/slubq/info,tel_fixed')
    ck.check(fixed.get('source') == 'fixed' and fixed.get('objects') == 4096, 'info tel_fixed: fixed, 4096 objects',
             fixed)
    if len(anon) == 2:
        a, b = (tel.query('/slubq/info,' + n) for n in anon)
        ck.check(a.get('cache') == b.get('cache') and {a.get('cache')} < set(anon) and a.get('refcnt') == 2,
                 'the alias names the same cache (refcnt 2)', (a.get('cache'), b.get('cache'), a.get('refcnt')))
    # Traffic flows: the worker's queue is in use on socket 1, counters grow.
    q = wait_for(lambda: tel.query('/slubq/info,tel_flows')['lcores'].get(WORKER), 5)
    ck.check(q and q['socket'] == 1 and q['size'] == 1024, 'worker lcore queue: socket 1, size 1024', q)
    s1 = tel.query('/slubq/stats,tel_flows')
    check_stats(ck, 'tel_flows', s1)
    s2 = wait_for(lambda: stats_moved_on(tel, s1), 5) or tel.query('/slubq/stats,tel_flows')
    ck.check(s2['time_ns'] > s1['time_ns'], 'stats time_ns advances')
    ck.check(s2['total']['alloc_fast'] > s1['total']['alloc_fast'], 'alloc counters grow while traffic runs',
             (s1['total']['alloc_fast'], s2['total']['alloc_fast']))
    ck.check(s2['lcores'].get(WORKER, {}).get('alloc_fast', 0) > 0, 'the worker lcore counts its allocations')
    ck.check(s2['total']['alien_sent'] > 0 and s2['total']['alien_received'] > 0 and
             s2['lcores'].get('0', {}).get('alien_sent', 0) > 0,
             'cross-socket frees go through the alien queues (main lcore, socket 0)', s2['total'])
    one = tel.query('/slubq/stats,tel_flows,' + WORKER)
    ck.check(list(one.get('lcores', {})) == [WORKER] and one['lcores'][WORKER]['alloc_fast'] > 0,
             '/slubq/stats,<cache>,<lcore> gives that lcore only', one.get('lcores'))
    idle = tel.query('/slubq/stats,tel_flows,7')
    ck.check(list(idle.get('lcores', {})) == ['7'] and not any(idle['lcores']['7'].values()),
             'an idle lcore reads all zero', idle.get('lcores'))
    check_stats(ck, 'tel_fixed', tel.query('/slubq/stats,tel_fixed'))


def applied_size(tel, cache, lcore):
    q = tel.query('/slubq/info,' + cache)['lcores'].get(lcore)
    return q['size'] if q else None


def test_set(ck, tel):
    r = tel.query('/slubq/set,tel_flows,queue=64')
    ck.check(r.get('key') == 'queue' and r.get('previous') == 1024 and r.get('value') == 64,
             'set queue=64: reply says 1024 -> 64', r)
    ck.check(r.get('tunable_batch') == 32, 'set queue=64 lowers batch to 32', r)
    info = tel.query('/slubq/info,tel_flows')
    ck.check(info['queue_size'] == 64 and info['batch'] == 32, 'info shows queue 64, batch 32')
    size = wait_for(lambda: applied_size(tel, 'tel_flows', WORKER) == 64, 5)
    ck.check(size, 'the worker lcore applies queue size 64 while traffic runs',
             tel.query('/slubq/info,tel_flows')['lcores'])
    r = tel.query('/slubq/set,tel_flows,batch=16')
    ck.check(r.get('value') == 16 and tel.query('/slubq/info,tel_flows')['batch'] == 16, 'set batch=16')
    r = tel.query('/slubq/set,tel_flows,shared=100')
    nodes = tel.query('/slubq/info,tel_flows')['nodes']
    ck.check(r.get('value') == 100 and all(n['shared_size'] == 100 and n['shared_count'] <= 100
                                           for n in nodes.values()), 'set shared=100 resizes every node', nodes)
    r = tel.query('/slubq/set,tel_flows,alien=32')
    info = tel.query('/slubq/info,tel_flows')
    ck.check(r.get('value') == 32 and info['alien_size'] == 32 and
             all(n['alien_size'] == 32 for n in info['nodes'].values()),
             'set alien=32 resizes the alien queues', info['nodes'])
    # alien_count: the node's alien queue and its lcores' alien buffers
    # (one lcore per socket here), each below 32 once the lcores took the
    # new size at their next slow path.
    small = wait_for(lambda: all(n['alien_count'] <= 2 * 32
                                 for n in tel.query('/slubq/info,tel_flows')['nodes'].values()), 5)
    ck.check(small, 'the lcores\' alien buffers take alien=32',
             tel.query('/slubq/info,tel_flows')['nodes'])
    r = tel.query('/slubq/set,tel_flows,limit=64m')
    ck.check(r.get('value') == 64 << 20 and tel.query('/slubq/info,tel_flows')['mem_limit'] == 64 << 20,
             'set limit=64m (size suffix)', r)
    r = tel.query('/slubq/set,tel-sessions,queue=0')
    ck.check(r.get('value') == 0, 'set queue=0 disables the lcore queues', r)
    ck.check(wait_for(lambda: applied_size(tel, 'tel-sessions', WORKER) == 0, 5),
             'the worker lcore stops using its queue', tel.query('/slubq/info,tel-sessions')['lcores'])
    # Back to the defaults; the queue comes back into use.
    for cmd in ('/slubq/set,tel-sessions,queue=128', '/slubq/set,tel_flows,queue=1024',
                '/slubq/set,tel_flows,shared=1024', '/slubq/set,tel_flows,alien=256', '/slubq/set,tel_flows,limit=0'):
        ck.check(not is_error(tel.query(cmd)), cmd)
    ck.check(wait_for(lambda: applied_size(tel, 'tel_flows', WORKER) == 1024, 5), 'the worker applies 1024 again')
    ck.check(wait_for(lambda: applied_size(tel, 'tel-sessions', WORKER) == 128, 5),
             'the worker uses its tel-sessions queue again')
    r = tel.query('/slubq/shrink,tel-sessions')
    ck.check(isinstance(r.get('freed_bytes'), int) and isinstance(r.get('mem_bytes'), int) and
             r.get('available', 0) <= r.get('objects', -1), '/slubq/shrink replies with bytes freed', r)
    r = tel.query('/slubq/shrink,tel_fixed')
    ck.check(r.get('freed_bytes') == 0, 'shrink of a fixed cache frees nothing', r)


BAD = [
    ('/slubq/info', 'missing cache'),
    ('/slubq/info,nope', 'unknown cache'),
    ('/slubq/info,' + 'x' * 900, 'unknown cache'),
    ('/slubq/info,\udcff\udcfe\x01', 'unknown cache'),
    ('/slubq/stats', 'missing cache'),
    ('/slubq/stats,nope', 'unknown cache'),
    ('/slubq/stats,tel_flows,999', 'bad lcore'),
    ('/slubq/stats,tel_flows,-1', 'bad lcore'),
    ('/slubq/stats,tel_flows,abc', 'bad lcore'),
    ('/slubq/set', 'usage'),
    ('/slubq/set,tel_flows', 'usage'),
    ('/slubq/set,tel_flows,queue', "missing '='"),
    ('/slubq/set,tel_flows,queue=', 'empty key or value'),
    ('/slubq/set,tel_flows,=5', 'empty key or value'),
    ('/slubq/set,tel_flows,bogus=1', 'unknown key'),
    ('/slubq/set,tel_flows,queue=abc', 'bad value'),
    ('/slubq/set,tel_flows,queue=-1', 'bad value'),
    ('/slubq/set,tel_flows,queue=1.5', 'bad value'),
    ('/slubq/set,tel_flows,queue=99999999999999999999999', 'bad value'),
    ('/slubq/set,tel_flows,queue=100000', 'must be 0..8192'),
    ('/slubq/set,tel_flows,batch=0', 'batch must be 1..'),
    ('/slubq/set,tel_flows,batch=9999', 'batch must be 1..'),
    ('/slubq/set,tel_fixed,limit=1m', 'elastic caches only'),
    ('/slubq/set,nope,queue=1', 'unknown cache'),
    ('/slubq/shrink', 'missing cache'),
    ('/slubq/shrink,nope', 'unknown cache'),
    ('/slubq/list,extra', 'no parameters'),
]


def test_bad_parameters(ck, tel):
    before = tel.query('/slubq/info,tel_flows')
    for cmd, why in BAD:
        r = tel.query(cmd)
        ck.check(is_error(r) and why in r['error'], 'error for %r' % cmd[:60], r)
        ck.check(is_error(r) and all(32 <= ord(c) < 127 for c in r['error']), 'error text is printable', r)
    after = tel.query('/slubq/info,tel_flows')
    ck.check(all(before[k] == after[k] for k in ('queue_size', 'batch', 'shared_size', 'alien_size', 'mem_limit')),
             'bad requests changed nothing')
    ck.check(isinstance(tel.query('/slubq/list'), list), 'the application still answers')
    h = tel.query('/help,/slubq/set')
    ck.check(isinstance(h, dict) and 'key=value' in h.get('/slubq/set', ''), '/help,/slubq/set', h)


def test_stock_client(ck, prefix):
    tool = shutil.which('dpdk-telemetry.py')
    if tool is None:
        print('skipped: dpdk-telemetry.py is not installed (Debian package dpdk)')
        return
    cmds = '/slubq/list\n/slubq/info,tel_flows\n/slubq/stats,tel_flows\n/slubq/set,tel_flows,bogus=1\n'
    p = subprocess.run([sys.executable, tool, '-f', prefix], input=cmds, capture_output=True, text=True, timeout=10)
    replies = []
    for line in p.stdout.splitlines():
        try:
            replies.append(json.loads(line))
        except ValueError:
            pass
    keys = [list(r)[0] for r in replies if isinstance(r, dict) and r]
    ck.check(keys == ['/slubq/list', '/slubq/info', '/slubq/stats', '/slubq/set'],
             'dpdk-telemetry.py runs every command', p.stdout[-800:] + p.stderr[-400:])
    if len(replies) == 4:
        ck.check('tel_flows' in replies[0]['/slubq/list'], 'dpdk-telemetry.py: list')
        ck.check(replies[1]['/slubq/info'].get('obj_size') == 192, 'dpdk-telemetry.py: info')
        ck.check('total' in replies[2]['/slubq/stats'], 'dpdk-telemetry.py: stats')
        ck.check(is_error(replies[3]['/slubq/set']), 'dpdk-telemetry.py: the error reaches the user')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--target', required=True)
    args = ap.parse_args()
    ck = Checks('telemetry-commands')

    def tests(tel, prefix):
        test_list_info_stats(ck, tel)
        test_set(ck, tel)
        test_bad_parameters(ck, tel)
        test_stock_client(ck, prefix)

    return run_with_target(ck, args.target, 'cmd', tests)

if __name__ == '__main__':
    sys.exit(main())
