#!/usr/bin/env python3
"""Generates the secret-scanning benchmark inputs from source text on this machine.

    gen_secret_tree.py tree OUT_DIR [--size-mb 500] [--secrets 300] [--seed 1] [--source DIR]...
    gen_secret_tree.py history OUT_DIR [--commits 5000] [--secrets 200] [--seed 1] [--source DIR]...

`tree` writes OUT_DIR/tree/ (real source files copied, and repeated as
copy-NN/ until the size is reached) with planted secrets, and
OUT_DIR/planted.jsonl (one line per planted value: path relative to the
tree, first and last line, kind, value). `history` writes OUT_DIR/history.fi,
a `git fast-import` stream of a repository with that many commits in which
each planted secret is added in one commit and removed a few commits later
(so only a history scan can find it), and OUT_DIR/planted-history.jsonl.

The text is whatever source is installed here (the Cargo registry, Python's
standard library, /usr/include, /usr/share), so the corpus is the same for a
given machine and seed but differs between machines; the summary line says
how much source the pool held. Planted values are random with the seed and
in the providers' real formats: AWS key id + secret, GitHub ghp_ tokens with
a valid CRC32 checksum, Slack xoxb-, Stripe sk_live_, PEM private keys,
postgres:// URLs with a password, and high-entropy `password = "..."`.
"""

import argparse
import glob
import json
import os
import random
import string
import sys
import zlib

DEFAULT_SOURCES = [
    "~/.cargo/registry/src",
    "/usr/lib/python3",
    "/usr/lib/python3.*",
    "/usr/include",
    "/usr/share",
]
SOURCE_EXTENSIONS = {
    "rs", "py", "js", "mjs", "ts", "go", "c", "h", "cc", "cpp", "hpp", "java",
    "rb", "pl", "pm", "sh", "php", "lua", "el", "toml", "yml", "yaml", "ini",
    "cfg", "md", "rst", "txt", "html", "css", "xml", "json",
}
# Planted lines go only where an assignment is plausible; JSON and markup are
# left as they are.
PLANT_EXTENSIONS = {"rs", "py", "js", "mjs", "ts", "go", "rb", "java", "php", "sh", "toml", "yml", "yaml", "ini", "cfg"}
# Files some scanner skips by name or treats specially: leaving them out keeps
# every tool reading the same bytes.
SKIP_NAMES = {
    "Cargo.lock", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock", "Pipfile.lock",
    "composer.lock", "Gemfile.lock", "go.sum", "uv.lock", "bun.lock",
}
# Directories rampart's walk skips as vendored or built (rampart-deps
# SKIPPED_DIRECTORIES) and a few more: the peers would scan them.
SKIP_DIRS = {".git", "node_modules", "bower_components", "vendor", "target", "__pycache__", "venv",
             "site-packages", "third_party", "dist", "build"}
MAX_FILE = 512 * 1024

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
ALNUM = string.ascii_letters + string.digits
BASE64 = ALNUM + "+/"
AWS_ID = string.ascii_uppercase + "234567"
PASSWORD_CHARS = ALNUM + "!*+-_.^~@"


def source_pool(roots):
    """Sorted (root label, absolute path, path below the root) of the source files under roots."""
    seen, pool = set(), []
    for pattern in roots:
        for root in sorted(glob.glob(os.path.expanduser(pattern))):
            root = os.path.realpath(root)
            if root in seen or not os.path.isdir(root):
                continue
            seen.add(root)
            # No dots in the label: a hidden directory (`.cargo`) would be
            # skipped by scanners that ignore hidden paths.
            label = "-".join(part.lstrip(".").replace(".", "_") for part in root.strip("/").split("/"))
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
                for name in sorted(filenames):
                    if name.startswith(".") or name in SKIP_NAMES or name.endswith(".min.js"):
                        continue
                    if name.rsplit(".", 1)[-1].lower() not in SOURCE_EXTENSIONS or "." not in name:
                        continue
                    path = os.path.join(dirpath, name)
                    if os.path.islink(path) or not os.path.isfile(path):
                        continue
                    size = os.path.getsize(path)
                    if 0 < size <= MAX_FILE:
                        pool.append((label, path, os.path.relpath(path, root)))
    return pool


