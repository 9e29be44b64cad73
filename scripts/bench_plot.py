#!/usr/bin/env python3
"""Draw slubq-bench's JSON (slubq-bench --json FILE) as one PNG per case and
write OUTDIR/summary.md: per case a table of ns/object and the ratio to the
case's baseline, then the targets of issue 10.

  bench_plot.py JSON OUTDIR [--update-doc DOC]

--update-doc replaces the text between "<!-- bench:begin -->" and
"<!-- bench:end -->" in DOC with the same tables and links to the PNGs
(links only to PNGs inside DOC's repository: a run written elsewhere, e.g.
/tmp, gets its tables but no image links).

Cases or kinds missing from the JSON (a pool the machine could not make,
one lcore only) are left out of the plots and tables, never invented."""
import argparse
import json
import os
import sys

# Fixed colours, so a kind looks the same in every plot: stock pools in
# greys and browns, the reference driver in purple, slubq in blues and
# greens; kinds not listed take a spare colour. Bars keep the run's order.
KIND_COLOURS = {
    'ring_mp_mc_c512': '#404040', 'ring_mp_mc_c256': '#7f7f7f', 'ring_mp_mc_c0': '#b8b8b8',
    'stack_c512': '#a6761d', 'lf_stack_c512': '#d9b36c', 'bucket_c512': '#8c8c3c',
    'ref_c0': '#7b4fa6',
    'slubq_native': '#1f5fbf', 'slubq_ops_c512': '#4a90d9', 'slubq_ops_c0': '#9cc3ec',
    'slubq_native_alien': '#1b8a4a', 'slubq_native_noalien': '#7fcf9a',
    'rte_malloc': '#404040', 'slubq_malloc': '#1f5fbf', 'slubq_kmalloc': '#1b8a4a',
}
SPARE_COLOURS = ['#e6550d', '#d62728', '#17becf', '#bcbd22', '#e377c2']

# One line per case for the summary; docs/performance.md explains them.
CASE_TITLES = {
    'bulk': 'bulk: one get of n then one put of n, one lcore: the bare fast path',
    'local1': 'local1: bulk get then put of `keep` objects, one lcore',
    'local2': 'local2: the same on both lcores at once, one shared pool',
    'pipeline': 'pipeline: lcore A gets bursts of 32, lcore B puts them back (via an rte_ring, 512 or 32 per hand-off)',
    'xsocket': 'xsocket: the pipeline on a simulated 2-socket topology, alien buffers on/off, driver cache 0/512',
    'remote': 'remote: fixed pool on socket 0 only, local1 shapes on socket 0 and on socket 1',
    'mesh4': 'mesh4: 4 simulated sockets, one lcore each, bursts of 32 freed on the other three',
    'cold': 'cold: ~1M objects (256K in --quick) freed in random order, then got again with a cache line written',
    'elastic': 'elastic: grow to N objects, free them all, give the memory back',
    'malloc_pair': 'malloc_pair: one alloc + one free per iteration, one lcore',
    'malloc_batch32': 'malloc_batch32: 32 live allocations, then 32 frees, one lcore',
    'malloc_xlcore': 'malloc_xlcore: alloc on lcore A, free on lcore B (32 at a time via an rte_ring)',
}
# PNG name -> the cases it draws (the malloc cases share one figure).
FIGURES = [
    ('bulk', ['bulk']), ('local1', ['local1']), ('local2', ['local2']), ('pipeline', ['pipeline']),
    ('xsocket', ['xsocket']), ('remote', ['remote']), ('mesh4', ['mesh4']), ('cold', ['cold']), ('elastic', ['elastic']),
    ('malloc', ['malloc_pair', 'malloc_batch32', 'malloc_xlcore']),
]
BEGIN, END = '<!-- bench:begin -->', '<!-- bench:end -->'
# A bar longer than this many times the panel's median is drawn cut short
# (hatched, its value printed) so that it does not flatten the others.
CLIP_FACTOR = 4.0


def load(path):
    with open(path) as f:
        try:
            data = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f'{path}: not JSON ({e})') from e
    if not isinstance(data, dict) or not isinstance(data.get('results'), list):
        raise ValueError(f'{path}: no "results" list (not slubq-bench --json output?)')
    good = []
    for r in data['results']:
        if all(k in r for k in ('case', 'variant', 'kind')) and isinstance(r.get('ns_per_obj'), (int, float)):
            good.append(r)
        else:
            print(f'bench_plot: skipping malformed result {r!r}', file=sys.stderr)
    data['results'] = good
    data.setdefault('targets', [])
    data.setdefault('machine', {})
    return data


def ordered(values):
    """Unique values in the order they first appear."""
    return list(dict.fromkeys(values))


