import VeilConfig
import XCTest

/// Unknown keys, wrong types, missing keys and out-of-range values: each reported as
/// `FILE: KEY.PATH: problem`.
final class ConfigKeyErrorTests: XCTestCase {
    func testMinimalConfigParses() throws {
        XCTAssertNoThrow(try VeilConfiguration.parse(text: Fixture.minimal, path: Fixture.file))
    }

    // MARK: unknown keys, at every level

    func testUnknownTopLevelKey() {
        assertConfigError("colour = \"red\"\n" + Fixture.minimal, at: "colour",
                          "unknown key (the file takes daemon, anonymize, camera)")
    }

    func testUnknownDaemonKey() {
        assertConfigError("[daemon]\nport = 9480\n" + Fixture.minimal, at: "daemon.port",
                          "unknown key ([daemon] takes http, http_token_file, log_level, stability_log, stability_log_max_mb, stability_log_keep)")
    }

    func testUnknownAnonymizeKey() {
        assertConfigError("[anonymize]\ndonor = \"/x\"\n" + Fixture.minimal, at: "anonymize.donor",
                          "unknown key ([anonymize] takes mode, donors, identity_margin, on_stall, consent, consent_distance)")
    }

    func testUnknownCameraKeyIsReportedInsteadOfTheKeyItMisspells() {
        assertConfigError(Fixture.camera("fsp = 30"), at: "camera[0].fsp",
                          "unknown key (a [[camera]] takes name, source, size, fps, format, budget_ms, realtime, source_timeout_ms, output, encoder)")
    }

    func testKeyOfAnotherOutputKindIsUnknown() {
        assertConfigError(Fixture.output("key_file = \"/etc/veil/keys/a.key\""), at: "camera[0].output[0].key_file",
                          "unknown key (an output of kind \"rtp\" takes kind, address, sdp)")
        assertConfigError(Fixture.output("[[camera.output]]\nkind = \"loopback\"\ndevice = \"/dev/video10\"\naddress = \"127.0.0.1:5008\""),
                          at: "camera[0].output[1].address", "unknown key (an output of kind \"loopback\" takes kind, device)")
    }

    func testUnknownEncoderKey() {
        assertConfigError(Fixture.output("[camera.encoder]\ncrf = 20"), at: "camera[0].encoder.crf",
                          "unknown key ([camera.encoder] takes codec, preset, bitrate_kbps, gop)")
    }

    // MARK: wrong types

    func testWrongScalarTypes() {
        assertConfigError(Fixture.camera("fps = \"30\""), at: "camera[0].fps", "expected an integer, found a string")
        assertConfigError(Fixture.camera("fps = 29.97"), at: "camera[0].fps", "expected an integer, found a float")
        assertConfigError(Fixture.camera("realtime = \"yes\""), at: "camera[0].realtime",
                          "expected a boolean (true or false), found a string")
        assertConfigError(Fixture.minimal.replacingOccurrences(of: "source = \"/dev/video0\"", with: "source = 7"),
                          at: "camera[0].source", "expected a string, found an integer")
        assertConfigError("[anonymize]\nidentity_margin = \"high\"\n" + Fixture.minimal, at: "anonymize.identity_margin",
                          "expected a number, found a string")
        assertConfigError("[daemon]\nhttp = 9480\n" + Fixture.minimal, at: "daemon.http", "expected a string, found an integer")
    }

    func testWrongTableTypes() {
        assertConfigError("daemon = 1\n" + Fixture.minimal, at: "daemon", "expected a table ([daemon]), found an integer")
        assertConfigError("[camera]\nname = \"a\"\n", at: "camera", "expected an array of tables ([[camera]]), found a table")
        assertConfigError("[[camera]]\nname = \"a\"\nsource = \"/dev/video0\"\noutput = \"rtp\"\n", at: "camera[0].output",
                          "expected an array of tables ([[camera.output]]), found a string")
        assertConfigError(Fixture.camera("encoder = \"x264\""), at: "camera[0].encoder",
                          "expected a table ([camera.encoder]), found a string")
    }

    func testAnIntegerIsANumber() throws {
        let configuration = try VeilConfiguration.parse(text: "[anonymize]\nidentity_margin = 1\n" + Fixture.minimal, path: Fixture.file)
        XCTAssertEqual(configuration.anonymize.identityMargin, 1)
    }

    // MARK: missing keys

