#!/usr/bin/env bash
# The Python package as a user gets it: maturin builds the wheel around the shared static build
# (same target and flags, so cargo compiles nothing and the wheel carries that very binary); a
# new virtualenv, with no Rust toolchain on PATH, installs the wheel and PyPI packages only;
# there the suite in python/tests runs with the official Genesys SDK (PureCloudPlatformClientV2)
# through the pytest plugin, serially and under `pytest -n 2` (one server per worker); a suite
# whose client breaks an error-level rule fails through `--genesys-report`; and docs/ci.md's
# testcontainers-python recipe runs against the image in the real engine.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
fail() { echo "32-python: $*" >&2; exit 1; }
work="$CI_CACHE/python"
rm -rf "$work" && mkdir -p "$work/wheels" "$work/home"
export PIP_CACHE_DIR="$CI_CACHE/pip"

echo "-- the wheel (maturin, bindings = bin) around the shared static build"
pip_install 'maturin>=1.5,<2'
bin="$(static_binary)"
t0=$(now_ms)
(cd python && static_env "$CI_VENV/bin/maturin" build --release --locked --target "$STATIC_TARGET" \
  --out "$work/wheels" 2>"$work/maturin.log") || { cat "$work/maturin.log" >&2; fail "maturin build failed"; }
grep -q 'Compiling' "$work/maturin.log" && { cat "$work/maturin.log" >&2; fail "maturin compiled again instead of reusing the static build"; }
wheel=$(ls "$work"/wheels/genesys_scim_mock-*.whl)
echo "   $(basename "$wheel"): $(stat -c %s "$wheel") bytes in $(( $(now_ms) - t0 )) ms"
"$CI_VENV/bin/python" - "$wheel" "$bin" <<'PY' || fail "the wheel does not carry the static binary"
import sys, zipfile
wheel, binary = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist() if n.endswith(".data/scripts/genesys-scim-mock")]
    assert len(names) == 1, z.namelist()
    assert z.read(names[0]) == open(binary, "rb").read(), "not byte for byte the static build"
    assert "genesys_scim_mock/pytest_plugin.py" in z.namelist()
PY
readelf -l "$bin" | grep -q 'Requesting program interpreter' && fail "the binary in the wheel is dynamically linked"

echo "-- a new virtualenv with no cargo on PATH: the wheel and PyPI packages only"
python="$(python3 -c 'import sys; print(sys.executable)')"
venv="$work/venv"
"$python" -m venv "$venv"
clean_path="$venv/bin:/usr/local/bin:/usr/bin:/bin"
PATH="$clean_path" command -v cargo >/dev/null && fail "cargo is on the clean PATH"
t0=$(now_ms)
"$venv/bin/pip" install -q --disable-pip-version-check "$wheel[testcontainers]" pytest pytest-xdist \
  PureCloudPlatformClientV2 requests
echo "   installed in $(( $(now_ms) - t0 )) ms"
recipe_files shared-script "$work" >/dev/null
# run_pytest ARGS...: pytest in the new virtualenv, in a directory outside the checkout, with
# nothing but the clean PATH and a fresh HOME.
run_pytest() {
  (cd "$work" && env -i HOME="$work/home" PATH="$clean_path" LANG=C.UTF-8 \
    GSM_SHARED_SCRIPT="$work/run-scim-tests.sh" GSM_WORKER_URLS="${GSM_WORKER_URLS:-}" \
    "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@")
}

echo "-- python/tests with the Genesys SDK, serially"
t0=$(now_ms)
run_pytest "$ROOT/python/tests" || fail "the pytest suite failed"
echo "   $(( $(now_ms) - t0 )) ms"

echo "-- the same under pytest -n 2: one server per worker"
mkdir -p "$work/workers"
t0=$(now_ms)
GSM_WORKER_URLS="$work/workers" run_pytest -n 2 "$ROOT/python/tests" || fail "the suite failed under -n 2"
echo "   $(( $(now_ms) - t0 )) ms"
[ "$(ls "$work/workers")" = "$(printf 'gw0\ngw1')" ] || fail "expected workers gw0 and gw1, got: $(ls "$work/workers")"
[ "$(cat "$work/workers/gw0")" != "$(cat "$work/workers/gw1")" ] || fail "the two workers shared one server"

echo "-- --genesys-report fails a passing session whose client broke an error-level rule"
for n in 1 2; do
  args=(); [ "$n" = 2 ] && args=(-n 2)
  set +e
  run_pytest "${args[@]}" --genesys-report "$work/report-$n/client.xml" "$ROOT/.ci/python/test_sloppy_client.py" \
    >"$work/sloppy-$n.log" 2>&1
  code=$?
  set -e
  [ "$code" = 1 ] || { cat "$work/sloppy-$n.log" >&2; fail "--genesys-report: exit $code, expected 1 (workers: $n)"; }
  grep -q '1 passed' "$work/sloppy-$n.log" || { cat "$work/sloppy-$n.log" >&2; fail "the sloppy test itself should pass"; }
  grep -q '^error group-create-or-delete: 1 finding' "$work/sloppy-$n.log" \
    || { cat "$work/sloppy-$n.log" >&2; fail "the failing rule is not named"; }
  ls "$work/report-$n"/client*.xml >/dev/null 2>&1 || fail "no JUnit report was written"
  grep -q '<failure' "$work/report-$n"/client*.xml || fail "the JUnit report has no failure"
done
echo "   exit 1 naming group-create-or-delete, serially and under -n 2; JUnit written"

echo "-- docs/ci.md's testcontainers-python recipe, in the new virtualenv"
apt_install docker.io containerd runc iptables
docker_engine
runtime_image
GSM_PYTHON="$venv/bin/python" bash .ci/recipes.sh testcontainers-python "$work/testcontainers"
