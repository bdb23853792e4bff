import Foundation
import VeilConfig
import XCTest

/// Config texts and files for the tests: a smallest valid config to vary, and real donor and key
/// files in a temporary directory.
enum Fixture {
    static let file = "test.toml"

    /// One camera with one RTP output: every other key takes its default.
    static let minimal = """
        [[camera]]
        name = "a"
        source = "/dev/video0"

          [[camera.output]]
          kind = "rtp"
          address = "127.0.0.1:5004"
        """

    /// `minimal` with `lines` added to the camera (before its output).
    static func camera(_ lines: String) -> String {
        minimal.replacingOccurrences(of: "source = \"/dev/video0\"\n", with: "source = \"/dev/video0\"\n\(lines)\n")
    }

    /// `minimal` with `lines` added to its output.
    static func output(_ lines: String) -> String {
        minimal + "\n" + lines
    }

    static func camera(name: String, source: String, outputs: String) -> String {
        """
        [[camera]]
        name = "\(name)"
        source = "\(source)"
        \(outputs)
        """
    }

    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// A well-formed SRTP key file (30 random bytes, base64) with the given mode.
    static func keyFile(in directory: URL, mode: Int = 0o600, contents: String? = nil) throws -> String {
        let path = directory.appendingPathComponent("camera.key").path
        let key = Data((0..<30).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        try (contents ?? key + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }
}

/// Asserts that `text` fails with exactly `FILE: location: problem`, on one line.
func assertConfigError(_ text: String, at location: String, _ problem: String, checkFiles: Bool = true,
                       file: StaticString = #filePath, line: UInt = #line) {
    do {
        let configuration = try VeilConfiguration.parse(text: text, path: Fixture.file, checkFiles: checkFiles)
        XCTFail("parsed, expected an error at \(location): \(configuration)", file: file, line: line)
    } catch let error as ConfigError {
        XCTAssertEqual(error.description, "\(Fixture.file): \(location): \(problem)", file: file, line: line)
        XCTAssertFalse(error.description.contains("\n"), file: file, line: line)
    } catch {
        XCTFail("unexpected error type: \(error)", file: file, line: line)
    }
}
