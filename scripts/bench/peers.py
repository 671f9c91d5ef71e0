#!/usr/bin/env python3
"""Helpers for peers.sh (Rampart vs Trivy, package listing).

    peers.py stage FIXTURES_DIR OUT_DIR
        Copies every fixture named in FIXTURES_DIR/expected.json to
        OUT_DIR/<fixture path without extension>/<canonical_name>, because
        both tools find lockfiles by file name only.
    peers.py count LABEL RAMPART_CDX TRIVY_CDX RAMPART_JSON TRIVY_JSON [EXPECTED_JSON]
        Prints the CycloneDX library components of each tool, then packages
        per lockfile (per file name when there is no EXPECTED_JSON), from the
        tools' JSON reports: CycloneDX merges equal purls across files, so
        it cannot say which file a package came from.
"""

import collections
import json
import os
import shutil
import sys


def stage(src, out):
    expected = json.load(open(os.path.join(src, "expected.json")))
    for key, fixture in expected.items():
        folder = os.path.join(out, os.path.splitext(key)[0])
        os.makedirs(folder, exist_ok=True)
        shutil.copy(os.path.join(src, key), os.path.join(folder, fixture["canonical_name"]))
        # Copy the fixture's siblings too (pip/file-format-example.txt `-r`-includes other-file.txt);
        # they keep names neither tool treats as a lockfile.
        for sibling in os.listdir(os.path.dirname(os.path.join(src, key))):
            if os.path.dirname(key) + "/" + sibling not in expected:
                shutil.copy(os.path.join(src, os.path.dirname(key), sibling), folder)


def cdx_libraries(path):
    components = json.load(open(path)).get("components", [])
    return sum(1 for c in components if c.get("type") == "library")


def count(label, rampart_cdx, trivy_cdx, rampart_json, trivy_json, expected_json=None):
    expected = json.load(open(expected_json)) if expected_json else None

    def group(path):
        # Fixture tree: the original fixture name; corpus: the lockfile's file name.
        if expected is None:
            return os.path.basename(path)
        folder = os.path.dirname(path)
        return next((k for k in expected if os.path.splitext(k)[0] == folder), path)

    rampart, trivy = collections.Counter(), collections.Counter()
    for c in json.load(open(rampart_json))["components"]:
        rampart[group(c["location"]["path"])] += 1
    for result in json.load(open(trivy_json)).get("Results") or []:
        if result.get("Class") == "lang-pkgs":
            trivy[group(result["Target"])] += len(result.get("Packages") or [])
    groups = sorted(set(rampart) | set(trivy) | set(expected or {}))

    print(f"\n{label}: CycloneDX library components (equal purls merged): "
          f"rampart {cdx_libraries(rampart_cdx)}, trivy {cdx_libraries(trivy_cdx)}")
    head = f"  {'lockfile':<46}{'rampart':>8}{'trivy':>8}" + (f"{'expected':>10}" if expected else "")
    print(head)
    for g in groups + ["total"]:
        r = sum(rampart.values()) if g == "total" else rampart[g]
        t = sum(trivy.values()) if g == "total" else trivy[g]
        row = f"  {g:<46}{r:>8}{t:>8}"
        if expected:
            e = sum(len(v["packages"]) for v in expected.values()) if g == "total" else len(expected[g]["packages"])
            row += f"{e:>10}"
        if g != "total" and (r == 0) != (t == 0):
            row += "   <- only " + ("rampart" if t == 0 else "trivy")
        elif g != "total" and r != t:
            row += "   (differs)"
        print(row)


if __name__ == "__main__":
    if sys.argv[1] == "stage":
        stage(*sys.argv[2:4])
    elif sys.argv[1] == "count":
        count(*sys.argv[2:])
    else:
        sys.exit(__doc__)
