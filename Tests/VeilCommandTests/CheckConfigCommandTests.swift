import Foundation
import VeilTestSupport
import XCTest

/// `veil check-config FILE`: the summary and exit 0 for a good file, one line on stderr and a
/// non-zero exit for a bad one.
final class CheckConfigCommandTests: DirectoryTestCase {

    func testGoodConfigPrintsWhatWouldRun() throws {
        let donors = directory.appendingPathComponent("donors")
        try FileManager.default.createDirectory(at: donors, withIntermediateDirectories: true)
        try Data([0x89, 0x50, 0x4E, 0x47]).write(to: donors.appendingPathComponent("donor.png"))
        let key = directory.appendingPathComponent("a.key")
        try Data(repeating: 1, count: 30).base64EncodedString().write(to: key, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key.path)
        let path = try write("""
            [anonymize]
            mode = "blur"
            donors = "\(donors.path)"

            [[camera]]
            name = "a"
            source = "/dev/video0"
            size = "640x480"
            fps = 15
              [[camera.output]]
              kind = "srtp"
              address = "127.0.0.1:5004"
              key_file = "\(key.path)"

            [[camera]]
            name = "b"
            source = "rtsp://nurse:secret@127.0.0.1:9/stream"
            source_timeout_ms = 3000
              [[camera.output]]
              kind = "rtp"
              address = "127.0.0.1:5008"
            """)
        let result = try Run.veil("check-config", path)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "\(path): OK")
        XCTAssertTrue(lines.contains("camera a: /dev/video0, 640x480@15 auto, budget 200 ms, blur, finds faces from 28 px wide; libx264 veryfast 3000 kb/s, gop 15"),
                      result.stdout)
        XCTAssertTrue(lines.contains("  -> srtp 127.0.0.1:5004, key \(key.path)"), result.stdout)
        // A network camera is checked without being reached (nothing serves RTSP on the discard port),
        // and its credentials are never shown.
        XCTAssertTrue(lines.contains { $0.hasPrefix("camera b: rtsp://***@127.0.0.1:9/stream, 1280x720@30") }, result.stdout)
        XCTAssertFalse(result.stdout.contains("secret"), result.stdout)

        let quiet = try Run.veil("check-config", "--quiet", path)
        XCTAssertEqual(quiet.status, 0, quiet.stderr)
        XCTAssertEqual(quiet.stdout + quiet.stderr, "")
    }

    func testBadConfigFailsWithOneLine() throws {
        let path = try write("[[camera]]\nname = \"a\"\nsource = \"/dev/video0\"\nfps = 500\n")
        let result = try Run.veil("check-config", path)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.stderr, "veil: error: \(path): camera[0].fps: 500 is out of range (1 to 120)\n")
    }

    func testMissingFileAndSyntaxError() throws {
        let missing = directory.appendingPathComponent("none.toml").path
        let result = try Run.veil("check-config", missing)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "veil: error: \(missing): cannot read: No such file or directory\n")

        let path = try write("[[camera]\n")
        let syntax = try Run.veil("check-config", path)
        XCTAssertEqual(syntax.status, 1)
        XCTAssertTrue(syntax.stderr.hasPrefix("veil: error: \(path): line 1, column "), syntax.stderr)
        XCTAssertEqual(syntax.stderr.filter { $0 == "\n" }.count, 1, syntax.stderr)
    }
}