    func testMissingCameraKeys() {
        assertConfigError("[daemon]\nlog_level = \"info\"\n", at: "camera", "at least one [[camera]] is required")
        assertConfigError(Fixture.minimal.replacingOccurrences(of: "name = \"a\"\n", with: ""), at: "camera[0].name",
                          "required key is missing")
        assertConfigError(Fixture.minimal.replacingOccurrences(of: "source = \"/dev/video0\"\n", with: ""), at: "camera[0].source",
                          "required key is missing")
        assertConfigError("[[camera]]\nname = \"a\"\nsource = \"/dev/video0\"\n", at: "camera[0].output",
                          "at least one [[camera.output]] is required")
        assertConfigError(Fixture.minimal.replacingOccurrences(of: "name = \"a\"", with: "name = \"\""), at: "camera[0].name",
                          "must not be empty")
    }

    func testMissingOutputKeys() {
        let camera = "[[camera]]\nname = \"a\"\nsource = \"/dev/video0\"\n[[camera.output]]\n"
        assertConfigError(camera + "address = \"127.0.0.1:5004\"", at: "camera[0].output[0].kind", "required key is missing")
        assertConfigError(camera + "kind = \"rtp\"", at: "camera[0].output[0].address", "required key is missing")
        assertConfigError(camera + "kind = \"srtp\"\naddress = \"127.0.0.1:5004\"", at: "camera[0].output[0].key_file",
                          "required key is missing")
        assertConfigError(camera + "kind = \"record\"", at: "camera[0].output[0].path", "required key is missing")
        assertConfigError(camera + "kind = \"loopback\"", at: "camera[0].output[0].device", "required key is missing")
    }

    // MARK: values out of range

    func testCameraRanges() {
        assertConfigError(Fixture.camera("fps = 0"), at: "camera[0].fps", "0 is out of range (1 to 120)")
        assertConfigError(Fixture.camera("fps = 121"), at: "camera[0].fps", "121 is out of range (1 to 120)")
        assertConfigError(Fixture.camera("budget_ms = 0"), at: "camera[0].budget_ms", "0 is out of range (1 to 1000)")
        assertConfigError(Fixture.camera("budget_ms = 1001"), at: "camera[0].budget_ms", "1001 is out of range (1 to 1000)")
        assertConfigError(Fixture.camera("source_timeout_ms = 50"), at: "camera[0].source_timeout_ms", "50 is out of range (100 to 60000)")
        assertConfigError(Fixture.camera("size = \"1281x720\""), at: "camera[0].size",
                          "1281x720: width and height must be even, from 16 to 8192")
        assertConfigError(Fixture.camera("size = \"8x8\""), at: "camera[0].size", "8x8: width and height must be even, from 16 to 8192")
        assertConfigError(Fixture.camera("size = \"1280*720\""), at: "camera[0].size",
                          "\"1280*720\" is not WIDTHxHEIGHT (e.g. \"1280x720\")")
        assertConfigError(Fixture.camera("format = \"h264\""), at: "camera[0].format", "\"h264\" is not one of auto, yuyv, nv12, mjpeg")
        assertConfigError(Fixture.minimal.replacingOccurrences(of: "name = \"a\"", with: "name = \"exam room/1\""),
                          at: "camera[0].name", "\"exam room/1\" may hold only letters, digits, '.', '_' and '-' (it names files)")
    }

    func testDaemonAndAnonymizeRanges() {
        assertConfigError("[daemon]\nlog_level = \"verbose\"\n" + Fixture.minimal, at: "daemon.log_level",
                          "\"verbose\" is not one of trace, debug, info, notice, warning, error, critical")
        assertConfigError("[daemon]\nhttp = \"9480\"\n" + Fixture.minimal, at: "daemon.http",
                          "\"9480\" is not HOST:PORT (e.g. \"127.0.0.1:5004\", \"[::1]:5004\")")
        assertConfigError("[daemon]\nstability_log = \"stability.jsonl\"\n" + Fixture.minimal, at: "daemon.stability_log",
                          "\"stability.jsonl\" is not an absolute path")
        assertConfigError("[anonymize]\nmode = \"blurr\"\n" + Fixture.minimal, at: "anonymize.mode",
                          "\"blurr\" is not one of swap, blur, pixelate, mask")
        assertConfigError("[anonymize]\nidentity_margin = 2.5\n" + Fixture.minimal, at: "anonymize.identity_margin",
                          "2.5 is out of range (0.5 to 2)")
        assertConfigError("[anonymize]\nidentity_margin = -0.1\n" + Fixture.minimal, at: "anonymize.identity_margin",
                          "-0.1 is out of range (0.5 to 2)")
        // Margins that would let a swap still looking like its subject pass, and consent distances at
        // which a stranger could be shown as an enrolled person, are refused.
        assertConfigError("[anonymize]\nidentity_margin = 0\n" + Fixture.minimal, at: "anonymize.identity_margin",
                          "0 is out of range (0.5 to 2)")
        assertConfigError("[anonymize]\nidentity_margin = 0.45\n" + Fixture.minimal, at: "anonymize.identity_margin",
                          "0.45 is out of range (0.5 to 2)")
        assertConfigError("[anonymize]\nconsent_distance = 0.6\n" + Fixture.minimal, at: "anonymize.consent_distance",
                          "0.6 is out of range (0.1 to 0.5)")
        assertConfigError("[anonymize]\non_stall = \"freeze\"\n" + Fixture.minimal, at: "anonymize.on_stall",
                          "\"freeze\" is not one of blur_frame, black_frame, drop")
    }

