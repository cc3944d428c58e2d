#!/usr/bin/env bash
# Make a training mix of several data sets by linking their clips into one FOMM-layout folder:
#   scripts/link_data_mix.sh OUT SET1 [SET2 ...]
# OUT/train and OUT/test get a symbolic link per clip of each SET's train/ and test/, named
# <set>-<clip> (so the identity before '#' stays distinct per set). Nothing is copied; the
# sets stay where they are (data/ is git-ignored). With id_sampling, each identity is drawn
# equally often, so a set's share of the samples is its share of the identities.
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: $0 OUT SET1 [SET2 ...]" >&2
    exit 2
fi
out=$1
shift
if [ -e "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
    echo "$out: exists and is not empty; choose a new folder" >&2
    exit 2
fi
for set in "$@"; do
    for split in train test; do
        [ -d "$set/$split" ] || { echo "$set: no $split/ folder (not a data set)" >&2; exit 2; }
    done
done
mkdir -p "$out/train" "$out/test"
for set in "$@"; do
    name=$(basename "$set")
    for split in train test; do
        for clip in "$set/$split"/*; do
            base=$(basename "$clip")
            case "$base" in .*|*.tmp-*) continue ;; esac
            ln -s "$(realpath "$clip")" "$out/$split/$name-$base"
        done
    done
    echo "linked $(ls "$set/train" | wc -l) train and $(ls "$set/test" | wc -l) test clips of $set"
done
