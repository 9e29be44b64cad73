# SPDX-License-Identifier: BSD-3-Clause
"""Shared parts of the telemetry integration tests: start a DPDK application
in the background with a unique file prefix, talk to its telemetry socket,
count checks, and always clean up (the application, tmux, the runtime dir)."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SKIP = 77


def hugepages_free():
    if os.environ.get('SLUBQ_TEST_NO_HUGE'):
        return 0
    with open('/proc/mounts') as f:
        if not any(' hugetlbfs ' in l for l in f):
            return 0
    with open('/proc/meminfo') as f:
        for l in f:
            if l.startswith('HugePages_Free:'):
                return int(l.split()[1])
    return 0


def eal_memory_args(mb):
    """--in-memory on hugepages when enough are free, else --no-huge."""
    if hugepages_free() >= mb // 2 + 8:
        return ['--in-memory']
    return ['--no-huge', '-m', str(mb)]


def stock_env(env):
    """env for a stock (uninstrumented) tool that loads the plugin: the
    sanitizer runtimes preloaded when the build is sanitized (meson's test
    setup sets SLUBQ_SANITIZER_PRELOAD), else env unchanged."""
    preload = os.environ.get('SLUBQ_SANITIZER_PRELOAD', '')
    if preload:
        env = dict(env)
        env['LD_PRELOAD'] = ':'.join(filter(None, [preload, env.get('LD_PRELOAD')]))
    return env


def runtime_dir(prefix):
    """Where the EAL (and dpdk-telemetry.py) put a prefix's runtime files."""
    base = os.environ.get('RUNTIME_DIRECTORY')
    if not base:
        base = '/var/run' if os.getuid() == 0 else os.environ.get('XDG_RUNTIME_DIR', '/tmp')
    return os.path.join(base, 'dpdk', prefix)


def unique_prefix(what):
    return 'slubq-tel-%s-%d' % (what, os.getpid())


class Checks:
    """Counts checks; a failed one is reported and the test goes on."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def check(self, cond, what, detail=''):
        if cond:
            self.passed += 1
            print('ok    %s' % what)
        else:
            self.failed += 1
            print('FAIL  %s%s' % (what, (': ' + str(detail)[:600]) if detail else ''))
        sys.stdout.flush()
        return cond

    def done(self):
        print('%s: %d checks passed, %d failed' % (self.name, self.passed, self.failed))
        return 1 if self.failed or not self.passed else 0


class Telemetry:
    """A telemetry v2 client (SOCK_SEQPACKET: one message per reply)."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.settimeout(5)
        self.sock.connect(path)
        self.greeting = json.loads(self.sock.recv(4096).decode())
        self.max_len = self.greeting.get('max_output_len', 16384)

    def raw(self, cmd):
        self.sock.send(cmd.encode('utf-8', 'surrogateescape'))
        return json.loads(self.sock.recv(self.max_len + 1).decode())

    def query(self, cmd):
        """The reply's value; raises if it is not keyed by the command."""
        reply = self.raw(cmd)
        name = cmd.split(',', 1)[0]
        if not isinstance(reply, dict) or list(reply) != [name]:
            raise AssertionError('reply to %s is not {"%s": ...}: %r' % (cmd, name, reply))
        return reply[name]

    def close(self):
        self.sock.close()


