#!/usr/bin/env bash
# Build the documentation site, docs/ -> docs/_build/html, strictly: any Sphinx
# warning (a docstring autodoc cannot parse, a page missing from the toctree,
# a broken link between pages) fails the build.
#
#     bash tools/build_docs.sh
#
# Installs the requirements of the `docs` extra of pyproject.toml into the
# active Python, then documents the ffnn that Python imports. ffnn itself is
# installed from this clone only when `import ffnn` fails, so an editable
# development install is left as it is.
set -euo pipefail
cd "$(dirname "$0")/.." || exit 1
PYTHON=${PYTHON:-python3}

if ! "$PYTHON" -c "import ffnn" 2>/dev/null; then
    "$PYTHON" -m pip install --quiet .
fi
"$PYTHON" -c "import tomllib" 2>/dev/null || "$PYTHON" -m pip install --quiet tomli

# The extra's requirements; "ffnn[x]" entries stand for extra x's own, since
# installing ffnn by name would fetch it from PyPI instead of this clone.
mapfile -t requirements < <("$PYTHON" - <<'PY'
import re
try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

with open("pyproject.toml", "rb") as f:
    extras = tomllib.load(f)["project"]["optional-dependencies"]

def expand(name, seen=()):
    for requirement in extras[name]:
        own = re.fullmatch(r"ffnn\[(.+)\]", requirement.replace(" ", ""))
        if not own:
            yield requirement
        for extra in own.group(1).split(",") if own else ():
            if extra not in seen:
                yield from expand(extra, (*seen, name))

print("\n".join(dict.fromkeys(expand("docs"))))
PY
)
"$PYTHON" -m pip install --quiet "${requirements[@]}"

rm -rf docs/_build/html
"$PYTHON" -m sphinx -W --keep-going -q -b html docs docs/_build/html
echo "documentation built in docs/_build/html (open index.html)"
