#!/usr/bin/env python3
"""A live "camera" whose every frame carries the wall-clock time it was made.

  scripts/clock-camera.py SAMPLE [--fps 30] [--seconds S]   raw yuv420p 640x360 frames on stdout
  scripts/clock-camera.py --decode [FILE]                     read such frames (stdin or FILE), print stamps

The sample is decoded once with ffmpeg (scaled to 640x360) into memory and played forward then backward,
so the picture never cuts. Frames go out in real time at --fps (a late frame is dropped, never sent in a
burst); each is stamped just before it is written with the current wall-clock time (time.time()) in
milliseconds modulo 2^24 (4.66 hours).

The stamp: a strip at the bottom of the picture, rows 288..351 (aligned to H.264's 16-pixel macroblocks),
two rows of twenty 32x32 blocks, each black (luma 16) or white (luma 235), neutral chroma, on black:

    row 0:  W B  d0  .. d15  B W
    row 1:  B W  d16 .. d31  W B

d0..d23 are the stamp, most significant bit first; d24..d31 are a CRC-8 (polynomial 0x07, initial 0) of
the stamp's three bytes, big-endian. The four guard pairs give a reader its black and white levels; it
samples the middle 16x16 of each block, thresholds halfway between the guards' levels, and accepts a
frame only when the guards read right, every block is clearly on one side and the CRC matches. Blocks
this large at full contrast survive two rounds of H.264 compression at ordinary bit rates.
scripts/browser-latency.html reads it the same way (keep the two in step).

Standard library and numpy only.
"""
import argparse
import subprocess
import sys
import time

import numpy as np

W, H = 640, 360
FRAME = W * H * 3 // 2
CELL = 32                 # block size in pixels
COLS = W // CELL          # 20 blocks a row: 2 guard + 16 data + 2 guard
STRIP_Y = 288             # first row of the stamp (18 macroblock rows down)
ROWS = 2
STRIP_TOP, STRIP_BOTTOM = STRIP_Y - 8, H  # painted black around the blocks
BLACK, WHITE = 16, 235
GUARDS = (((0, 1), (1, 0), (COLS - 2, 0), (COLS - 1, 1)),  # (column, 1 = white) for row 0
          ((0, 0), (1, 1), (COLS - 2, 1), (COLS - 1, 0)))   # and row 1
DATA_COLS = range(2, COLS - 2)
MODULO = 1 << 24


def crc8(data, poly=0x07):
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ poly) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def bits_for(stamp):
    stamp %= MODULO
    word = (stamp << 8) | crc8(stamp.to_bytes(3, "big"))
    return [(word >> (31 - i)) & 1 for i in range(32)]


def paint(frame, stamp):
    """Writes the stamp into a yuv420p frame (a writable uint8 array of FRAME bytes)."""
    y = frame[:W * H].reshape(H, W)
    u = frame[W * H:W * H * 5 // 4].reshape(H // 2, W // 2)
    v = frame[W * H * 5 // 4:].reshape(H // 2, W // 2)
    y[STRIP_TOP:STRIP_BOTTOM] = BLACK
    u[STRIP_TOP // 2:] = 128
    v[STRIP_TOP // 2:] = 128
    bits = bits_for(stamp)
    for row in range(ROWS):
        top = STRIP_Y + row * CELL
        cells = dict(GUARDS[row])
        for i, col in enumerate(DATA_COLS):
            cells[col] = bits[row * len(DATA_COLS) + i]
        for col, white in cells.items():
            if white:
                y[top:top + CELL, col * CELL:(col + 1) * CELL] = WHITE


def read_stamp(luma):
    """The stamp in a luma plane (H x W, any numeric type), or (None, why)."""
    means = {}
    for row in range(ROWS):
        top = STRIP_Y + row * CELL + CELL // 4
        for col in range(COLS):
            left = col * CELL + CELL // 4
            means[row, col] = float(luma[top:top + CELL // 2, left:left + CELL // 2].mean())
    whites = [means[r, c] for r in range(ROWS) for c, w in GUARDS[r] if w]
    blacks = [means[r, c] for r in range(ROWS) for c, w in GUARDS[r] if not w]
    lo, hi = max(blacks), min(whites)
    if hi - lo < 60:
        return None, "guards"
    mid, margin = (lo + hi) / 2, (hi - lo) / 4
    bits = []
    for row in range(ROWS):
        for col in DATA_COLS:
            m = means[row, col]
            if abs(m - mid) < margin:
                return None, "ambiguous"
            bits.append(1 if m > mid else 0)
    word = 0
    for b in bits:
        word = (word << 1) | b
    stamp, check = word >> 8, word & 0xFF
    if crc8(stamp.to_bytes(3, "big")) != check:
        return None, "crc"
    return stamp, None


def load(sample):
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-nostdin", "-i", sample, "-an", "-vf", f"scale={W}:{H}",
         "-pix_fmt", "yuv420p", "-f", "rawvideo", "-"], check=True, stdout=subprocess.PIPE).stdout
    n = len(raw) // FRAME
    if n == 0:
        sys.exit(f"clock-camera: no frames decoded from {sample}")
    frames = np.frombuffer(raw[:n * FRAME], np.uint8).reshape(n, FRAME)
    order = list(range(n)) + list(range(n - 2, 0, -1))  # forward, then back: no cut at the loop
    return frames, order


def camera(args):
    frames, order = load(args.sample)
    out = sys.stdout.buffer
    period = 1.0 / args.fps
    frame = np.empty(FRAME, np.uint8)
    start = time.monotonic()
    sent = dropped = 0
    i = 0
    while args.seconds is None or i < args.seconds * args.fps:
        due = start + i * period
        now = time.monotonic()
        if now < due:
            time.sleep(due - now)
        elif now - due > period:  # late by a whole frame: a camera drops it, it does not burst
            dropped += 1
            i += 1
            continue
        np.copyto(frame, frames[order[i % len(order)]])
        paint(frame, int(time.time() * 1000))
        try:
            out.write(frame.data)
            out.flush()
        except BrokenPipeError:
            break
        sent += 1
        i += 1
    print(f"clock-camera: {sent} frames sent, {dropped} dropped (late)", file=sys.stderr)


def decode(args):
    src = open(args.decode_file, "rb") if args.decode_file else sys.stdin.buffer
    n = ok = 0
    while True:
        buf = src.read(FRAME)
        if len(buf) < FRAME:
            break
        luma = np.frombuffer(buf, np.uint8, W * H).reshape(H, W)
        stamp, why = read_stamp(luma)
        n += 1
        ok += stamp is not None
        print(f"{n - 1} {stamp if stamp is not None else '-'} {why or ''}".rstrip())
    print(f"clock-camera: {ok}/{n} frames decoded", file=sys.stderr)
    return 0 if n and ok == n else 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("sample", nargs="?")
    p.add_argument("--fps", type=float, default=30)
    p.add_argument("--seconds", type=float, help="stop after this long (default: never)")
    p.add_argument("--decode", action="store_true", help="read raw 640x360 yuv420p frames, print stamps")
    p.add_argument("decode_file", nargs="?", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.decode:
        if args.sample and not args.decode_file:
            args.decode_file = args.sample
        return decode(args)
    if not args.sample:
        p.error("SAMPLE is required")
    camera(args)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
