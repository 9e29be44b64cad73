#!/usr/bin/env python3
"""Integration tests of slubq-fwd on net_null / net_ring vdevs (no NIC).

    fwd_test.py CASE PATH/TO/slubq-fwd

Each case runs the forwarder for about two seconds, parses its output and
exits 0 (pass), 1 (fail, with the reason and the output) or 77 (skipped).
EAL memory: hugepages with --in-memory when enough are free, else
--no-huge (as test/common/eal_env.cpp decides; SLUBQ_TEST_NO_HUGE=1 forces
--no-huge, SLUBQ_TEST_EAL adds EAL arguments)."""
import os
import re
import shutil
import signal
import subprocess
import sys
import time

SECONDS = 2
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
DEFAULT_YAML = os.path.join(ROOT, 'config', 'default.yaml')
POOL = 'mbuf_pool'          # the pool of config/default.yaml
CACHE = 'mp:' + POOL        # the slubq cache the driver makes for it


class Failure(Exception):
    pass


def hugepages_available(pages=128):
    if os.environ.get('SLUBQ_TEST_NO_HUGE'):
        return False
    try:
        if ' hugetlbfs ' not in open('/proc/mounts').read():
            return False
        m = re.search(r'^HugePages_Free:\s+(\d+)', open('/proc/meminfo').read(), re.M)
        return m is not None and int(m.group(1)) >= pages
    except OSError:
        return False


class Runner:
    def __init__(self, binary):
        self.binary = binary
        self.prefix = None

    def eal(self, lcores='0-1', vdevs=('net_null0', 'net_null1')):
        a = ['--lcores=' + lcores if '@' in lcores else '-l' + lcores, '--no-pci',
             '--log-level=lib.eal:warning']
        if hugepages_available():
            a.append('--in-memory')
        else:
            self.prefix = 'slubq-fwd-test-%d' % os.getpid()
            a += ['--no-huge', '-m', '1024', '--file-prefix', self.prefix]
        for v in vdevs:
            a += ['--vdev', v]
        a += os.environ.get('SLUBQ_TEST_EAL', '').split()
        return a

    def cleanup(self):
        if self.prefix:
            shutil.rmtree('/var/run/dpdk/' + self.prefix, ignore_errors=True)

    def run(self, app_args, lcores='0-1', vdevs=('net_null0', 'net_null1'), stdin=None, timeout=60,
            signal_after=None, config=DEFAULT_YAML, cwd=None):
        """config: the YAML to pass (None: no --config, then cwd decides)."""
        cmd = [self.binary] + self.eal(lcores, vdevs) + ['--'] + (['--config', config] if config else []) + app_args
        print('$ ' + ' '.join(cmd), flush=True)
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=cwd)
        try:
            if signal_after is not None:
                time.sleep(signal_after)
                p.send_signal(signal.SIGINT)
            out, _ = p.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, _ = p.communicate()
            print(out)
            raise Failure('timed out after %d s' % timeout)
        finally:
            self.cleanup()
        print(out, flush=True)
        return p.returncode, out


# ---- output parsing -------------------------------------------------------

def accumulated(out):
    """(rx, rx_dropped, tx, tx_dropped) of the last accumulated forward statistics."""
    blocks = re.findall(r'Accumulated forward statistics.*?RX-packets: (\d+)\s+RX-dropped: (\d+).*?'
                        r'TX-packets: (\d+)\s+TX-dropped: (\d+)', out, re.S)
    if not blocks:
        raise Failure('no accumulated forward statistics in the output')
    return tuple(int(x) for x in blocks[-1])


ROW = re.compile(r'^\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+) MiB\s+(\d+)/(\d+)\s+(\d+)', re.M)


def cache_rows(out, name=CACHE):
    """Every `show slubq` row of a cache, in order, as dicts."""
    keys = ('objects', 'available', 'in_queues', 'alien_sent', 'refills', 'flushes', 'mem', 'queue', 'batch',
            'alien')
    rows = []
    for m in ROW.finditer(out):
        if m.group(1) == name:
            vals = m.groups()[1:]
            rows.append({k: (float(v) if k == 'mem' else int(v)) for k, v in zip(keys, vals)})
    return rows


LCORE_ROW = re.compile(r'^\s+(\d+)\s+(\d+)\s+(\d+)/(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)', re.M)


def lcore_queue_sizes(out):
    """{lcore: applied queue size} from the last `show slubq CACHE`."""
    part = out.rsplit('slubq cache %s:' % CACHE, 1)
    if len(part) < 2:
        raise Failure('no `show slubq %s` output' % CACHE)
    section = part[1].split('socket real')[0]
    return {int(m.group(1)): int(m.group(4)) for m in LCORE_ROW.finditer(section)}


def check_clean_exit(rc, out, slubq=True):
    if 'Leak check: 0 objects leaked' not in out:
        raise Failure('leak check did not report 0 leaked objects')
    if slubq and 'slubq verify: consistent' not in out:
        raise Failure('the slubq pool was not verified consistent at exit')
    if rc != 0:
        raise Failure('exit status %d' % rc)


