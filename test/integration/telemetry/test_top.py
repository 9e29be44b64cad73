#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""slubq-top against a running application (our target, two simulated
sockets): --once --json lists every cache with rates, --cache gives the
per-lcore view, errors exit non-zero, and the full-screen view renders in
a terminal (tmux: capture-pane) and answers its keys.

  test_top.py --target PATH --top PATH"""
import argparse
import os
import re
import shutil
import sys

sys.dont_write_bytecode = True
from tel_harness import Checks, Tmux, json_documents, run_top, run_with_target, wait_for

CACHES = {'tel_flows', 'tel-sessions', 'tel_fixed'}


def test_json(ck, top, prefix, tel):
    rc, out, err = run_top(top, ['-f', prefix, '--once', '--json', '--interval', '0.5'])
    docs = json_documents(out) if rc == 0 else []
    ck.check(rc == 0 and len(docs) == 1, 'slubq-top --once --json prints one document', err or out[:300])
    if not docs:
        return
    doc = docs[0]
    ck.check(doc.get('prefix') == prefix and doc.get('app') == 'slubq-tel-target' and doc.get('pid', 0) > 0,
             'the document names the application', {k: doc.get(k) for k in ('prefix', 'app', 'pid')})
    rows = {c['name']: c for c in doc.get('caches', [])}
    anon = [n for n in rows if n.startswith('anon-96-')]
    ck.check(CACHES <= set(rows) and len(anon) == 1 and len(rows) == 4,
             'every cache once, the alias folded into its cache', sorted(rows))
    if anon:
        ck.check(len(rows[anon[0]]['aliases']) == 1 and rows[anon[0]]['aliases'][0].startswith('anon-96-'),
                 'the merged cache lists its alias', rows[anon[0]])
    flows = rows.get('tel_flows', {})
    ck.check(flows.get('alloc_per_s', 0) > 0 and flows.get('free_per_s', 0) > 0 and flows.get('alien_per_s', 0) > 0,
             'tel_flows: alloc/s, free/s and alien/s measured', flows)
    hit = flows.get('hit_rate')
    ck.check(isinstance(hit, float) and 0 < hit <= 1, 'tel_flows: queue hit rate in (0, 1]', hit)
    info = tel.query('/slubq/info,tel_flows')
    ck.check(flows.get('objects') == info['objects'] and flows.get('obj_size') == 192 and
             flows.get('queue_size') == info['queue_size'], 'tel_flows: sizes match /slubq/info', flows)
    order = [c['objects'] for c in doc['caches']]
    ck.check(order == sorted(order, reverse=True), 'sorted by objects, largest first', order)

    rc, out, _ = run_top(top, ['-f', prefix, '--once', '--json', '-d', '0.2', '--sort', 'name'])
    names = [c['name'] for c in json_documents(out)[0]['caches']] if rc == 0 else []
    ck.check(names and names == sorted(names), '--sort name', names)
    rc, out, _ = run_top(top, ['-f', prefix, '--once', '--json', '-d', '0.2', '-s', 'm', '-R'])
    mem = [c['mem_bytes'] for c in json_documents(out)[0]['caches']] if rc == 0 else []
    ck.check(mem and mem == sorted(mem), '--sort m --reverse: smallest memory first', mem)
    rc, out, _ = run_top(top, ['-f', prefix, '--json', '-n', '2', '-d', '0.2'])
    ck.check(rc == 0 and len(json_documents(out)) == 2, '--iterations 2 prints two documents')


def test_cache_view(ck, top, prefix, tel):
    rc, out, err = run_top(top, ['-f', prefix, '--once', '--json', '-d', '0.5', '--cache', 'tel_flows'])
    doc = json_documents(out)[0] if rc == 0 else {}
    ck.check(doc.get('cache', {}).get('name') == 'tel_flows', '--cache tel_flows --json', err or out[:300])
    lcores = {l['lcore']: l for l in doc.get('lcores', [])}
    worker = lcores.get(1, {})
    ck.check(worker.get('socket') == 1 and worker.get('queue_size') == 1024 and worker.get('alloc_per_s', 0) > 0,
             'the worker lcore: socket 1, queue 1024, allocating', worker)
    main = lcores.get(0, {})
    ck.check(main.get('alien_per_s', 0) > 0 and main.get('alloc_per_s') == 0,
             'the main lcore only frees, through the alien queue', main)
    ck.check(len(doc.get('nodes', [])) == 2, 'two nodes (simulated sockets)', doc.get('nodes'))
    alias = [n for n in tel.query('/slubq/list') if n.startswith('anon-96-') and
             tel.query('/slubq/info,' + n)['cache'] != n]
    if ck.check(len(alias) == 1, 'the target has one alias', alias):
        rc, out, _ = run_top(top, ['-f', prefix, '--once', '--json', '-d', '0.2', '-c', alias[0]])
        doc = json_documents(out)[0] if rc == 0 else {}
        ck.check(doc.get('cache', {}).get('name') == tel.query('/slubq/info,' + alias[0])['cache'],
                 '--cache <alias> shows the cache it names', doc.get('cache'))
    rc, out, _ = run_top(top, ['-f', prefix, '--once', '-d', '0.2', '-c', 'tel_flows'])
    ck.check(rc == 0 and 'Cache tel_flows' in out and re.search(r'^\s+1\s+1\s+\d+/1024\s', out, re.M),
             '--cache tel_flows as text: the worker row', out)
    rc, out, _ = run_top(top, ['-f', prefix, '--once', '-d', '0.2'])
    ck.check(rc == 0 and re.search(r'^NAME\s+SIZE\s+OBJECTS\s+IN USE\s+AVAIL\s+USE%\s+MEMORY\s+ALLOC/s\s+FREE/s\s+'
                                   r'ALIEN/s\s+HIT%', out, re.M) and all(n in out for n in CACHES),
             '--once as text: header and a row per cache', out)


def test_errors(ck, top, prefix):
    rc, _, err = run_top(top, ['-f', prefix + '-none', '--once'])
    ck.check(rc == 1 and 'cannot connect' in err, 'no application: exit 1, says why', err)
    rc, _, err = run_top(top, ['-f', prefix, '--once', '-c', 'nope', '-d', '0.2'])
    ck.check(rc == 1 and "no cache named 'nope'" in err, 'unknown --cache: exit 1, says why', err)
    for bad in (['--interval', '0'], ['--sort', 'bogus'], ['--iterations', 'x'], ['extra']):
        rc, _, err = run_top(top, bad)
        ck.check(rc == 2 and 'usage' in err, 'bad option %s: exit 2 with usage' % bad, err)


def wait_screen(tmux, *texts, timeout=6):
    return wait_for(lambda: (lambda s: s if all(t in s for t in texts) else '')(tmux.capture()), timeout)


SGR = re.compile(r'\x1b\[[0-9;]*m')
REVERSE = re.compile(r'\x1b\[(?:[0-9;]*;)?7m')


def cursor_row(tmux):
    """The cache on the row under the cursor (the one in reverse video), or ''."""
    for raw in tmux.capture(escapes=True).splitlines():
        plain = SGR.sub('', raw)
        if REVERSE.search(raw) and re.match(r'^(tel|anon)\S*\s', plain):
            return plain.split()[0]
    return ''


def test_full_screen(ck, top, prefix):
    if shutil.which('tmux') is None:
        print('skipped: tmux is not installed')
        return
    with Tmux('slubq-tel-%d' % os.getpid(), '%s -f %s -d 0.5' % (top, prefix)) as tmux:
        screen = wait_screen(tmux, 'ALLOC/s', 'tel_flows', 'Alloc/s:')
        lines = screen.splitlines()
        ck.check(bool(screen) and lines[0].startswith('slubq-top - slubq-tel-target (pid '),
                 'full screen: title line', screen)
        header = [l for l in lines if l.startswith('NAME ')]
        ck.check(len(header) == 1 and 'HIT%' in header[0], 'full screen: column header', screen)
        rows = [l for l in lines if re.match(r'^(tel|anon)\S*\s.*\d', l)]
        ck.check(len(rows) == 4, 'full screen: one row per cache', screen)
        ck.check(all(len(l) <= 160 for l in lines), 'full screen: fits 160 columns')
        # Rates appear once two samples exist.
        screen = wait_for(lambda: (lambda s: s if re.search(r'^Alloc/s: \d', s, re.M) else '')(tmux.capture()), 4)
        ck.check(bool(screen), 'full screen: rates after the second sample', tmux.capture())
        esc = tmux.capture(escapes=True)
        ck.check('\x1b[7m' in esc or '\x1b[1m\x1b[7m' in esc or '\x1b[1;7m' in esc,
                 'full screen: title and header in reverse video', esc[:300])
        tmux.keys('n')
        screen = wait_screen(tmux, 'Sort: name')
        rows = [l.split()[0] for l in screen.splitlines() if re.match(r'^(tel|anon)\S*\s.*\d', l)]
        ck.check(bool(screen) and rows == sorted(rows), "key 'n' sorts by name", screen)
        # The cursor stays on its cache across a re-sort: Home, Down moves
        # it to the second row by name, Enter opens that cache per lcore.
        tmux.keys('Home')
        first = rows[0] if rows else '?'
        ck.check(wait_for(lambda: cursor_row(tmux) == first, 4), 'Home: the cursor on %s' % first,
                 tmux.capture(escapes=True))
        tmux.keys('Down')
        want = rows[1] if len(rows) > 1 else '?'
        ck.check(wait_for(lambda: cursor_row(tmux) == want, 4), 'Down: the cursor on %s' % want,
                 tmux.capture(escapes=True))
        tmux.keys('Enter')
        screen = wait_screen(tmux, 'LCORE', 'Cache %s' % want)
        ck.check(bool(screen) and 'SOCKET' in screen and re.search(r'^\s+1\s+1\s+\d+/\d+\s', screen, re.M),
                 'Home, Down, Enter: the per-lcore view of %s' % want, screen or tmux.capture())
        tmux.keys('Escape')
        screen = wait_screen(tmux, 'NAME ', 'Sort: name')
        ck.check(bool(screen), 'Esc: back to the list', tmux.capture())
        tmux.resize(100, 20)
        screen = wait_for(lambda: (lambda s: s if s and max(len(l) for l in s.splitlines()) <= 100 and
                                   'NAME' in s else '')(tmux.capture()), 4)
        ck.check(bool(screen) and len(screen.splitlines()) <= 20, 'after a resize to 100x20 it still fits',
                 tmux.capture())
        tmux.keys('q')
        ck.check(wait_for(lambda: not tmux.running(), 4), "key 'q' quits")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--target', required=True)
    ap.add_argument('--top', required=True)
    args = ap.parse_args()
    ck = Checks('telemetry-top')

    def tests(tel, prefix):
        wait_for(lambda: len(tel.query('/slubq/list')) >= 5, 10)
        test_json(ck, args.top, prefix, tel)
        test_cache_view(ck, args.top, prefix, tel)
        test_errors(ck, args.top, prefix)
        test_full_screen(ck, args.top, prefix)

    return run_with_target(ck, args.target, 'top', tests)

if __name__ == '__main__':
    sys.exit(main())
