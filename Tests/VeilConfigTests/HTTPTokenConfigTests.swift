import Foundation
import VeilTestSupport
@testable import VeilConfig
import XCTest

/// The HTTP server's token: required beyond this machine, read from a private file.
final class HTTPTokenConfigTests: DirectoryTestCase {
    private func daemon(_ keys: String) -> String { "[daemon]\n\(keys)\n" + Fixture.minimal }

    private func tokenFile(mode: Int = 0o600, _ contents: String = "0123456789abcdef0123456789abcdef\n") throws -> String {
        let path = directory.appendingPathComponent("http.token").path
        try contents.write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    func testABindBeyondLoopbackWithoutATokenIsRefused() {
        assertConfigError(daemon("http = \"0.0.0.0:9480\""), at: "daemon.http",
                          "\"0.0.0.0:9480\" is reachable from other machines: set http_token_file to a 0600 file holding a token")
        assertConfigError(daemon("http = \"192.168.1.20:9480\""), at: "daemon.http",
                          "\"192.168.1.20:9480\" is reachable from other machines: set http_token_file to a 0600 file holding a token")
    }

    func testLoopbackNeedsNoTokenAndABindBeyondItTakesOne() throws {
        XCTAssertNil(try VeilConfiguration.parse(text: daemon("http = \"127.0.0.1:9480\""), path: Fixture.file).daemon.httpTokenFile)
        XCTAssertNil(try VeilConfiguration.parse(text: daemon("http = \"[::1]:9480\""), path: Fixture.file).daemon.httpTokenFile)
        let path = try tokenFile()
        let configuration = try VeilConfiguration.parse(text: daemon("http = \"0.0.0.0:9480\"\nhttp_token_file = \"\(path)\""), path: Fixture.file)
        XCTAssertEqual(configuration.daemon.httpTokenFile, path)
        XCTAssertEqual(HTTPToken.read(path), "0123456789abcdef0123456789abcdef", "the trailing newline is not part of it")
    }

    func testATokenFileOthersCanReadOrTooShortIsRefused() throws {
        let open = try tokenFile(mode: 0o644)
        assertConfigError(daemon("http_token_file = \"\(open)\""), at: "daemon.http_token_file",
                          "\(open): mode 0644 lets others read the token; chmod 600 it")
        let short = try tokenFile("secret\n")
        assertConfigError(daemon("http_token_file = \"\(short)\""), at: "daemon.http_token_file",
                          "\(short): the token must be at least 16 characters without spaces (e.g. `openssl rand -hex 24`)")
    }
}
