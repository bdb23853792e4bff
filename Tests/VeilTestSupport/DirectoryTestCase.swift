import Foundation
import XCTest

/// A fresh directory under the system's temporary one; whoever makes it removes it.
public enum TemporaryDirectory {
    public static func make(prefix: String = "veil-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// A test case whose every test gets a fresh `directory`, removed after it.
open class DirectoryTestCase: XCTestCase {
    public private(set) var directory: URL!

    override open func setUpWithError() throws {
        try super.setUpWithError()
        directory = try TemporaryDirectory.make()
    }

    override open func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
        try super.tearDownWithError()
    }

    /// Writes `text` to `name` in the directory (a config file, usually) and returns its path.
    public func write(_ text: String, to name: String = "veil.toml") throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