    func testOutputRanges() {
        let camera = "[[camera]]\nname = \"a\"\nsource = \"/dev/video0\"\n[[camera.output]]\n"
        assertConfigError(camera + "kind = \"webrtc\"", at: "camera[0].output[0].kind",
                          "\"webrtc\" is not one of rtp, srtp, record, loopback")
        assertConfigError(camera + "kind = \"rtp\"\naddress = \"127.0.0.1:0\"", at: "camera[0].output[0].address",
                          "\"127.0.0.1:0\": port must be a number from 1 to 65535")
        assertConfigError(camera + "kind = \"rtp\"\naddress = \"127.0.0.1:65536\"", at: "camera[0].output[0].address",
                          "\"127.0.0.1:65536\": port must be a number from 1 to 65535")
        assertConfigError(camera + "kind = \"rtp\"\naddress = \"239.0.0.1\"", at: "camera[0].output[0].address",
                          "\"239.0.0.1\" is not HOST:PORT (e.g. \"127.0.0.1:5004\", \"[::1]:5004\")")
        assertConfigError(camera + "kind = \"rtp\"\naddress = \":5004\"", at: "camera[0].output[0].address",
                          "\":5004\" has no host (HOST:PORT)")
        assertConfigError(camera + "kind = \"rtp\"\naddress = \"127.0.0.1:5004\"\nsdp = \"a.sdp\"", at: "camera[0].output[0].sdp",
                          "\"a.sdp\" is not an absolute path")
        let record = camera + "kind = \"record\"\npath = \"/var/lib/veil/recordings/a\"\n"
        assertConfigError(record + "segment_seconds = 0", at: "camera[0].output[0].segment_seconds", "0 is too small (at least 1)")
        assertConfigError(record + "max_total_gb = 0", at: "camera[0].output[0].max_total_gb",
                          "0 is too small (must be greater than 0)")
        assertConfigError(record + "container = \"avi\"", at: "camera[0].output[0].container", "\"avi\" is not one of mkv, mp4")
    }

    func testEncoderRanges() {
        assertConfigError(Fixture.output("[camera.encoder]\ngop = 0"), at: "camera[0].encoder.gop", "0 is out of range (1 to 10000)")
        assertConfigError(Fixture.output("[camera.encoder]\nbitrate_kbps = 99"), at: "camera[0].encoder.bitrate_kbps",
                          "99 is out of range (100 to 100000)")
        assertConfigError(Fixture.output("[camera.encoder]\nbitrate_kbps = 3000000"), at: "camera[0].encoder.bitrate_kbps",
                          "3000000 is out of range (100 to 100000)")
        assertConfigError(Fixture.output("[camera.encoder]\ncodec = \"\""), at: "camera[0].encoder.codec", "must not be empty")
    }

    func testIPv6Address() throws {
        let text = Fixture.minimal.replacingOccurrences(of: "127.0.0.1:5004", with: "[ff02::1]:5004")
        let configuration = try VeilConfiguration.parse(text: text, path: Fixture.file)
        guard case .rtp(let rtp) = configuration.cameras[0].outputs[0] else { return XCTFail("not rtp") }
        XCTAssertEqual(rtp.address, .init(host: "ff02::1", port: 5004))
        XCTAssertEqual(rtp.address.description, "[ff02::1]:5004")
    }

    // MARK: syntax

    func testSyntaxErrorNamesLineAndColumn() {
        do {
            _ = try VeilConfiguration.parse(text: "[daemon]\nlog_level = \"info\"\n[[camera]\nname = \"a\"\n", path: Fixture.file)
            XCTFail("parsed")
        } catch let error as ConfigError {
            XCTAssertEqual(error.location?.hasPrefix("line 3, column "), true, error.description)
            XCTAssertTrue(error.description.hasPrefix("test.toml: line 3, column "), error.description)
            XCTAssertFalse(error.description.contains("\n"))
        } catch {
            XCTFail("\(error)")
        }
    }

    func testDuplicateKeyIsASyntaxError() {
        XCTAssertThrowsError(try VeilConfiguration.parse(text: Fixture.camera("fps = 30\nfps = 25"), path: Fixture.file)) { error in
            XCTAssertEqual((error as? ConfigError)?.location?.hasPrefix("line "), true, "\(error)")
        }
    }
}
