#!/usr/bin/env bash
# Keeps the Helm chart's CRDs byte-identical to the generated ones at the repository root.
#
#   scripts/sync-crds.sh           copy crds/*.yml into helm/modelship/crds/ (and remove CRD files
#                                  there that no longer exist at the root)
#   scripts/sync-crds.sh --check   change nothing; exit 1 and name the files if they differ
#
# crds/ at the root is written by the operator build; helm/modelship/crds/ is what `helm install`
# applies. Run this after regenerating the CRDs and commit both.
set -euo pipefail
cd "$(dirname "$0")/.."

SRC=crds
DST=helm/modelship/crds
check=false
case "${1:-}" in
  "") ;;
  --check) check=true ;;
  -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
  *) echo "sync-crds.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac

shopt -s nullglob
src_files=("$SRC"/*.yml)
dst_files=("$DST"/*.yml "$DST"/*.yaml "$DST"/*.json)
shopt -u nullglob

if [ ${#src_files[@]} -eq 0 ]; then
  echo "sync-crds.sh: no CRDs in $SRC/ yet (the operator build generates them); nothing to sync" >&2
fi

problems=0
for f in "${src_files[@]}"; do
  target="$DST/$(basename "$f")"
  if ! cmp -s "$f" "$target"; then
    if $check; then
      echo "sync-crds.sh: $target differs from $f (or is missing)" >&2
      problems=$((problems + 1))
    else
      mkdir -p "$DST"
      cp "$f" "$target"
      echo "sync-crds.sh: copied $f -> $target" >&2
    fi
  fi
done
for f in "${dst_files[@]}"; do
  if [ ! -f "$SRC/$(basename "$f")" ]; then
    if $check; then
      echo "sync-crds.sh: $f has no counterpart in $SRC/" >&2
      problems=$((problems + 1))
    else
      rm -f "$f"
      echo "sync-crds.sh: removed $f (not in $SRC/)" >&2
    fi
  fi
done

if $check; then
  if [ $problems -gt 0 ]; then
    echo "sync-crds.sh: the chart's CRDs are stale; run scripts/sync-crds.sh and commit the result" >&2
    exit 1
  fi
  echo "sync-crds.sh: the chart's CRDs match $SRC/" >&2
fi
