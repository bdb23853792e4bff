#!/usr/bin/env python3
"""Compare a browser screenshot of Veil's stream with the input clip.

usage: browser-compare.py SCREENSHOT.png CLIP [--face X0,Y0,X1,Y1] [--guard G]

Prints one line:  face_diff=F border_diff=B frame=N of=M size=WxH

  face_diff    mean absolute luma difference (0-255) inside the face box
  border_diff  the same over the picture outside the face box grown by the
               guard band (the part Veil must leave alone)
  frame        index of the clip frame compared against: the one with the
               smallest border_diff, since the stream is live and we do not
               know which frame the browser caught (the clip moves slowly)

The face box is given as fractions of the picture.  The default fits
data/sample/sample.mp4, whose portrait drifts right and zooms slightly while
the face stays inside x 0.42-0.65, y 0.06-0.45.  The guard band keeps a
somewhat larger anonymised area (detector box + padding) out of border_diff.

Both images go through ffmpeg to 8-bit gray the same way (RGB -> gray),
so any YUV range / matrix choice of the decoder cancels out.  With the
stand-in sender (no anonymisation) both figures are small; with Veil
face_diff should be large and border_diff stay small.
Standard library + numpy only.
"""
import argparse
import json
import subprocess
import sys

import numpy as np


def probe_size(path):
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=width,height", "-of", "json", path],
        check=True, capture_output=True, text=True).stdout
    s = json.loads(out)["streams"][0]
    return int(s["width"]), int(s["height"])


def gray_frames(path, width, height, max_frames=None):
    """Decode `path` to gray frames of width x height (scaled if needed)."""
    # rgb24 first so the screenshot (RGB PNG) and the clip (YUV) take the
    # same RGB->gray path in swscale.
    vf = f"scale={width}:{height}:flags=bicubic,format=rgb24,format=gray"
    cmd = ["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-an", "-vf", vf]
    if max_frames:
        cmd += ["-frames:v", str(max_frames)]
    cmd += ["-f", "rawvideo", "-pix_fmt", "gray", "-"]
    raw = subprocess.run(cmd, check=True, capture_output=True).stdout
    n = len(raw) // (width * height)
    if n == 0:
        raise SystemExit(f"browser-compare: no frames decoded from {path}")
    return np.frombuffer(raw[: n * width * height], np.uint8).reshape(n, height, width)


def masks(width, height, face, guard):
    x0, y0, x1, y1 = face
    yy, xx = np.mgrid[0:height, 0:width]
    fx, fy = xx / width, yy / height
    face_m = (fx >= x0) & (fx < x1) & (fy >= y0) & (fy < y1)
    grown = (fx >= x0 - guard) & (fx < x1 + guard) & (fy >= y0 - guard) & (fy < y1 + guard)
    return face_m, ~grown


def compare(screenshot, clip, face=(0.42, 0.06, 0.65, 0.45), guard=0.08):
    """Return (face_diff, border_diff, frame_index, frame_count, (w, h))."""
    w, h = probe_size(screenshot)
    shot = gray_frames(screenshot, w, h, 1)[0].astype(np.int16)
    frames = gray_frames(clip, w, h)
    face_m, border_m = masks(w, h, face, guard)
    if not face_m.any() or not border_m.any():
        raise SystemExit("browser-compare: face box or border region is empty")
    s_border = shot[border_m]
    # Pick the frame by the border only: that part is meant to be unchanged.
    border = np.array([np.abs(f[border_m].astype(np.int16) - s_border).mean() for f in frames])
    best = int(border.argmin())
    face_diff = float(np.abs(frames[best][face_m].astype(np.int16) - shot[face_m]).mean())
    return face_diff, float(border[best]), best, len(frames), (w, h)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("screenshot")
    p.add_argument("clip")
    p.add_argument("--face", default="0.42,0.06,0.65,0.45",
                   help="face box X0,Y0,X1,Y1 as fractions of width/height")
    p.add_argument("--guard", type=float, default=0.08,
                   help="fraction added around the face box before taking the border")
    a = p.parse_args()
    face = tuple(float(v) for v in a.face.split(","))
    if len(face) != 4:
        p.error("--face needs four comma-separated fractions")
    face_diff, border_diff, idx, n, (w, h) = compare(a.screenshot, a.clip, face, a.guard)
    print(f"face_diff={face_diff:.2f} border_diff={border_diff:.2f} frame={idx} of={n} size={w}x{h}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