def is_text(data):
    if b"\0" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def rand(rng, alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def github_token(rng, prefix="ghp_"):
    body = rand(rng, ALNUM, 30)
    n = zlib.crc32(body.encode())
    check = ""
    for _ in range(6):
        check = BASE62[n % 62] + check
        n //= 62
    return prefix + body + check


def pem_block(rng):
    kind = rng.choice(["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY"])
    head = {"RSA PRIVATE KEY": "MIIEpAIBAAKCAQEA", "PRIVATE KEY": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
            "EC PRIVATE KEY": "MHcCAQEEI", "OPENSSH PRIVATE KEY": "b3BlbnNzaC1rZXktdjEAAAAA"}[kind]
    lines = 4 if kind == "EC PRIVATE KEY" else 25
    body = head + rand(rng, BASE64, 64 * lines - len(head) - 20) + "=="
    rows = [body[i:i + 64] for i in range(0, len(body), 64)]
    return kind, [f"-----BEGIN {kind}-----", *rows, f"-----END {kind}-----"]


def assignment(ext, name, value):
    """One line assigning a string in the file's language."""
    if ext == "py":
        return f'{name.upper()} = "{value}"'
    if ext in ("js", "mjs", "ts"):
        return f'const {name} = "{value}";'
    if ext == "rs":
        return f'let {name} = "{value}";'
    if ext == "go":
        return f'{name} := "{value}"'
    if ext == "java":
        return f'String {name} = "{value}";'
    if ext == "php":
        return f"${name} = '{value}';"
    if ext in ("yml", "yaml"):
        return f'{name}: "{value}"'
    if ext in ("sh", "env"):
        return f"export {name.upper()}={value}"
    return f'{name} = "{value}"'


KINDS = ["aws", "github", "slack", "stripe", "pem", "postgres", "password"]


def planted_lines(rng, kind, ext):
    """Lines to insert and the planted values: (kind, value, first, last) with 0-based offsets."""
    if kind == "aws":
        key_id, secret = "AKIA" + rand(rng, AWS_ID, 16), rand(rng, BASE64, 40)
        lines = [assignment(ext, "aws_access_key_id", key_id), assignment(ext, "aws_secret_access_key", secret)]
        return lines, [("aws-access-key-id", key_id, 0, 0), ("aws-secret-access-key", secret, 1, 1)]
    if kind == "github":
        token = github_token(rng)
        return [assignment(ext, "github_token", token)], [("github-pat", token, 0, 0)]
    if kind == "slack":
        token = f"xoxb-{rand(rng, string.digits, 12)}-{rand(rng, string.digits, 13)}-{rand(rng, ALNUM, 24)}"
        return [assignment(ext, "slack_bot_token", token)], [("slack-bot-token", token, 0, 0)]
    if kind == "stripe":
        key = "sk_live_" + rand(rng, ALNUM, rng.choice([24, 99]))
        return [assignment(ext, "stripe_api_key", key)], [("stripe-live-key", key, 0, 0)]
    if kind == "pem":
        _, block = pem_block(rng)
        if ext == "py":
            lines = ['PRIVATE_KEY = """' + block[0], *block[1:], '"""']
        elif ext in ("js", "mjs", "ts"):
            lines = ["const privateKey = `" + block[0], *block[1:], "`;"]
        elif ext == "rs":
            lines = ['const PRIVATE_KEY: &str = r#"' + block[0], *block[1:], '"#;']
        elif ext in ("yml", "yaml"):
            lines = ["private_key: |", *("  " + row for row in block)]
            return lines, [("private-key", block[1], 1, len(lines) - 1)]
        else:
            lines = block
        return lines, [("private-key", block[1], 0, len(block) - 1)]
    if kind == "postgres":
        user = rng.choice(["app", "svc_orders", "reporting", "billing_rw", "etl"])
        password = rand(rng, ALNUM + "_-.!*", 18)
        url = f"postgres://{user}:{password}@db-{rng.randint(1, 40)}.internal:5432/{rng.choice(['app', 'orders', 'prod'])}"
        return [assignment(ext, "database_url", url)], [("postgres-url", password, 0, 0)]
    password = rand(rng, PASSWORD_CHARS, rng.randint(14, 24))
    return [assignment(ext, "db_password", password)], [("password", password, 0, 0)]


def new_config_file(rng, index, kind):
    """A small config file of its own holding one planted secret: (relative path, text, values)."""
    ext = rng.choice(["env", "yml", "py", "toml"]) if kind != "pem" else "pem"
    if kind == "pem":
        _, block = pem_block(rng)
        return f"deploy/keys/service-{index:04d}.pem", block, [("private-key", block[1], 0, len(block) - 1)]
    filler = {
        "env": ["# generated by ops", "APP_ENV=production", f"PORT={rng.randint(3000, 9000)}", "LOG_LEVEL=info"],
        "yml": ["service:", "  name: api", f"  replicas: {rng.randint(1, 9)}", "settings:"],
        "py": ["import os", "", "DEBUG = False", f"TIMEOUT = {rng.randint(5, 60)}"],
        "toml": ["[service]", 'name = "api"', f"port = {rng.randint(3000, 9000)}", ""],
    }[ext]
    lines, values = planted_lines(rng, kind, "yml" if ext == "yml" else ext)
    if ext == "yml":
        lines = ["  " + line for line in lines]
    offset = len(filler)
    text = [*filler, *lines, "", "# end"]
    values = [(k, v, a + offset, b + offset) for k, v, a, b in values]
    return f"config/{kind}-{index:04d}/settings.{ext}", text, values


def build_tree(args):
    rng = random.Random(args.seed)
    pool = source_pool(args.source or DEFAULT_SOURCES)
    if not pool:
        sys.exit("gen_secret_tree.py: no source files found; pass --source DIR")
    # Shuffled so that a small tree mixes languages as a large one does.
    rng.shuffle(pool)
    target = int(args.size_mb * 1_000_000)
    tree = os.path.join(args.out, "tree")
    if os.path.exists(tree):
        sys.exit(f"gen_secret_tree.py: {tree} exists; remove it first")
    written, total, copy, pool_bytes = [], 0, 0, 0
    while total < target:
        for label, path, below in pool:
            if total >= target:
                break
            with open(path, "rb") as f:
                data = f.read()
            if not is_text(data):
                continue
            if copy == 0:
                pool_bytes += len(data)
            rel = os.path.join(f"copy-{copy:02d}", label, below)
            dest = os.path.join(tree, rel)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "wb") as f:
                f.write(data)
            written.append(rel)
            total += len(data)
        copy += 1

    # A third of the secrets go into config files of their own, the rest into
    # existing source files (one insertion per file, so offsets stay exact).
    kinds = [KINDS[i % len(KINDS)] for i in range(args.secrets)]
    rng.shuffle(kinds)
    standalone = args.secrets // 3
    candidates = [p for p in written if p.rsplit(".", 1)[-1] in PLANT_EXTENSIONS]
    targets = rng.sample(candidates, args.secrets - standalone)
    planted = []
    for kind, rel in zip(kinds[standalone:], targets):
        path = os.path.join(tree, rel)
        ext = rel.rsplit(".", 1)[-1]
        with open(path, "rb") as f:
            lines = f.read().split(b"\n")
        at = rng.randint(0, max(0, len(lines) - 1))
        new, values = planted_lines(rng, kind, ext)
        lines[at:at] = [line.encode() for line in new]
        with open(path, "wb") as f:
            f.write(b"\n".join(lines))
        total += sum(len(line) + 1 for line in new)
        planted += [dict(path=rel, first=at + a + 1, last=at + b + 1, kind=k, value=v) for k, v, a, b in values]
    for i, kind in enumerate(kinds[:standalone]):
        rel, text, values = new_config_file(rng, i, kind)
        rel = os.path.join("copy-00", rel)
        os.makedirs(os.path.join(tree, os.path.dirname(rel)), exist_ok=True)
        data = ("\n".join(text) + "\n").encode()
        with open(os.path.join(tree, rel), "wb") as f:
            f.write(data)
        total += len(data)
        planted += [dict(path=rel, first=a + 1, last=b + 1, kind=k, value=v) for k, v, a, b in values]
    with open(os.path.join(args.out, "planted.jsonl"), "w") as f:
        for item in planted:
            f.write(json.dumps(item) + "\n")
    print(f"tree: {total / 1e6:.1f} MB in {len(written) + standalone} files ({copy} pass(es) over a pool of "
          f"{pool_bytes / 1e6:.1f} MB of source), {len(planted)} planted values in {args.secrets} places, seed {args.seed}")


