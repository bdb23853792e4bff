import Foundation
import VeilTestSupport
import XCTest

/// `veil janus-config`: the mountpoints that receive a config's rtp and srtp outputs.
final class JanusConfigCommandTests: DirectoryTestCase {
    /// A config of one file camera with `outputs` (TOML [[camera.output]] tables).
    private func writeConfig(camera: String, size: String, outputs: String) throws -> String {
        try write("""
            [daemon]
            http = ""
            stability_log = ""

            [[camera]]
            name = "\(camera)"
            source = "/dev/null"
            size = "\(size)"
            fps = 30

            \(outputs)
            """)
    }

    func testEachRTPAndSRTPOutputGetsAMountpointWithTheEncodersProfileAndTheKey() throws {
        let keyPath = directory.appendingPathComponent("room.key").path
        let key = Data((0..<30).map { UInt8($0 * 7 % 251) }).base64EncodedString()
        try (key + "\n").write(toFile: keyPath, atomically: false, encoding: .utf8)
        chmod(keyPath, 0o600)
        let config = try writeConfig(camera: "room.1", size: "1280x720", outputs: """
              [[camera.output]]
              kind = "rtp"
              address = "127.0.0.1:5004"
              sdp = "\(directory.path)/rtp.sdp"

              [[camera.output]]
              kind = "srtp"
              address = "127.0.0.1:5006"
              sdp = "\(directory.path)/srtp.sdp"
              key_file = "\(keyPath)"
            """)
        let result = try Run.veil("janus-config", config)
        XCTAssertEqual(result.status, 0, result.stderr)
        let text = result.stdout
        // A '.' in the camera's name would break the file for Janus: the entry's name has '_' instead.
        XCTAssertTrue(text.contains("veil-room_1-1: {\n  type = \"rtp\"\n  id = 1\n"), text)
        XCTAssertTrue(text.contains("veil-room_1-2: {\n  type = \"rtp\"\n  id = 2\n"), text)
        XCTAssertTrue(text.contains("port = 5004") && text.contains("port = 5006"), text)
        // Constrained Baseline (profile 0x42, constraint_set1) at level 3.1, what 720p at 30 fps needs.
        XCTAssertTrue(text.contains("fmtp = \"profile-level-id=42c01f;packetization-mode=1\""), text)
        XCTAssertEqual(text.components(separatedBy: "srtpcrypto = \"\(key)\"").count, 2, "the key, on the srtp mountpoint only")
        XCTAssertTrue(text.contains("srtpsuite = 80"), text)
    }

    func testAConfigWithoutAStreamForJanusIsOneLine() throws {
        let config = try writeConfig(camera: "room-1", size: "640x360", outputs: """
              [[camera.output]]
              kind = "record"
              path = "\(directory.path)/rec"
              segment_seconds = 60
              container = "mkv"
              max_total_gb = 1
            """)
        let result = try Run.veil("janus-config", config)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "veil: error: \(config): no camera has an rtp or srtp output for Janus to receive\n")
    }
}
