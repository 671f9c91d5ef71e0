#!/usr/bin/env bash
# Validates threat model files against Rampart's published JSON Schema with
# an independent validator (Python jsonschema, draft 2020-12), and checks the
# schema itself against its meta-schema. Catches a schema that our own parser
# and the schema disagree on (a field the parser accepts but the schema
# forbids, or the reverse).
#
#   scripts/validate-threat-schema.sh SCHEMA MODEL.yaml...
#
# jsonschema and PyYAML come from PyPI into a throw-away virtualenv (or into
# $RAMPART_SCHEMA_VENV when set, reused across runs).
set -euo pipefail

if [ "$#" -lt 2 ]; then
    echo "usage: $0 SCHEMA MODEL.yaml..." >&2
    exit 2
fi

JSONSCHEMA_VERSION=4.26.0
PYYAML_VERSION=6.0.3

venv="${RAMPART_SCHEMA_VENV:-}"
if [ -z "$venv" ]; then
    venv="$(mktemp -d)/venv"
    trap 'rm -rf "$(dirname "$venv")"' EXIT
fi
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import jsonschema, yaml' 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
        "jsonschema==$JSONSCHEMA_VERSION" "PyYAML==$PYYAML_VERSION"
fi

"$venv/bin/python" - "$@" <<'PY'
import datetime
import json
import sys

import yaml
from jsonschema import Draft202012Validator


def plain(value):
    # PyYAML reads YAML 1.1 timestamps (expires: 2027-06-30) as dates; the
    # model format, and so the schema, treats them as strings.
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


with open(sys.argv[1], encoding="utf-8") as fh:
    schema = json.load(fh)
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema)
failed = 0
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as fh:
        document = plain(yaml.safe_load(fh))
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    for error in errors:
        where = "/".join(str(p) for p in error.path)
        print(f"{path}: /{where}: {error.message}", file=sys.stderr)
    if errors:
        failed += 1
    else:
        print(f"{path}: valid against {sys.argv[1]}")
sys.exit(1 if failed else 0)
PY