def fast_import_data(data):
    return b"data %d\n" % len(data) + data + b"\n"


def build_history(args):
    """Writes a fast-import stream: an initial import, then commits that edit,
    add and delete files, and secrets that are added and later removed."""
    rng = random.Random(args.seed)
    pool = [p for p in source_pool(args.source or DEFAULT_SOURCES)]
    if not pool:
        sys.exit("gen_secret_tree.py: no source files found; pass --source DIR")
    texts = {}

    def text(i):
        if i not in texts:
            with open(pool[i][1], "rb") as f:
                data = f.read()
            texts[i] = data if is_text(data) else b""
        return texts[i]

    files = {}  # path in the repository -> current content
    out = open(os.path.join(args.out, "history.fi"), "wb")
    when = 1_600_000_000
    planted, pending = [], []  # pending: (commit number that removes it, path, content without the secret)
    plant_every = max(2, args.commits // max(1, args.secrets))
    mark = 0

    def commit(changes, message):
        nonlocal mark, when
        mark += 1
        when += rng.randint(60, 20_000)
        out.write(b"commit refs/heads/main\nmark :%d\n" % mark)
        for who in (b"author", b"committer"):
            out.write(b"%s Bench Dev <dev@example.invalid> %d +0000\n" % (who, when))
        out.write(fast_import_data(message.encode()))
        if mark > 1:
            out.write(b"from :%d\n" % (mark - 1))
        for path, data in changes:
            if data is None:
                out.write(b"D %s\n" % path.encode())
            else:
                out.write(b"M 100644 inline %s\n" % path.encode())
                out.write(fast_import_data(data))
        out.write(b"\n")

    def pool_path(i):
        label, _, below = pool[i]
        return f"{label}/{below}"

    order = list(range(len(pool)))
    rng.shuffle(order)
    cursor = 0
    initial = []
    while len(initial) < args.initial_files and cursor < len(order):
        i = order[cursor]
        cursor += 1
        if text(i):
            files[pool_path(i)] = text(i)
            initial.append((pool_path(i), text(i)))
    commit(initial, "Initial import")
    secret_index = 0
    for n in range(2, args.commits + 1):
        changes = []
        for _ in range(rng.randint(1, 4)):
            path = rng.choice(sorted(files)) if rng.random() < 0.85 or cursor >= len(order) else None
            if path is None or path.startswith("config/"):
                i = order[cursor % len(order)]
                cursor += 1
                if text(i) and pool_path(i) not in files:
                    files[pool_path(i)] = text(i)
                    changes.append((pool_path(i), text(i)))
                continue
            lines = files[path].split(b"\n")
            # Replace a run of lines with lines of another pool file: edits
            # of realistic size that keep every version a distinct blob.
            donor = text(order[rng.randrange(len(order))]).split(b"\n")
            at, cut = rng.randint(0, len(lines)), rng.randint(0, 20)
            take = rng.randint(1, 30)
            start = rng.randint(0, max(0, len(donor) - take))
            lines[at:at + cut] = donor[start:start + take]
            files[path] = b"\n".join(lines)
            changes.append((path, files[path]))
        if rng.random() < 0.02 and len(files) > args.initial_files // 2:
            victim = rng.choice(sorted(p for p in files if not p.startswith("config/")))
            del files[victim]
            changes.append((victim, None))
        if n % plant_every == 0 and secret_index < args.secrets:
            kind = KINDS[secret_index % len(KINDS)]
            rel, lines, values = new_config_file(rng, secret_index, kind)
            data = ("\n".join(lines) + "\n").encode()
            files[rel] = data
            changes.append((rel, data))
            if kind == "pem":
                cleaned = None
            else:
                first, last = min(v[2] for v in values), max(v[3] for v in values)
                kept = lines[:first] + ["# moved to the secret store"] + lines[last + 1:]
                cleaned = ("\n".join(kept) + "\n").encode()
            pending.append((n + rng.randint(1, 3 * plant_every), rel, cleaned))
            planted += [dict(path=rel, first=a + 1, last=b + 1, kind=k, value=v, commit=n) for k, v, a, b in values]
            secret_index += 1
        for item in [p for p in pending if p[0] <= n]:
            pending.remove(item)
            _, rel, cleaned = item
            if cleaned is None:
                del files[rel]
            else:
                files[rel] = cleaned
            changes.append((rel, cleaned))
        commit(changes, f"Change {n}")
    for _, rel, cleaned in pending:
        if cleaned is None:
            del files[rel]
        else:
            files[rel] = cleaned
    if pending:
        commit([(rel, cleaned) for _, rel, cleaned in pending], "Remove leftover credentials")
    out.close()
    with open(os.path.join(args.out, "planted-history.jsonl"), "w") as f:
        for item in planted:
            f.write(json.dumps(item) + "\n")
    print(f"history: {mark} commits, {len(files)} files at HEAD, {len(planted)} planted values "
          f"(each removed again before HEAD), seed {args.seed}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    tree = sub.add_parser("tree")
    tree.add_argument("out")
    tree.add_argument("--size-mb", type=float, default=500)
    tree.add_argument("--secrets", type=int, default=300)
    history = sub.add_parser("history")
    history.add_argument("out")
    history.add_argument("--commits", type=int, default=5000)
    history.add_argument("--initial-files", type=int, default=2000)
    history.add_argument("--secrets", type=int, default=200)
    for p in (tree, history):
        p.add_argument("--seed", type=int, default=1)
        p.add_argument("--source", action="append", help="source root or glob (repeatable; default: "
                       + ", ".join(DEFAULT_SOURCES) + ")")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    (build_tree if args.command == "tree" else build_history)(args)


if __name__ == "__main__":
    main()
