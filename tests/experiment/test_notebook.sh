#!/usr/bin/env bash
# The notebook: stripped in git, and it runs headless (jupyter nbconvert
# --execute) on a fresh short simulator run, drawing every plot without error.
# Env: XENMM_BUILD, XENMM_SRC (set by CTest).
set -euo pipefail
src=${XENMM_SRC:?} build=${XENMM_BUILD:?}
nb=$src/notebook/xenmm-runs.ipynb
tmp=$(mktemp -d /tmp/xenmm-nb-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 "$src/notebook/strip.py" --check "$nb"
if ! command -v jupyter-nbconvert > /dev/null; then
  echo "FAIL: jupyter-nbconvert missing (script/setup.sh installs it)"; exit 1
fi
"$src/tools/experiment/xenmm-experiment" run -q -o "$tmp/run" \
  --mmserver "$build/server/mmserver" "$src/experiments/sim-tax-vs-none.toml"
XENMM_RUN=$tmp/run XENMM_SRC=$src PYDEVD_DISABLE_FILE_VALIDATION=1 \
  jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=120 \
  --output "$tmp/executed.ipynb" "$nb" 2> "$tmp/nbconvert.err" ||
  { cat "$tmp/nbconvert.err"; echo "FAIL: the notebook did not execute"; exit 1; }
/usr/bin/python3 - "$tmp/executed.ipynb" "$tmp/run" <<'PY'
import sys, nbformat
nb = nbformat.read(sys.argv[1], as_version=4)
outs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
errors = [o for o in outs if o.output_type == "error"]
images = [o for o in outs if "image/png" in o.get("data", {})]
text = "".join(o.get("text", "") for o in outs)
assert not errors, errors
assert len(images) >= 5, f"only {len(images)} plots"
assert f"run: {sys.argv[2]}" in text, "did not read the run it was given"
assert "shortfall_mib_s" in text and "0.000 better" in text, "no on/off ratio"
assert "vm4: off" in text, "no 2013 on/off comparison"
print(f"PASS: notebook executed: {len(images)} plots, {len(nb.cells)} cells")
PY
