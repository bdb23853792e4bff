# Veil: set-up, build, demo and tests. `make demo` and `make test` each do everything from a fresh
# Debian 12 machine (packages and data included).
PREFIX ?= /usr/local
SWIFT ?= swift
DATA := data
SAMPLE := $(DATA)/sample/sample.mp4
OUT := out

.PHONY: setup build release demo test bench clean

setup:
	scripts/setup.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

# The sample: a moving clip made from Barack Obama's official portrait (public domain, from the test
# images of PyPI's face_recognition source package), with audio.
$(SAMPLE): scripts/make-sample.sh | setup
	scripts/make-sample.sh $(DATA)/subjects/obama.jpg $@ 5

# Test subjects: a man (messi5.jpg, from Debian's opencv-doc) moving, with audio.
$(DATA)/sample/subject-messi.mp4: scripts/make-sample.sh | setup
	scripts/make-sample.sh $(DATA)/subjects/messi5.jpg $@ 3 960x540

# A hard subject: Grace Hopper, who is also a default donor and close to the other one.
$(DATA)/sample/subject-hopper.mp4: scripts/make-sample.sh | setup
	scripts/make-sample.sh $(DATA)/donors/grace_hopper.jpg $@ 3

demo: release $(SAMPLE)
	@mkdir -p $(OUT)
	.build/release/veil process $(SAMPLE) -o $(OUT)/sample-anonymized.mp4 --stability-log $(OUT)/sample-stability.jsonl
	@echo "demo: input  $(SAMPLE)"
	@echo "demo: output $(OUT)/sample-anonymized.mp4"
	@echo "demo: log    $(OUT)/sample-stability.jsonl"

# Unit tests run in a debug build; the command tests drive the release binary, as users do.
test: release $(SAMPLE) $(DATA)/sample/subject-messi.mp4 $(DATA)/sample/subject-hopper.mp4
	$(SWIFT) build --build-tests
	VEIL_BIN=$(CURDIR)/.build/release/veil $(SWIFT) test --skip-build --disable-swift-testing

bench: release $(SAMPLE)
	.build/release/veil bench $(SAMPLE)

clean:
	rm -rf .build $(OUT)