def cases_of(data):
    return ordered(r['case'] for r in data['results'])


def table_of(data, case):
    """(variants, kinds, {(variant, kind): result}) of one case."""
    rs = [r for r in data['results'] if r['case'] == case]
    return ordered(r['variant'] for r in rs), ordered(r['kind'] for r in rs), {(r['variant'], r['kind']): r for r in rs}


def baseline_of(data, case):
    for r in data['results']:
        if r['case'] == case and r.get('baseline'):
            return r['baseline']
    return 'ring_mp_mc_c512'


def extra_counters(r):
    skip = {'case', 'variant', 'kind', 'ns_per_obj', 'baseline', 'ratio'}
    return {k: v for k, v in r.items() if k not in skip and isinstance(v, (int, float))}


def ratio_text(r):
    # report.cpp writes 0 when the baseline did not run: no ratio then.
    x = r.get('ratio')
    return f'{x:.2f}x' if isinstance(x, (int, float)) and x > 0 else 'n/a'


def ns_text(v):
    return f'{v:.0f} ns' if v >= 100 else f'{v:.1f} ns' if v >= 10 else f'{v:.2f} ns'


def machine_line(data):
    m = data['machine']
    cpus = m.get('cpus')
    parts = [m.get('cpu', 'unknown CPU'), f'{cpus} CPUs' if cpus else None, m.get('dpdk'), m.get('date'),
             f'{data.get("mode", "?")} run']
    return ', '.join(p for p in parts if p)


def variant_label(case, variant):
    if (case.startswith('local') or case == 'remote') and 'x' in variant:
        bulk, keep = variant.split('x', 1)
        return f'bulk {bulk}, keep {keep}'
    if case.startswith('malloc'):
        return f'{variant} B'
    if case == 'bulk':
        return f'get {variant}, put {variant}'
    if case in ('pipeline', 'xsocket'):
        return f'{variant} per hand-off'
    if case == 'mesh4':
        return f'bursts of {variant}'
    if variant.endswith('B') and variant[:-1].isdigit():
        return f'{variant[:-1]}-byte objects'
    return variant


def colours_for(kinds):
    spare = iter(SPARE_COLOURS * 4)
    return {k: KIND_COLOURS.get(k) or next(spare, '#999999') for k in kinds}


# ---------------------------------------------------------------- plots