def check_forwarded(out, rx=True, tx=True):
    r, rd, t, td = accumulated(out)
    if rx and r == 0:
        raise Failure('no packet received')
    if tx and t == 0:
        raise Failure('no packet transmitted')
    return r, rd, t, td


# ---- cases ----------------------------------------------------------------

def case_mode(run, mode):
    rc, out = run.run(['--forward-mode=' + mode, '--duration', str(SECONDS), '--stats-period', '1'])
    receives = mode != 'txonly'
    transmits = mode != 'rxonly'
    r, rd, t, td = check_forwarded(out, rx=receives, tx=transmits)
    if mode in ('io', 'mac', 'macswap') and r != t + td:
        raise Failure('received %d != transmitted %d + dropped %d' % (r, t, td))
    if 'Statistics at 1.0 s' not in out:
        raise Failure('no periodic statistics')
    check_clean_exit(rc, out)


def case_pipeline_2socket(run):
    rc, out = run.run(['--forward-mode=pipeline', '--sockets', '2', '--duration', str(SECONDS)],
                      lcores='(0-2)@(0-1)')
    r, rd, t, td = check_forwarded(out)
    if r != t + td + rd:
        raise Failure('received %d != transmitted %d + dropped %d + %d' % (r, t, td, rd))
    rows = cache_rows(out)
    if not rows:
        raise Failure('no slubq table row for %s' % CACHE)
    if rows[-1]['alien_sent'] == 0:
        raise Failure('no alien sends: the workers\' frees did not cross sockets')
    if not re.search(r'lcore 2 \(socket \d+, simulated socket 1, pipeline worker\)', out):
        raise Failure('the pipeline worker is not on simulated socket 1')
    check_clean_exit(rc, out)


def case_set_queue(run):
    cmds = ('start; sleep 1; show slubq; set slubq %s queue 64 batch 16; sleep 1; show slubq; show slubq %s; '
            'stop; quit') % (POOL, CACHE)
    rc, out = run.run(['--cmd', cmds])
    rows = cache_rows(out)
    if len(rows) < 3:
        raise Failure('expected 3 `show slubq` rows (before, after, at stop), got %d' % len(rows))
    before, after = rows[0], rows[1]
    if (before['queue'], before['batch']) == (64, 16):
        raise Failure('queue was already 64/16 before the command')
    if (after['queue'], after['batch']) != (64, 16):
        raise Failure('show slubq reports queue %d batch %d after `set`, want 64/16'
                      % (after['queue'], after['batch']))
    sizes = lcore_queue_sizes(out)
    if sizes.get(1) != 64:
        raise Failure('forwarding lcore 1 did not apply the new queue size (sizes: %s)' % sizes)
    r, rd, t, td = check_forwarded(out)
    if r != t or td or rd:
        raise Failure('lost packets: received %d, transmitted %d, dropped %d + %d' % (r, t, rd, td))
    check_clean_exit(rc, out)


def case_pool_ops_ring(run):
    rc, out = run.run(['--pool-ops', 'ring_mp_mc', '--duration', str(SECONDS)])
    check_forwarded(out)
    if not re.search(r'pool %s \(ring_mp_mc\)' % POOL, out):
        raise Failure('the pool does not use ring_mp_mc')
    if cache_rows(out):
        raise Failure('a ring_mp_mc run shows a slubq cache for its pool')
    check_clean_exit(rc, out, slubq=False)


def case_builtin_pools(run):
    # No --config and no config/default.yaml in the working directory: the
    # built-in pool, sized from ports, queues and lcores.
    rc, out = run.run(['--cmd', 'start; sleep 1; show slubq mbuf_pool_0; stop'], config=None,
                      cwd='/')
    if 'Pool mbuf_pool_0:' not in out:
        raise Failure('the built-in pool mbuf_pool_0 was not created')
    check_forwarded(out)
    if not cache_rows(out, 'mp:mbuf_pool_0'):
        raise Failure('no slubq row for the built-in pool')
    check_clean_exit(rc, out)


MAP_YAML = """version: 1
topology:
  mode: map
  map: {0: [0, 1], 1: [2]}
sizing:
  ports: [{socket: 0}, {socket: 0}]
  rings: [{name: fwd_pipe_0, size: 1024, socket: 1}]
pools:
  - name: pkt
    count: auto
"""


def case_pipeline_yaml_map(run):
    # The topology from the YAML: rx lcore 1 on socket 0, worker lcore 2 on socket 1.
    path = '/tmp/slubq-fwd-test-map-%d.yaml' % os.getpid()
    with open(path, 'w') as f:
        f.write(MAP_YAML)
    try:
        rc, out = run.run(['--forward-mode=pipeline', '--duration', str(SECONDS)], lcores='(0-2)@(0-1)', config=path)
    finally:
        os.unlink(path)
    check_forwarded(out)
    rows = [r for name in ('mp:pkt_s0', 'mp:pkt') for r in cache_rows(out, name)]
    if not rows or rows[-1]['alien_sent'] == 0:
        raise Failure('no alien sends on the YAML\'s 2-socket topology')
    check_clean_exit(rc, out)


