import Foundation
import XCTest

/// Systemd/veil.service as systemd itself judges it: `systemd-analyze verify` and the offline
/// security rating.
final class ServiceUnitTests: XCTestCase {
    private static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    private static let analyze = "/usr/bin/systemd-analyze"

    private var directory: URL!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: Self.analyze), "systemd-analyze is not installed")
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("veil-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    /// The unit as `make install` writes it. verify checks that ExecStart's binary exists, so its
    /// @BINDIR@ points at a stand-in `veil` here (a link to /bin/true).
    private func installedUnit() throws -> String {
        let bin = directory.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: bin.appendingPathComponent("veil").path, withDestinationPath: "/bin/true")
        let template = try String(contentsOf: Self.repository.appendingPathComponent("Systemd/veil.service"), encoding: .utf8)
        let unit = directory.appendingPathComponent("veil.service")
        try template.replacingOccurrences(of: "@BINDIR@", with: bin.path)
            .replacingOccurrences(of: "@DATADIR@", with: "/usr/share/veil")
            .write(to: unit, atomically: false, encoding: .utf8)
        return unit.path
    }

    private func analyze(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.analyze)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ["SYSTEMD_COLORS": "0", "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    func testTemplateLeavesOnlyInstallPlaceholders() throws {
        let template = try String(contentsOf: Self.repository.appendingPathComponent("Systemd/veil.service"), encoding: .utf8)
        let placeholders = Set(template.matches(of: #/@[A-Z]+@/#).map { String($0.output) })
        XCTAssertEqual(placeholders, ["@BINDIR@", "@DATADIR@"])
    }

    func testVerifyIsClean() throws {
        let result = try analyze(["verify", try installedUnit()])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(result.output.trimmingCharacters(in: .whitespacesAndNewlines), "")
    }

    func testSecurityExposureIsOK() throws {
        let result = try analyze(["security", "--offline=true", "--no-pager", try installedUnit()])
        XCTAssertEqual(result.status, 0, result.output)
        let line = try XCTUnwrap(result.output.split(separator: "\n").last(where: { $0.contains("Overall exposure level") }),
                                 result.output)
        let exposure = try XCTUnwrap(line.split(separator: " ").compactMap { Double($0) }.first, String(line))
        XCTAssertLessThanOrEqual(exposure, 2.0, String(line))
    }
}