def hbar_panel(ax, case, variant, kinds, cells, baseline, colours):
    """Horizontal bars of one case/variant: ns/object, labelled with the ratio."""
    present = [k for k in kinds if (variant, k) in cells]
    vals = [cells[(variant, k)]['ns_per_obj'] for k in present]
    ys = list(range(len(present)))[::-1]  # first kind (the baseline) on top
    median = sorted(vals)[len(vals) // 2] if vals else 0
    cap = CLIP_FACTOR * median if median > 0 else 0
    unclipped = [v for v in vals if not cap or v <= cap]
    long_labels = any('returned_pct' in cells[(variant, k)] for k in present)
    limit = (max(unclipped) if unclipped else 1) * (1.75 if long_labels else 1.45)
    for y, k, v in zip(ys, present, vals):
        r = cells[(variant, k)]
        clipped = v > limit
        ax.barh(y, min(v, limit * 0.8) if clipped else v, color=colours[k], hatch='//' if clipped else None,
                edgecolor='white' if clipped else None)
        x = r.get('ratio') or 0
        weight = 'bold' if k != baseline and x >= 1 else 'normal'
        if clipped:  # the value inside the cut bar, where there is room
            ax.text(limit * 0.79, y, f'{ns_text(v)} (cut)  {ratio_text(r)}', va='center', ha='right', fontsize=8,
                    fontweight=weight, bbox=dict(facecolor='white', alpha=0.9, edgecolor='none', pad=1))
        else:
            label = f'{ns_text(v)}  ' + ('baseline' if k == baseline else ratio_text(r))
            if 'returned_pct' in r:  # elastic: the point of the case
                label += f', {r["returned_pct"]:.0f}% given back'
            ax.text(v + limit * 0.01, y, label, va='center', fontsize=8, fontweight=weight)
    ax.set_yticks(ys)
    ax.set_yticklabels(present, fontsize=8)
    ax.set_xlim(0, limit)
    ax.set_xlabel('ns per object (lower is better)', fontsize=8)
    ax.tick_params(axis='x', labelsize=8)
    ax.set_title(variant_label(case, variant), fontsize=10)
    ax.grid(axis='x', alpha=0.3)
    ax.set_axisbelow(True)


def draw_hbar_case(plt, data, case, path):
    variants, kinds, cells = table_of(data, case)
    baseline = baseline_of(data, case)
    colours = colours_for(kinds)
    n = len(variants)
    cols = 2 if n > 1 else 1
    rows = (n + cols - 1) // cols
    height = max(2.4, 0.32 * len(kinds) + 1.2)
    fig, axes = plt.subplots(rows, cols, figsize=(7.5 * cols, height * rows + 1.0), squeeze=False)
    for i, v in enumerate(variants):
        hbar_panel(axes[i // cols][i % cols], case, v, kinds, cells, baseline, colours)
    for j in range(n, rows * cols):
        axes[j // cols][j % cols].axis('off')
    finish(plt, fig, f'{CASE_TITLES.get(case, case)}\nlabels: ratio = {baseline} ns / this ns (above 1x: faster)',
           data, path)


def draw_malloc(plt, data, cases, path):
    """The malloc cases side by side: sizes grouped, one bar per implementation, log scale."""
    fig, axes = plt.subplots(len(cases), 1, figsize=(11, 3.6 * len(cases) + 1.0), squeeze=False)
    for ax, case in zip(axes[:, 0], cases):
        sizes, kinds, cells = table_of(data, case)
        baseline = baseline_of(data, case)
        colours = colours_for(kinds)
        width = 0.8 / max(1, len(kinds))
        for i, k in enumerate(kinds):
            xs = [s for s, v in enumerate(sizes) if (v, k) in cells]
            if not xs:
                continue
            rs = [cells[(sizes[s], k)] for s in xs]
            pos = [s - 0.4 + width * (i + 0.5) for s in xs]
            ax.bar(pos, [r['ns_per_obj'] for r in rs], width, color=colours[k], label=k)
            if k != baseline:
                for p, r in zip(pos, rs):
                    ax.text(p, r['ns_per_obj'] * 1.08, ratio_text(r), ha='center', va='bottom', fontsize=7,
                            rotation=90)
        ax.set_yscale('log')
        ax.set_xticks(range(len(sizes)))
        ax.set_xticklabels([f'{s} B' for s in sizes], fontsize=8)
        ax.set_ylabel('ns per object (log scale, lower is better)', fontsize=8)
        ax.set_title(CASE_TITLES.get(case, case), fontsize=10)
        ax.margins(y=0.25)
        ax.grid(axis='y', alpha=0.3, which='both')
        ax.set_axisbelow(True)
        ax.legend(fontsize=8, loc='upper left', bbox_to_anchor=(1.0, 1.0))
    finish(plt, fig, 'malloc size classes: slubq_malloc (C), slubq_kmalloc (inline C++) and rte_malloc\n'
           'labels: ratio = rte_malloc ns / this ns (above 1x: faster)', data, path)


def finish(plt, fig, title, data, path):
    fig.suptitle(f'slubq-bench: {title}\n{machine_line(data)}', fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def draw_all(data, outdir):
    """Draw every figure that has data; returns {figure name: [cases]} drawn."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    present = cases_of(data)
    drawn = {}
    for name, cases in FIGURES:
        have = [c for c in cases if c in present]
        path = os.path.join(outdir, name + '.png')
        if not have:
            print(f'bench_plot: no results for {"/".join(cases)}: {name}.png not drawn', file=sys.stderr)
            if os.path.exists(path):  # an older run's plot would pass for this one's
                os.remove(path)
            continue
        if name == 'malloc':
            draw_malloc(plt, data, have, path)
        else:
            draw_hbar_case(plt, data, have[0], path)
        drawn[name] = have
    # Cases this script does not know yet still get a plot.
    known = {c for _, cases in FIGURES for c in cases}
    for case in present:
        if case not in known:
            draw_hbar_case(plt, data, case, os.path.join(outdir, case + '.png'))
            drawn[case] = [case]
    return drawn


# ---------------------------------------------------------------- markdown

def case_table(data, case):
    variants, kinds, cells = table_of(data, case)
    baseline = baseline_of(data, case)
    lines = []
    if len(variants) == 1:
        v = variants[0]
        extras = ordered(k for kind in kinds for k in extra_counters(cells[(v, kind)]))
        lines.append('| pool | ns/object | ratio to ' + baseline + ' |' + ''.join(f' {e} |' for e in extras))
        lines.append('| --- | ---: | ---: |' + ' ---: |' * len(extras))
        for k in kinds:
            r = cells[(v, k)]
            ex = extra_counters(r)
            lines.append(f'| {k} | {r["ns_per_obj"]:.2f} | {ratio_text(r)} |' +
                         ''.join(f' {ex[e]:.1f} |' if e in ex else ' |' for e in extras))
    else:
        lines.append('| pool | ' + ' | '.join(variant_label(case, v) for v in variants) + ' |')
        lines.append('| --- |' + ' ---: |' * len(variants))
        for k in kinds:
            row = []
            for v in variants:
                r = cells.get((v, k))
                row.append(f'{r["ns_per_obj"]:.2f} ({ratio_text(r)})' if r else '-')
            lines.append(f'| {k} | ' + ' | '.join(row) + ' |')
        lines.append('')
        lines.append(f'Cells: ns/object (ratio to {baseline}).')
    return lines


def targets_table(data):
    lines = ['| target | goal | worst measured | where | met |', '| --- | ---: | ---: | --- | --- |']
    for t in data['targets']:
        worst = t.get('worst')
        met = t.get('met')
        lines.append('| {} | {} | {} | {} | {} |'.format(
            t.get('target', '?'), f'{t["goal"]:.2f}' if isinstance(t.get('goal'), (int, float)) else '?',
            f'{worst:.2f}' if isinstance(worst, (int, float)) else 'not measured',
            t.get('worst_at') or '-', 'yes' if met is True else '**no**' if met is False else '-'))
    return lines


def summary(data, drawn, image_dir):
    """Markdown of the run. image_dir: how the markdown reaches the PNGs
    (None: no image links)."""
    out = [f'Machine: {machine_line(data)}.', '',
           'ns/object: lower is better. Ratio: the baseline\'s ns / this pool\'s ns, measured in the same run '
           '(above 1x: faster than the baseline). Baseline: ring_mp_mc_c512, or rte_malloc for the malloc cases.',
           '']
    if data['targets']:
        out += ['### Targets (issue 10)', ''] + targets_table(data) + ['']
    figure_of = {c: name for name, cases in drawn.items() for c in cases}
    shown = set()
    for case in cases_of(data):
        out += [f'### {CASE_TITLES.get(case, case)}', '']
        name = figure_of.get(case)
        if image_dir is not None and name and name not in shown:
            out += [f'![{name}]({image_dir}{name}.png)', '']
            shown.add(name)
        out += case_table(data, case) + ['']
    return out


def repo_root(path):
    d = os.path.abspath(path)
    while d != os.path.dirname(d):
        if os.path.exists(os.path.join(d, '.git')):
            return d
        d = os.path.dirname(d)
    return None


def doc_section(doc):
    """DOC's text and where its generated section starts and ends."""
    with open(doc) as f:
        text = f.read()
    a, b = text.find(BEGIN), text.find(END)
    if a < 0 or b < a:
        raise ValueError(f'{doc}: no "{BEGIN}" ... "{END}" section to replace')
    return text, a, b


def update_doc(doc, data, drawn, outdir):
    text, a, b = doc_section(doc)
    docdir = os.path.dirname(os.path.abspath(doc))
    root = repo_root(docdir)
    out = os.path.abspath(outdir)
    if root and os.path.commonpath([root, out]) == root:
        image_dir = os.path.relpath(out, docdir) + '/'
        lines = summary(data, drawn, image_dir)
    else:
        lines = summary(data, drawn, None)
        lines.insert(0, f'(Plots of this run: `{out}/*.png`, outside the repository: not linked.)\n')
    body = '\n'.join(['', '<!-- generated by scripts/bench_plot.py from bench.json: do not edit by hand -->', '']
                     + lines) + '\n'
    with open(doc, 'w') as f:
        f.write(text[:a + len(BEGIN)] + body + text[b:])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('json', help='slubq-bench --json output')
    ap.add_argument('outdir', help='where the PNGs and summary.md go')
    ap.add_argument('--update-doc', metavar='DOC', help='replace DOC\'s bench:begin/end section')
    a = ap.parse_args()
    try:
        data = load(a.json)
    except (OSError, ValueError) as e:
        print(f'bench_plot: {e}', file=sys.stderr)
        return 1
    if not data['results']:
        print(f'bench_plot: {a.json}: no results to draw', file=sys.stderr)
        return 1
    if a.update_doc:  # fail before drawing anything
        try:
            doc_section(a.update_doc)
        except (OSError, ValueError) as e:
            print(f'bench_plot: {e}', file=sys.stderr)
            return 1
    os.makedirs(a.outdir, exist_ok=True)
    drawn = draw_all(data, a.outdir)
    with open(os.path.join(a.outdir, 'summary.md'), 'w') as f:
        f.write('\n'.join(['# slubq-bench results', ''] + summary(data, drawn, '')) + '\n')
    print(f'bench_plot: {", ".join(n + ".png" for n in drawn)} and summary.md in {a.outdir}')
    if a.update_doc:
        try:
            update_doc(a.update_doc, data, drawn, a.outdir)
        except (OSError, ValueError) as e:
            print(f'bench_plot: {e}', file=sys.stderr)
            return 1
        print(f'bench_plot: updated {a.update_doc}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