class App:
    """A DPDK application running in the background (its own process group)."""

    def __init__(self, argv, prefix, env=None):
        self.argv = argv
        self.prefix = prefix
        self.env = env
        self.log = tempfile.NamedTemporaryFile(prefix='slubq-tel-', suffix='.log', delete=False)
        self.proc = None

    @property
    def socket_path(self):
        return os.path.join(runtime_dir(self.prefix), 'dpdk_telemetry.v2')

    def __enter__(self):
        print('starting: %s' % ' '.join(self.argv))
        self.proc = subprocess.Popen(self.argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True, env=self.env)
        return self

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(runtime_dir(self.prefix), ignore_errors=True)
        self.log.close()
        os.unlink(self.log.name)
        return False

    def log_tail(self, lines=30):
        self.log.flush()
        with open(self.log.name, errors='replace') as f:
            return ''.join(f.readlines()[-lines:])

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def connect(self, timeout=20):
        """A client of the app's telemetry socket, once it answers."""
        end = time.time() + timeout
        while time.time() < end:
            if not self.alive():
                raise RuntimeError('the application exited (%s); its log:\n%s'
                                   % (self.proc.returncode, self.log_tail()))
            if os.path.exists(self.socket_path):
                try:
                    return Telemetry(self.socket_path)
                except OSError:
                    pass
            time.sleep(0.1)
        raise RuntimeError('no telemetry socket at %s after %d s; log:\n%s'
                           % (self.socket_path, timeout, self.log_tail()))

    def stop(self):
        if not self.alive():
            return
        # SIGINT first: testpmd and the target both stop cleanly on it.
        for sig, wait in ((signal.SIGINT, 5), (signal.SIGTERM, 3), (signal.SIGKILL, 3)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue


def run_with_target(ck, target, what, tests):
    """Start tel_target (2 simulated sockets) under a unique prefix, connect
    to its telemetry socket, run tests(tel, prefix), check that the target
    is still running afterwards, and return ck.done()."""
    prefix = unique_prefix(what)
    argv = [target, '-l', '0-1', '--no-pci', '--file-prefix', prefix, '--log-level=lib.eal:warning'] + \
        eal_memory_args(256) + ['--', '--sockets', '2', '--seconds', '60']
    with App(argv, prefix) as app:
        try:
            tel = app.connect()
        except RuntimeError as e:
            ck.check(False, 'the target starts and opens its telemetry socket', e)
            return ck.done()
        try:
            tests(tel, prefix)
        finally:
            tel.close()
        ck.check(app.alive(), 'the target is still running', app.log_tail())
    return ck.done()


def checks_in_tmpdir(ck, what, body):
    """body(tmp) in a fresh temporary directory, removed afterwards. An
    application that does not start or answer (RuntimeError; OSError or
    ValueError from a socket that gives no greeting) is a failed check.
    SKIP when body returns it, else ck.done()."""
    tmp = tempfile.mkdtemp(prefix='slubq-%s-' % what)
    try:
        if body(tmp) == SKIP:
            return SKIP
    except (RuntimeError, OSError, ValueError) as e:
        ck.check(False, 'the application starts and answers on its telemetry socket', e)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return ck.done()


def wait_for(fn, timeout, step=0.1):
    """fn()'s first true value within timeout seconds, else the last value."""
    end = time.time() + timeout
    value = fn()
    while not value and time.time() < end:
        time.sleep(step)
        value = fn()
    return value


def is_error(value):
    return isinstance(value, dict) and isinstance(value.get('error'), str) and value['error'] != ''


INFO_INTS = ['refcnt', 'flags', 'obj_size', 'align', 'slot_size', 'slab_size', 'slab_objs', 'queue_size',
             'batch', 'shared_size', 'alien_size', 'mem_limit', 'sockets', 'objects', 'available', 'in_use',
             'in_queues', 'mem_bytes']
NODE_INTS = ['slabs_partial', 'slabs_full', 'slabs_empty', 'objects', 'free_in_slabs', 'shared_count',
             'shared_size', 'alien_count', 'alien_size', 'mem_bytes', 'lock_acquisitions']
LCORE_COUNTERS = ['alloc_fast', 'alloc_slow', 'free_fast', 'free_slow', 'refills', 'flushes', 'alien_sent',
                  'alien_flushes', 'remote_allocs', 'alloc_fail']
TOTAL_COUNTERS = LCORE_COUNTERS + ['alien_received', 'slabs_grown', 'slabs_freed', 'locked_ops',
                                   'debug_errors', 'injected_faults', 'node_locks']


def check_info(ck, name, info):
    """The shape of a /slubq/info reply and the sums that must hold in it."""
    ok = ck.check(isinstance(info, dict) and not is_error(info), 'info %s is a dict' % name, info)
    if not ok:
        return
    ck.check(info.get('name') == name and isinstance(info.get('cache'), str), 'info %s: name and cache' % name)
    missing = [k for k in INFO_INTS if not isinstance(info.get(k), int)]
    ck.check(not missing, 'info %s: integer fields' % name, missing)
    ck.check(info.get('source') in ('elastic', 'fixed'), 'info %s: source' % name, info.get('source'))
    if missing:
        return
    ck.check(info['available'] <= info['objects'] and info['in_use'] == info['objects'] - info['available'],
             'info %s: in_use + available == objects' % name, info)
    nodes = info.get('nodes', {})
    ck.check(sorted(nodes) == [str(i) for i in range(info['sockets'])], 'info %s: one node per socket' % name,
             list(nodes))
    bad = [s for s, n in nodes.items() if any(not isinstance(n.get(k), int) for k in NODE_INTS)]
    ck.check(not bad, 'info %s: node fields' % name, bad)
    if bad:
        return
    ck.check(sum(n['objects'] for n in nodes.values()) == info['objects'], 'info %s: nodes hold all objects' % name)
    ck.check(sum(n['mem_bytes'] for n in nodes.values()) == info['mem_bytes'], 'info %s: nodes hold all memory' % name)
    for s, n in nodes.items():
        slabs = n['slabs_partial'] + n['slabs_full'] + n['slabs_empty']
        ck.check(n['objects'] <= slabs * info['slab_objs'] and n['free_in_slabs'] <= n['objects'],
                 'info %s: node %s slabs hold its objects' % (name, s), n)
        ck.check(n['shared_size'] == info['shared_size'] and n['shared_count'] <= n['shared_size'],
                 'info %s: node %s shared queue within its size' % (name, s), n)
    lcores = info.get('lcores')
    ck.check(isinstance(lcores, dict) and all(
        isinstance(q.get(k), int) for q in lcores.values() for k in ('socket', 'count', 'size')),
        'info %s: lcore queues' % name, lcores)


def check_stats(ck, name, stats):
    ok = ck.check(isinstance(stats, dict) and not is_error(stats), 'stats %s is a dict' % name, stats)
    if not ok:
        return
    total = stats.get('total', {})
    ck.check(all(isinstance(total.get(k), int) for k in TOTAL_COUNTERS), 'stats %s: total counters' % name, total)
    ck.check(isinstance(stats.get('time_ns'), int) and stats['time_ns'] > 0, 'stats %s: time_ns' % name)
    lcores = stats.get('lcores', {})
    ck.check(isinstance(lcores, dict) and all(
        all(isinstance(c.get(k), int) for k in LCORE_COUNTERS) for c in lcores.values()),
        'stats %s: lcore counters' % name, lcores)
    # Per-lcore counters sum to at most the total read just before.
    for k in ('alloc_fast', 'free_fast'):
        ck.check(sum(c.get(k, 0) for c in lcores.values()) >= total.get(k, 0),
                 'stats %s: lcores sum to the total %s' % (name, k))


def run_top(top, args, timeout=15):
    """slubq-top's exit code, stdout and stderr."""
    p = subprocess.run([top] + args, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def json_documents(text):
    """Every JSON document in text (slubq-top --json prints one per sample)."""
    dec = json.JSONDecoder()
    docs, i = [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return docs
        doc, i = dec.raw_decode(text, i)
        docs.append(doc)


class Tmux:
    """A private tmux server (its own socket) running one command."""

    def __init__(self, name, cmd, width=160, height=40):
        self.base = ['tmux', '-L', name]
        self.cmd = cmd
        self.size = (width, height)

    def __enter__(self):
        subprocess.run(self.base + ['-f', '/dev/null', 'new-session', '-d', '-s', 'top', '-x', str(self.size[0]),
                                    '-y', str(self.size[1]), self.cmd], check=True)
        return self

    def __exit__(self, *exc):
        subprocess.run(self.base + ['kill-server'], capture_output=True)
        return False

    def capture(self, escapes=False):
        args = self.base + ['capture-pane', '-p', '-t', 'top'] + (['-e'] if escapes else [])
        p = subprocess.run(args, capture_output=True, text=True)
        return p.stdout if p.returncode == 0 else ''

    def keys(self, *keys):
        subprocess.run(self.base + ['send-keys', '-t', 'top'] + list(keys), capture_output=True)

    def running(self):
        return subprocess.run(self.base + ['has-session', '-t', 'top'], capture_output=True).returncode == 0

    def resize(self, width, height):
        subprocess.run(self.base + ['resize-window', '-t', 'top', '-x', str(width), '-y', str(height)],
                       capture_output=True)
