#!/usr/bin/env python3
"""Summarise a meson test run (meson-logs/testlog.json): one line per failed
or skipped case, then the plain line "N passed, N failed" that CI reads.

A gtest binary counts case by case (from its "[ OK ]" / "[ FAILED ]" /
"[ SKIPPED ]" lines); a binary that dies without reporting a failed case
counts one failure more. Any other test counts as one case."""
import json
import re
import sys

CASE = re.compile(r'^\[\s*(OK|FAILED|SKIPPED)\s*\] (.+) \(\d+ ms\)$')

def main(log_json):
    passed = failed = skipped = 0
    lines = []
    try:
        with open(log_json) as f:
            results = [json.loads(l) for l in f if l.strip()]
    except OSError:
        print("0 passed, 1 failed (no test log)")
        return 1
    for r in results:
        name = r.get('name', '?')
        res = r.get('result', 'FAIL')
        out = (r.get('stdout') or '') + '\n' + (r.get('stderr') or '')
        if '[==========] Running' in out:
            case_failed = 0
            for l in out.splitlines():
                m = CASE.match(l.strip())
                if not m:
                    continue
                kind, case = m.groups()
                if kind == 'OK':
                    passed += 1
                elif kind == 'FAILED':
                    failed += 1
                    case_failed += 1
                    lines.append(f"FAILED  {name}: {case}")
                else:
                    skipped += 1
                    lines.append(f"SKIPPED {name}: {case}")
            if res not in ('OK', 'SKIP', 'EXPECTEDFAIL') and case_failed == 0:
                failed += 1
                lines.append(f"FAILED  {name} ({res}, exit {r.get('returncode')})")
            continue
        if res in ('OK', 'EXPECTEDFAIL'):
            passed += 1
        elif res == 'SKIP':
            skipped += 1
            lines.append(f"SKIPPED {name}")
        else:
            failed += 1
            lines.append(f"FAILED  {name} ({res})")
    for l in lines:
        print(l)
    if skipped:
        print(f"{skipped} skipped")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0

if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
