#!/usr/bin/env python3
"""Counts how many planted secrets a scanner's JSON report contains.

    secrets_recall.py FORMAT REPORT PLANTED_JSONL [--label TEXT] [--root DIR]

FORMAT is rampart, detect-secrets or trufflehog3. A planted value counts as
found when the report has a finding in the same file whose line lies within
the planted lines, or whose reported value is the planted one (trufflehog3
numbers lines inside a diff in history mode; detect-secrets reports a SHA-1
of the value). Prints one line: found/planted, per kind, and how many
findings were outside the planted lines (findings in the copied real source:
not necessarily false positives, but the noise a reader would triage).
"""

import argparse
import collections
import hashlib
import json
import os
import sys


def norm(path, root):
    if root and os.path.isabs(path):
        path = os.path.relpath(path, root)
    return os.path.normpath(path)


def rampart_findings(report, root):
    """(path, line, None) for every location of every secret finding of
    `rampart scan --secrets --format json` (one finding per distinct value,
    listing each place it occurs)."""
    out = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("kind") == "secret":
                places = node.get("locations") or [node.get("location") or {}]
                out.extend((norm(p["path"], root), p["line"], None) for p in places if "path" in p and "line" in p)
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(report)
    return out


def detect_secrets_findings(report, root):
    return [(norm(item["filename"], root), item["line_number"], ("sha1", item["hashed_secret"]))
            for items in report.get("results", {}).values() for item in items]


def trufflehog3_findings(report, root):
    return [(norm(item["path"], root), int(item["line"]), item.get("secret")) for item in report]


def value_matches(reported, planted):
    if not reported:
        return False
    if isinstance(reported, tuple):
        return reported[1] == hashlib.sha1(planted.encode()).hexdigest()
    # Rampart redacts (`AKIA…`); trufflehog3 may include surrounding text.
    reported = reported.rstrip("…")
    return len(reported) >= 8 and (reported in planted or planted in reported) and not reported.endswith("…")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("format", choices=["rampart", "detect-secrets", "trufflehog3"])
    parser.add_argument("report")
    parser.add_argument("planted")
    parser.add_argument("--label", default="")
    parser.add_argument("--root", default="")
    args = parser.parse_args()
    with open(args.report) as f:
        text = f.read()
    report = json.loads(text) if text.strip() else []
    findings = {"rampart": rampart_findings, "detect-secrets": detect_secrets_findings,
                "trufflehog3": trufflehog3_findings}[args.format](report, args.root)
    with open(args.planted) as f:
        planted = [json.loads(line) for line in f if line.strip()]

    by_path = collections.defaultdict(list)
    for path, line, value in findings:
        by_path[path].append((line, value))
    found, per_kind, total_kind, used = 0, collections.Counter(), collections.Counter(), set()
    for item in planted:
        total_kind[item["kind"]] += 1
        hits = [(line, value) for line, value in by_path.get(item["path"], [])
                if item["first"] <= line <= item["last"] or value_matches(value, item["value"])]
        if hits:
            found += 1
            per_kind[item["kind"]] += 1
            used.update((item["path"], line) for line, _ in hits)
    outside = sum(1 for path, line, _ in findings if (path, line) not in used)
    kinds = ", ".join(f"{kind} {per_kind[kind]}/{total_kind[kind]}" for kind in sorted(total_kind))
    print(f"{args.label}planted found {found}/{len(planted)} ({kinds}); "
          f"{len(findings)} findings, {outside} outside planted lines")


if __name__ == "__main__":
    sys.exit(main())
