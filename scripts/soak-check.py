#!/usr/bin/env python3
"""Checks what scripts/soak.sh left in OUT_DIR: memory and descriptors stayed flat, every recording
plays end to end with no gap longer than its outage, and no frame of any output (the recordings, and
what an RTP receiver kept) shows the subject's face unchanged. Prints the figures; exits 1 on a failure.
Standard library only: frames are decoded by ffmpeg to 8-bit luma."""
import datetime, glob, json, os, subprocess, sys

out = sys.argv[1]
WIDTH, HEIGHT = 640, 360
# The inner part of the subject's face (eyes, nose, mouth) where soak.sh placed it.
X0, X1, Y0, Y1 = 300, 362, 80, 145
# Mean absolute luma difference below which a face region counts as the original: a plain re-encode
# of the clip stays under 3; a swapped, blurred or covered face, and the slate, are far above 10.
UNCHANGED = 6.0
# The longest a recording may go without a frame: a hung source is lost after source_timeout_ms (1 s),
# with the first slate a frame later.
LONGEST_GAP = 2.0
failures = []


def luma_frames(path):
    """Yields each frame's face region, as bytes rows, decoded at the soak's size."""
    decoder = subprocess.Popen(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-f", "rawvideo", "-pix_fmt", "gray",
                                "-s", f"{WIDTH}x{HEIGHT}", "-"], stdout=subprocess.PIPE)
    size = WIDTH * HEIGHT
    while True:
        frame = decoder.stdout.read(size)
        if len(frame) < size:
            break
        yield [frame[y * WIDTH + X0:y * WIDTH + X1] for y in range(Y0, Y1)]
    decoder.wait()


def difference(a, b):
    total = sum(abs(p - q) for ra, rb in zip(a, b) for p, q in zip(ra, rb))
    return total / ((X1 - X0) * (Y1 - Y0))


original = next(luma_frames(os.path.join(out, "face.mp4")))

# Memory and descriptors: the last quarter against the second (after the models loaded).
samples = [tuple(int(v) for v in line.split()) for line in open(os.path.join(out, "samples.txt")) if len(line.split()) == 3]
if len(samples) >= 8:
    quarter = len(samples) // 4
    early, late = samples[quarter:2 * quarter], samples[-quarter:]
    rss_early, rss_late = max(s[1] for s in early) / 1024, max(s[1] for s in late) / 1024
    fds_early, fds_late = max(s[2] for s in early), max(s[2] for s in late)
    print(f"soak-check: memory {rss_early:.0f} -> {rss_late:.0f} MiB, descriptors {fds_early} -> {fds_late} "
          f"({len(samples)} samples, every 5 s)")
    print("soak-check: curve (MiB, fds): " + " ".join(f"{s[1] / 1024:.0f}/{s[2]}" for s in samples))
    if rss_late > rss_early * 1.15 + 16:
        failures.append(f"memory grew from {rss_early:.0f} to {rss_late:.0f} MiB")
    if fds_late > fds_early + 8:
        failures.append(f"descriptors grew from {fds_early} to {fds_late}")
else:
    failures.append(f"only {len(samples)} memory samples")

def frame_times(path):
    """The video frames' pts in seconds; None when the file does not play."""
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time",
                            "-of", "json", path], capture_output=True, text=True)
    if probe.returncode != 0:
        return None
    return [float(f["pts_time"]) for f in json.loads(probe.stdout).get("frames", []) if "pts_time" in f]


# A camera's next segment starts when its recording resumes (a full disk is retried every 5 s) or
# when the camera restarts (a reload loads its models again): the gap between segments may be as long
# as the disk was full, plus a retry (5 s) and the file names' resolution (1 s) at each end, or a
# restart's 5 s.
# Lines of events.log: "soak: HH:MM:SS what".
events = [line.rstrip("\n").split(" ", 2) for line in open(os.path.join(out, "events.log"))]
def event_time(text):
    hits = [datetime.datetime.strptime(e[1], "%H:%M:%S") for e in events if len(e) == 3 and e[2].startswith(text)]
    return hits[0] if hits else None
full, freed = event_time("fault: recording disk full"), event_time("end: recording disk freed")
between_segments = max(5.0, (freed - full).total_seconds() + 8 if full and freed else 0)
for camera in sorted(glob.glob(os.path.join(out, "rec", "*"))):
    spans = []
    for path in sorted(glob.glob(os.path.join(camera, "*.mkv"))):
        stamp = datetime.datetime.strptime(os.path.basename(path).rsplit("-", 1)[1][:-4], "%Y%m%dT%H%M%SZ")
        times = frame_times(path) or [0.0]
        spans.append((stamp, stamp + datetime.timedelta(seconds=times[-1])))
    for (_, end), (start, _) in zip(spans, spans[1:]):
        gap = (start - end).total_seconds()
        print(f"soak-check: {os.path.basename(camera)}: {gap:.0f} s between segments (at most {between_segments:.0f})")
        if gap > between_segments:
            failures.append(f"{os.path.basename(camera)}: {gap:.0f} s between segments")

outputs = sorted(glob.glob(os.path.join(out, "rec", "*", "*.mkv"))) + [os.path.join(out, "rtp-room.mkv")]
for path in outputs:
    name = os.path.relpath(path, out)
    times = frame_times(path)
    if times is None:
        failures.append(f"{name} does not play")
        continue
    gap = max((b - a for a, b in zip(times, times[1:])), default=0)
    leaks = [i for i, face in enumerate(luma_frames(path)) if difference(face, original) < UNCHANGED]
    print(f"soak-check: {name}: {len(times)} frames, {times[-1] - times[0] if times else 0:.1f} s, longest gap {gap:.2f} s, "
          f"{len(leaks)} frames with the face unchanged")
    if len(times) < 10:
        failures.append(f"{name} has {len(times)} frames")
    # The RTP receiver was itself stalled: what it lost then is its own gap, not the daemon's.
    if gap > LONGEST_GAP and not name.startswith("rtp-"):
        failures.append(f"{name}: a gap of {gap:.2f} s")
    if leaks:
        failures.append(f"{name}: the face unchanged in frames {leaks[:20]}")

for failure in failures:
    print(f"soak-check: FAILED: {failure}")
sys.exit(1 if failures else 0)
