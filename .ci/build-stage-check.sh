#!/usr/bin/env bash
# Rebuilds exactly the inputs of the Dockerfile's `build` stage in a temporary directory and
# runs `cargo check` there, in the stage's two steps: the dependency layer (manifest, lock
# file and stub sources only), then with every `COPY` of the stage. A source file that embeds
# something the stage does not copy (a new include_str!) fails here, not on a user's machine.
# Also checks every COPY source is let through by .dockerignore.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The project's own target directory: the dependencies' check artifacts from clippy are reused,
# and the copy (another package path) gets artifacts of its own.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The build stage: from `FROM ... AS build` to the next FROM.
stage="$(awk '/^FROM /{on = ($0 ~ / AS build$/)} on' "$ROOT/Dockerfile")"
[ -n "$stage" ] || { echo "Dockerfile has no 'AS build' stage" >&2; exit 1; }
copies="$(printf '%s\n' "$stage" | awk '$1 == "COPY" && $2 !~ /^--from/ {$1 = ""; print}')"
[ -n "$copies" ] || { echo "the build stage copies nothing" >&2; exit 1; }

allowed() { grep -qxF "!$1" "$ROOT/.dockerignore"; }
first=1
while read -r -a words; do
  dest="${words[-1]}"
  unset 'words[-1]'
  for src in "${words[@]}"; do
    allowed "$src" || { echo ".dockerignore does not let through $src (COPY $src)" >&2; exit 1; }
    case "$dest" in
      ./) cp -r "$ROOT/$src" "$work/" ;;
      *) mkdir -p "$work/$(dirname "$dest")"; cp -r "$ROOT/$src" "$work/$dest" ;;
    esac
  done
  if [ "$first" = 1 ]; then
    # The dependency layer, as the stage's first RUN makes it.
    mkdir -p "$work/src"
    echo 'fn main() {}' > "$work/src/main.rs"
    touch "$work/src/lib.rs"
    (cd "$work" && cargo check --locked --offline --quiet --bin genesys-scim-mock)
    rm -rf "$work/src"
    first=0
  fi
done <<< "$copies"
(cd "$work" && cargo check --locked --offline --quiet --bin genesys-scim-mock)
echo "build stage inputs: ok ($(printf '%s\n' "$copies" | wc -l) COPY lines)"