def case_tx_first_ring(run):
    # net_ring ports only carry what was sent: --tx-first seeds them, and
    # the packets still looping at exit must come home through the drain.
    rc, out = run.run(['--forward-mode=io', '--tx-first', '--duration', '1'], vdevs=('net_ring0', 'net_ring1'))
    check_forwarded(out)
    check_clean_exit(rc, out)


def case_sigint(run):
    rc, out = run.run(['--forward-mode=io', '--stats-period', '1'], signal_after=SECONDS + 1)
    if 'Signal 2 received' not in out:
        raise Failure('SIGINT was not reported')
    check_forwarded(out)
    check_clean_exit(rc, out)


def case_interactive(run):
    rc, out = run.run(['-i'], stdin='start\nsleep 1\nshow port stats all\nshow slubq\nstop\nquit\n')
    check_forwarded(out)
    if 'NIC statistics for port 0' not in out or not cache_rows(out):
        raise Failure('show port stats all / show slubq printed nothing')
    check_clean_exit(rc, out)


def case_bad_input(run):
    rc, out = run.run(['--forward-mode=nope'])
    if rc != 2 or 'unknown mode' not in out:
        raise Failure('an unknown mode must exit 2 with a message (rc %d)' % rc)
    rc, out = run.run(['--pool-ops', 'no_such_ops'])
    if rc == 0 or 'is not registered' not in out:
        raise Failure('an unknown mempool driver must fail with a message (rc %d)' % rc)
    rc, out = run.run(['--cmd', 'set slubq %s queue 8 batch 16; set slubq nope queue 8 batch 4; frobnicate; show '
                       'slubq; quit' % CACHE])
    if rc != 1 or out.count('Error:') != 3:
        raise Failure('3 bad commands must print 3 errors and exit 1 (rc %d)' % rc)
    rows = cache_rows(out)
    if not rows or (rows[0]['queue'], rows[0]['batch']) == (8, 16):
        raise Failure('a refused `set` changed the cache')
    if 'Leak check: 0 objects leaked' not in out:
        raise Failure('leak check missing after bad commands')
    bad = '/tmp/slubq-fwd-test-bad-%d.yaml' % os.getpid()
    with open(bad, 'w') as f:
        f.write('version: 1\npools:\n  - name: p\n    count: lots\n')
    try:
        rc, out = run.run([], config=bad)
    finally:
        os.unlink(bad)
    if rc == 0 or not re.search(re.escape(bad) + r':\d+:\d+:', out):
        raise Failure('a bad YAML must fail with file:line:col (rc %d)' % rc)
    # A duration that the commands would override is refused, not ignored.
    rc, out = run.run(['-i', '--cmd', 'quit', '--duration', '1'])
    if rc != 2 or '--duration applies without -i and --cmd only' not in out:
        raise Failure('--duration with -i/--cmd must exit 2 with a message (rc %d)' % rc)
    # A refused tunable names the accepted range.
    rc, out = run.run(['--cmd', 'set slubq %s queue 99999999; set slubq %s batch 0; quit' % (CACHE, CACHE)])
    if rc != 1 or not re.search(r'queue 99999999: must be 0\.\.\d+', out) or \
            not re.search(r'batch 0: batch must be 1\.\.\d+ \(the queue size\)', out):
        raise Failure('a refused set must give the accepted range (rc %d)' % rc)
    rc, out = run.run(['--forward-mode=pipeline'], lcores='0-1')
    if rc == 0 or 'pipeline needs 2 forwarding lcores' not in out:
        raise Failure('pipeline on one forwarding lcore must be refused (rc %d)' % rc)


CASES = {
    'io': lambda r: case_mode(r, 'io'),
    'mac': lambda r: case_mode(r, 'mac'),
    'macswap': lambda r: case_mode(r, 'macswap'),
    'rxonly': lambda r: case_mode(r, 'rxonly'),
    'txonly': lambda r: case_mode(r, 'txonly'),
    'pipeline-2socket': case_pipeline_2socket,
    'set-queue': case_set_queue,
    'pool-ops-ring': case_pool_ops_ring,
    'builtin-pools': case_builtin_pools,
    'pipeline-yaml-map': case_pipeline_yaml_map,
    'tx-first-ring': case_tx_first_ring,
    'sigint': case_sigint,
    'interactive': case_interactive,
    'bad-input': case_bad_input,
}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in CASES:
        print('usage: fwd_test.py {%s} SLUBQ_FWD' % '|'.join(CASES))
        return 2
    case, binary = sys.argv[1], os.path.abspath(sys.argv[2])
    if not os.access(binary, os.X_OK):
        print('SKIP: %s is not built' % binary)
        return 77
    try:
        CASES[case](Runner(binary))
    except Failure as e:
        print('FAIL (%s): %s' % (case, e))
        return 1
    print('PASS (%s)' % case)
    return 0


if __name__ == '__main__':
    sys.exit(main())
