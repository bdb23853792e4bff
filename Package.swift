// swift-tools-version:6.0
import PackageDescription

// dlib is template-heavy: at -O0 its shape predictor and ResNet run ~240x slower, so the C++ target
// that wraps it is optimised in every build configuration (later flags win over SwiftPM's -O0). At -O3
// six faces' landmarks took 13.6-15.2 ms a frame against 16.5-18.8 at -O2 (`veil bench`, the
// six-person clip, runs alternating); AVX2 (x86-64-v3) gave 11.3-14.1 more, but not every x86 machine
// a clinic runs has it, and a binary that stops on an illegal instruction protects no one.
let visionCxxFlags: [CXXSetting] = [.unsafeFlags(["-O3", "-I/usr/include/opencv4", "-DDLIB_NO_GUI_SUPPORT"])]

let package = Package(
    name: "Veil",
    platforms: [.macOS(.v13)],
    products: [.executable(name: "veil", targets: ["veil"])],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // VeilStatus: /metrics, /healthz and /status over HTTP.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
    ],
    targets: [
        .systemLibrary(name: "CFFmpeg", pkgConfig: "libavformat libavcodec libswscale libavutil",
                       providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]),
        .target(name: "CVision",
                cxxSettings: visionCxxFlags,
                linkerSettings: [.linkedLibrary("opencv_dnn"), .linkedLibrary("opencv_imgproc"),
                                 .linkedLibrary("opencv_core"), .linkedLibrary("dlib"),
                                 .linkedLibrary("blas"), .linkedLibrary("lapack"), .linkedLibrary("stdc++")]),
        // What every layer shares and nothing else owns: the latency budget's default, the identity
        // thresholds, the redaction of credentials. Depends on nothing.
        .target(name: "VeilCore"),
        // prctl and setrlimit for the process's own settings (no core dumps).
        .systemLibrary(name: "CProcess"),
        .target(name: "VeilMedia", dependencies: ["CFFmpeg", "VeilCore"]),
        .systemLibrary(name: "CV4L2", pkgConfig: "libv4l2", providers: [.apt(["libv4l-dev"])]),
        .target(name: "VeilCapture", dependencies: ["CV4L2", "CFFmpeg", "VeilCore", "VeilMedia"]),
        // Run inside the vivid test VM (scripts/v4l2-vm.sh, `make test-v4l2`), not shipped.
        .executableTarget(name: "V4L2Probe", dependencies: ["VeilCapture", "VeilCore", "VeilMedia"]),
        .target(name: "VeilVision", dependencies: ["CVision", "VeilCore", "VeilMedia"]),
        .target(name: "VeilAnonymize", dependencies: ["VeilCore", "VeilMedia"]),
        .target(name: "VeilPipeline", dependencies: ["VeilCore", "VeilMedia", "VeilVision", "VeilAnonymize",
                                                     .product(name: "Logging", package: "swift-log")]),
        // The process's one metrics registry (swift-metrics over swift-prometheus, readable) and each
        // camera's meters, incremented where their events happen.
        .target(name: "VeilMetrics", dependencies: [.product(name: "Metrics", package: "swift-metrics"),
                                                    .product(name: "Prometheus", package: "swift-prometheus")]),
        .target(name: "VeilLive", dependencies: ["VeilCore", "VeilMetrics", "VeilPipeline", "VeilCapture", "VeilMedia", "VeilVision", "VeilAnonymize",
                                                 .product(name: "Logging", package: "swift-log")]),
        // `veil process DIR -o OUTDIR`: an archive's inputs, shards, the audit manifest and resuming.
        .target(name: "VeilArchive", dependencies: ["VeilCore", "VeilMedia", "VeilPipeline", "VeilVision",
                                                    .product(name: "Logging", package: "swift-log")]),
        // The daemon's config file (strict TOML) and its systemd protocol; neither knows the pipeline.
        .target(name: "VeilConfig", dependencies: ["VeilCore", .product(name: "TOMLKit", package: "TOMLKit"),
                                                  .product(name: "Logging", package: "swift-log")]),
        .target(name: "VeilSystemd", dependencies: ["VeilCore"]),
        .target(name: "VeilOutput", dependencies: ["CFFmpeg", "CV4L2", "VeilCore", "VeilMetrics", "VeilMedia", "VeilCapture",
                                                   .product(name: "Logging", package: "swift-log")]),
        // Writes a recording (and optionally RTP/SRTP) of paced frames until killed: the SIGKILL
        // crash-safety test runs it, and with --seconds it measures the outputs' costs. Not shipped.
        .executableTarget(name: "RecordProbe", dependencies: ["VeilCore", "VeilOutput", "VeilMedia",
                                                              .product(name: "Logging", package: "swift-log")]),
        // The daemon's HTTP endpoints; reads plain values from a StatusSource, knows nothing of the pipeline.
        // The status page draws with VeilReport's charts, hashes its style for the CSP with VeilMedia.
        .target(name: "VeilStatus", dependencies: [
            "VeilCore", "VeilMetrics", "VeilMedia", "VeilReport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // `veil run`: cameras, outputs and systemd together, as a service group.
        .target(name: "VeilDaemon", dependencies: [
            "CProcess", "VeilCore", "VeilMetrics", "VeilLive", "VeilOutput", "VeilStatus", "VeilConfig", "VeilSystemd", "VeilCapture", "VeilMedia",
            "VeilPipeline",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ]),
        // `veil report`: reads a stability log; no video, no models.
        .target(name: "VeilReport", dependencies: ["VeilCore"]),
        .executableTarget(name: "veil", dependencies: [
            "CProcess", "VeilCore", "VeilDaemon", "VeilReport", "VeilArchive",
            "VeilConfig", "VeilSystemd",
            "VeilLive", "VeilPipeline", "VeilMedia", "VeilVision", "VeilAnonymize", "VeilCapture",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // What every test target uses to run the real clients (ffmpeg, ffprobe, curl, veil).
        .target(name: "VeilTestSupport", path: "Tests/VeilTestSupport"),
        .testTarget(name: "VeilReportTests", dependencies: ["VeilTestSupport", "VeilCore", "VeilReport"]),
        .testTarget(name: "VeilMediaTests", dependencies: ["VeilTestSupport", "VeilMedia", "CFFmpeg"]),
        .testTarget(name: "VeilVisionTests", dependencies: ["VeilTestSupport", "VeilCore", "VeilVision", "VeilMedia", "CVision"]),
        .testTarget(name: "VeilAnonymizeTests", dependencies: ["VeilAnonymize", "VeilCore", "VeilMedia"]),
        .testTarget(name: "VeilCommandTests", dependencies: ["VeilTestSupport", "VeilMedia"]),
        .testTarget(name: "VeilConfigTests", dependencies: ["VeilTestSupport", "VeilConfig", "VeilCore"]),
        .testTarget(name: "VeilCoreTests", dependencies: ["VeilCore"]),
        .testTarget(name: "VeilArchiveTests", dependencies: ["VeilArchive", "VeilCore"]),
        .testTarget(name: "VeilPipelineTests", dependencies: ["VeilCore", "VeilPipeline", "VeilVision"]),
        .testTarget(name: "VeilSystemdTests", dependencies: ["VeilSystemd"]),
        .testTarget(name: "VeilMetricsTests", dependencies: ["VeilMetrics", .product(name: "Metrics", package: "swift-metrics")]),
        .testTarget(name: "VeilCaptureTests", dependencies: ["VeilTestSupport", "VeilCore", "VeilCapture", "VeilMedia"]),
        .testTarget(name: "VeilOutputTests", dependencies: ["VeilTestSupport", "VeilCore", "VeilMetrics", "VeilOutput", "VeilMedia",
                                                            .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "VeilStatusTests", dependencies: ["VeilStatus", "VeilMetrics",
                                                            .product(name: "Logging", package: "swift-log"),
                                                            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        .testTarget(name: "VeilLiveTests", dependencies: ["VeilTestSupport", "VeilCore", "VeilLive", "VeilPipeline", "VeilCapture", "VeilMedia", "VeilVision", "VeilAnonymize",
                                                          .product(name: "Logging", package: "swift-log")]),
    ],
    swiftLanguageModes: [.v6]
)
