#!/usr/bin/env python3
"""Generates the dependency-scanning benchmark corpus.

    gen_monorepo.py OUT_DIR [--lockfiles 1000] [--advisories 200000] [--seed 1]

Writes OUT_DIR/advisories.zip (synthetic OSV records, one JSON file per
record as in OSV's published ecosystem archives) and OUT_DIR/repo/ (a
monorepo of lockfiles in mixed formats, about 50 packages each). Package
names are drawn from the same pool as the advisories so that lookups hit
the index the way they do on real code. Deterministic for a given seed.
"""

import argparse
import json
import os
import random
import zipfile

ECOSYSTEMS = ["npm", "PyPI", "crates.io", "Go", "Maven"]


def package_name(ecosystem, i):
    if ecosystem == "npm":
        return f"@scope{i % 97}/pkg-{i}" if i % 5 == 0 else f"pkg-{i}"
    if ecosystem == "PyPI":
        return f"py-pkg-{i}"
    if ecosystem == "crates.io":
        return f"crate_{i}"
    if ecosystem == "Go":
        return f"github.com/org{i % 211}/mod{i}"
    return f"org.example.g{i % 131}:artifact-{i}"


def version(rng):
    return f"{rng.randint(0, 5)}.{rng.randint(0, 20)}.{rng.randint(0, 30)}"


def advisory(rng, n, ecosystem, name):
    lo = [rng.randint(0, 3), rng.randint(0, 20), 0]
    hi = [lo[0] + rng.randint(0, 2), rng.randint(0, 20), rng.randint(1, 30)]
    events = [{"introduced": "0" if n % 3 == 0 else ".".join(map(str, lo))},
              {"fixed": ".".join(map(str, hi))}]
    record = {
        "schema_version": "1.6.0",
        "id": f"SYN-{ecosystem.replace('.', '').upper()}-{n:07d}",
        "modified": f"2026-{1 + n % 11:02d}-{1 + n % 27:02d}T00:00:00Z",
        "published": "2025-01-01T00:00:00Z",
        "aliases": [f"CVE-2026-{n:07d}"],
        "summary": f"Synthetic advisory {n} for {name}",
        "details": "Generated for benchmarking; not a real vulnerability.",
        "affected": [{
            "package": {"ecosystem": ecosystem, "name": name},
            "ranges": [{"type": "SEMVER" if ecosystem in ("npm", "crates.io", "Go") else "ECOSYSTEM",
                        "events": events}],
        }],
        "references": [{"type": "WEB", "url": f"https://example.invalid/adv/{n}"}],
    }
    if n % 2 == 0:
        record["severity"] = [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]
    return record


def write_lockfile(rng, directory, kind, names):
    os.makedirs(directory, exist_ok=True)
    if kind == "npm":
        packages = {"": {"name": "app", "version": "1.0.0"}}
        for name in names:
            packages[f"node_modules/{name}"] = {"version": version(rng), "resolved": "https://example.invalid/x.tgz",
                                                "integrity": "sha512-AAAA"}
        doc = {"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": packages}
        with open(os.path.join(directory, "package-lock.json"), "w") as f:
            json.dump(doc, f, indent=2)
    elif kind == "PyPI":
        with open(os.path.join(directory, "requirements.txt"), "w") as f:
            for name in names:
                f.write(f"{name}=={version(rng)}\n")
    elif kind == "crates.io":
        with open(os.path.join(directory, "Cargo.lock"), "w") as f:
            f.write("version = 3\n\n")
            for name in names:
                f.write(f'[[package]]\nname = "{name}"\nversion = "{version(rng)}"\n'
                        'source = "registry+https://github.com/rust-lang/crates.io-index"\n\n')
    elif kind == "Go":
        with open(os.path.join(directory, "go.mod"), "w") as f:
            f.write("module example.invalid/app\n\ngo 1.22\n\nrequire (\n")
            for name in names:
                # Majors above 1 need a /vN module path suffix; keep to 0 and 1.
                f.write(f"\t{name} v{rng.randint(0, 1)}.{rng.randint(0, 20)}.{rng.randint(0, 30)}\n")
            f.write(")\n")
    else:
        with open(os.path.join(directory, "gradle.lockfile"), "w") as f:
            f.write("# Gradle lockfile\n")
            for name in names:
                f.write(f"{name}:{version(rng)}=compileClasspath,runtimeClasspath\n")
            f.write("empty=\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--lockfiles", type=int, default=1000)
    parser.add_argument("--advisories", type=int, default=200_000)
    parser.add_argument("--packages-per-lockfile", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)

    # About two advisories per package name, as in real databases.
    pool_size = max(1, args.advisories // 2)
    with zipfile.ZipFile(os.path.join(args.out, "advisories.zip"), "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(args.advisories):
            ecosystem = ECOSYSTEMS[n % len(ECOSYSTEMS)]
            name = package_name(ecosystem, rng.randrange(pool_size))
            record = advisory(rng, n, ecosystem, name)
            archive.writestr(f"{record['id']}.json", json.dumps(record))

    entries = 0
    for i in range(args.lockfiles):
        ecosystem = ECOSYSTEMS[i % len(ECOSYSTEMS)]
        names = sorted({package_name(ecosystem, rng.randrange(pool_size))
                        for _ in range(args.packages_per_lockfile)})
        entries += len(names)
        write_lockfile(rng, os.path.join(args.out, "repo", f"service-{i:04d}"), ecosystem, names)
    print(f"wrote {args.advisories} advisories and {args.lockfiles} lockfiles with {entries} package entries to {args.out}")


if __name__ == "__main__":
    main()
