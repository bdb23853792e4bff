import Foundation
@testable import VeilConfig
import XCTest

/// The documented example (Config/veil.toml, installed as /etc/veil/veil.toml) and the defaults.
final class ExampleConfigTests: XCTestCase {
    private var examplePath: String { Fixture.repository.appendingPathComponent("Config/veil.toml").path }

    /// Every key of the example read back. Its donor and key files live on an installed system, so
    /// file checks are left out here (ConfigFileCheckTests covers them).
    func testExampleParsesToEveryKeyItDocuments() throws {
        let configuration = try VeilConfiguration.load(path: examplePath, checkFiles: false)
        let expected = VeilConfiguration(
            daemon: .init(http: .init(host: "127.0.0.1", port: 9480), logLevel: .info,
                          stabilityLog: "/var/log/veil/stability.jsonl", stabilityLogMaxMB: 100, stabilityLogKeep: 5),
            anonymize: .init(mode: .swap, donors: "/usr/share/veil/donors", identityMargin: 0.6, onStall: .blurFrame,
                             consent: nil, consentDistance: 0.4),
            cameras: [.init(
                name: "exam-room-1", source: "/dev/video0", size: .init(width: 1280, height: 720), fps: 30, format: .auto,
                budgetMs: 100, realtime: true, sourceTimeoutMs: 2000,
                outputs: [
                    .rtp(.init(address: .init(host: "127.0.0.1", port: 5004), sdp: "/run/veil/exam-room-1.sdp")),
                    .srtp(.init(address: .init(host: "127.0.0.1", port: 5006), sdp: "/run/veil/exam-room-1-srtp.sdp",
                                keyFile: "/etc/veil/keys/exam-room-1.key")),
                    .record(.init(path: "/var/lib/veil/recordings/exam-room-1", segmentSeconds: 600, container: .mkv,
                                  maxTotalGB: 50)),
                    .loopback(.init(device: "/dev/video10")),
                ],
                encoder: .init(codec: "libx264", preset: "veryfast", bitrateKbps: 3000, gop: 30))])
        XCTAssertEqual(configuration, expected)
    }

    /// The example states its defaults: a camera reduced to its required keys reads the same.
    func testExampleValuesAreTheDefaults() throws {
        let example = try VeilConfiguration.load(path: examplePath, checkFiles: false)
        let minimal = try VeilConfiguration.parse(text: Fixture.minimal, path: Fixture.file)
        XCTAssertEqual(minimal.daemon, example.daemon)
        XCTAssertEqual(minimal.anonymize.mode, example.anonymize.mode)
        XCTAssertEqual(minimal.anonymize.identityMargin, example.anonymize.identityMargin)
        XCTAssertEqual(minimal.anonymize.onStall, example.anonymize.onStall)
        let (camera, exampleCamera) = (minimal.cameras[0], example.cameras[0])
        XCTAssertEqual(camera.size, exampleCamera.size)
        XCTAssertEqual(camera.fps, exampleCamera.fps)
        XCTAssertEqual(camera.format, exampleCamera.format)
        XCTAssertEqual(camera.budgetMs, exampleCamera.budgetMs)
        XCTAssertEqual(camera.realtime, exampleCamera.realtime)
        XCTAssertEqual(camera.encoder, exampleCamera.encoder)
        let record = try VeilConfiguration.parse(
            text: Fixture.output("[[camera.output]]\nkind = \"record\"\npath = \"/var/lib/veil/recordings/exam-room-1\""),
            path: Fixture.file)
        XCTAssertEqual(record.cameras[0].outputs[1], exampleCamera.outputs[2])
    }

    func testBudgetAndGOPFollowTheFrameRate() throws {
        let camera = try VeilConfiguration.parse(text: Fixture.camera("fps = 25"), path: Fixture.file).cameras[0]
        XCTAssertEqual(camera.budgetMs, 120)
        XCTAssertEqual(camera.encoder.gop, 25)
    }

    func testEmptyHTTPAndStabilityLogTurnThemOff() throws {
        let text = "[daemon]\nhttp = \"\"\nstability_log = \"\"\n" + Fixture.minimal
        let daemon = try VeilConfiguration.parse(text: text, path: Fixture.file).daemon
        XCTAssertNil(daemon.http)
        XCTAssertNil(daemon.stabilityLog)
    }

    /// On a machine with the example's files the full check passes; elsewhere it names the first
    /// file that is missing.
    func testExampleWithFileChecksNamesAMissingFileOrPasses() {
        do {
            _ = try VeilConfiguration.load(path: examplePath)
        } catch let error as ConfigError {
            XCTAssertTrue(["anonymize.donors", "camera[0].output[1].key_file"].contains(error.location ?? ""), error.description)
        } catch {
            XCTFail("\(error)")
        }
    }

    func testSummaryNamesEachCameraAndOutput() throws {
        let summary = try VeilConfiguration.load(path: examplePath, checkFiles: false).summary
        XCTAssertEqual(summary, """
            daemon: http 127.0.0.1:9480, log level info, stability log /var/log/veil/stability.jsonl
            anonymize: swap, donors /usr/share/veil/donors, identity margin 0.6, on stall blur_frame, consent off
            camera exam-room-1: /dev/video0, 1280x720@30 auto, budget 100 ms, swap, finds faces from 56 px wide; libx264 veryfast 3000 kb/s, gop 30
              -> rtp 127.0.0.1:5004, sdp /run/veil/exam-room-1.sdp
              -> srtp 127.0.0.1:5006, sdp /run/veil/exam-room-1-srtp.sdp, key /etc/veil/keys/exam-room-1.key
              -> record /var/lib/veil/recordings/exam-room-1, mkv segments of 600 s, at most 50 GB
              -> loopback /dev/video10
            """)
    }
}
