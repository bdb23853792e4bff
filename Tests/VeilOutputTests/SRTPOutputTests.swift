import Foundation
import VeilOutput
import XCTest
import VeilCore

final class SRTPOutputTests: OutputTestCase {
    private func writeKey(mode: Int = 0o600) throws -> (path: String, base64: String) {
        var bytes = [UInt8](repeating: 0, count: 30)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        let base64 = Data(bytes).base64EncodedString()
        let key = path("camera.key")
        try (base64 + "\n").write(toFile: key, atomically: false, encoding: .utf8)
        XCTAssertEqual(chmod(key, mode_t(mode)), 0)
        return (key, base64)
    }

    /// With the SDP (which carries the key) ffmpeg decrypts and decodes; with the crypto line taken
    /// out it gets no picture at all.
    func testDecryptsWithKeyAndNotWithout() throws {
        let key = try writeKey()
        let sdp = path("camera.sdp")
        let outputs = try outputs([.srtp(address: Endpoint.destination("127.0.0.1:\(rtpPort())"), sdpPath: sdp, keyFile: key.path)])
        outputs.start()
        let feeder = FrameFeeder(outputs)
        feeder.start()
        try waitFor("the SDP to be written") { FileManager.default.fileExists(atPath: sdp) }
        let attributes = try FileManager.default.attributesOfItem(atPath: sdp)
        XCTAssertEqual((attributes[.posixPermissions] as? Int).map { $0 & 0o777 }, 0o600, "an SDP with the key must be owner-only")
        let text = try String(contentsOfFile: sdp, encoding: .utf8)
        XCTAssertTrue(text.contains("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"), text)

        let decrypted = try Tool.receive(sdp: sdp, frames: 45, width: 320, height: 240, into: path("with-key.yuv"), timeout: 15)
        let stripped = path("no-key.sdp")
        // SDP lines end in CRLF, which Swift treats as one Character: split on any newline.
        let withoutCrypto = text.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("a=crypto") }
        XCTAssertEqual(withoutCrypto.count, text.split(whereSeparator: \.isNewline).count - 1)
        try (withoutCrypto.joined(separator: "\r\n") + "\r\n").write(toFile: stripped, atomically: false, encoding: .utf8)
        let withoutKey = try Tool.receive(sdp: stripped, frames: 45, width: 320, height: 240, into: path("no-key.yuv"), timeout: 4)
        feeder.stop()
        outputs.stop()
        XCTAssertEqual(decrypted.frames, 45, decrypted.result.stderr)
        XCTAssertEqual(withoutKey.frames, 0, "frames decoded without the key")
        XCTAssertEqual(outputs.statistics.outputs[0].errors, 0)
        XCTAssertTrue(log.lines(containing: key.base64).isEmpty, "the key reached the log")
    }

    func testKeyFileReadableByOthersIsRefused() throws {
        let key = try writeKey(mode: 0o644)
        XCTAssertThrowsError(try outputs([.srtp(address: Endpoint.destination("127.0.0.1:5006"), sdpPath: path("x.sdp"), keyFile: key.path)])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(key.path), text)
            XCTAssertTrue(text.contains("0644"), text)
            XCTAssertFalse(text.contains("\n"), text)
            XCTAssertFalse(text.contains(key.base64), text)
        }
    }

    func testKeyFileOwnedBySomeoneElseIsRefused() throws {
        guard geteuid() == 0 else { throw XCTSkip("giving a file to another user needs root") }
        let key = try writeKey()
        XCTAssertEqual(chown(key.path, 4242, 4242), 0)
        XCTAssertThrowsError(try outputs([.srtp(address: Endpoint.destination("127.0.0.1:5006"), sdpPath: path("x.sdp"), keyFile: key.path)])) { error in
            XCTAssertTrue("\(error)".contains(key.path), "\(error)")
            XCTAssertTrue("\(error)".contains("owned by uid 4242"), "\(error)")
        }
    }

    func testMalformedKeyIsRefusedWithoutEchoingIt() throws {
        let key = path("short.key")
        let secret = Data((0..<20).map { UInt8($0) }).base64EncodedString()
        try secret.write(toFile: key, atomically: false, encoding: .utf8)
        chmod(key, 0o600)
        XCTAssertThrowsError(try outputs([.srtp(address: Endpoint.destination("127.0.0.1:5006"), sdpPath: path("x.sdp"), keyFile: key)])) { error in
            XCTAssertTrue("\(error)".contains("30 bytes"), "\(error)")
            XCTAssertFalse("\(error)".contains(secret), "\(error)")
        }
    }
}
