import Foundation
import VeilMetrics
import VeilStatus
import XCTest

/// `/` and `/cameras/NAME/snapshot.jpg`, and the token that guards every endpoint.
final class StatusPageTests: XCTestCase {
    private let token = "0123456789abcdef0123456789abcdef"

    func testThePageShowsEachCameraWithItsStatePictureAndFiguresUnderAStrictPolicy() async throws {
        let registry = MeterRegistry()
        var hall = sampleCamera("hall", counting: registry)
        hall.online = false
        let source = FakeSource([sampleCamera(counting: registry), hall])
        source.picture = [0xFF, 0xD8, 0xFF, 0xD9]
        try await withStatusServer(source, registry: registry) { _, base in
            let (reply, _, response) = try await fetch(base, "")
            XCTAssertEqual(reply.status, 200)
            XCTAssertEqual(reply.contentType, "text/html; charset=utf-8")
            let policy = try XCTUnwrap(response.value(forHTTPHeaderField: "Content-Security-Policy"))
            XCTAssertTrue(policy.hasPrefix("default-src 'none'; img-src 'self'; style-src 'sha256-"), policy)
            XCTAssertFalse(policy.contains("unsafe"), policy)
            XCTAssertEqual(response.value(forHTTPHeaderField: "Referrer-Policy"), "no-referrer")
            let page = reply.body
            XCTAssertFalse(page.contains("<script"), "no script")
            XCTAssertFalse(page.contains("http://") || page.contains("https://"), "nothing from elsewhere")
            XCTAssertTrue(page.contains("<h2>exam-room-1 <span class=\"state ok\">running</span></h2>"), page)
            XCTAssertTrue(page.contains("<h2>hall <span class=\"state bad\">offline: the slate is sent</span></h2>"), page)
            XCTAssertTrue(page.contains("<img src=\"cameras/exam-room-1/snapshot.jpg\""), page)
            XCTAssertTrue(page.contains("1000 in, 990 out, 7 dropped, 3 covered whole"), page)
            XCTAssertTrue(page.contains("least distance 0.710"), page)
            XCTAssertTrue(page.contains("<meta http-equiv=\"refresh\""))
            XCTAssertTrue(page.contains("name=\"viewport\""), "readable on a phone")

            let picture = try await fetch(base, "cameras/exam-room-1/snapshot.jpg")
            XCTAssertEqual(picture.reply.status, 200)
            XCTAssertEqual(picture.reply.contentType, "image/jpeg")
            XCTAssertEqual([UInt8](picture.data), [0xFF, 0xD8, 0xFF, 0xD9])
            XCTAssertEqual(picture.response.value(forHTTPHeaderField: "Cache-Control"), "no-store")
        }
    }

    func testEveryEndpointNeedsTheTokenWhenThereIsOne() async throws {
        let source = FakeSource([sampleCamera(counting: MeterRegistry())])
        source.picture = [0xFF, 0xD8, 0xFF, 0xD9]
        try await withStatusServer(source, token: token) { _, base in
            for path in ["", "status", "metrics", "healthz", "cameras/exam-room-1/snapshot.jpg"] {
                let none = try await get(base, path)
                XCTAssertEqual(none.status, 401, "/\(path) without a token")
                XCTAssertFalse(none.body.contains("exam-room-1"), "/\(path) tells nothing without a token")
                let wrong = try await get(base, path, query: "token=wrong\(token.dropFirst(5))")
                XCTAssertEqual(wrong.status, 401, "/\(path) with a wrong token")
                let longer = try await get(base, path, headers: ["Authorization": "Bearer \(token)x"])
                XCTAssertEqual(longer.status, 401)
                let query = try await get(base, path, query: "token=\(token)")
                XCTAssertEqual(query.status, 200, "/\(path) with the token")
                let header = try await get(base, path, headers: ["Authorization": "Bearer \(token)"])
                XCTAssertEqual(header.status, 200)
            }
            // The page's own links carry the token on, so that a browser given it once can follow them.
            let page = try await get(base, "", query: "token=\(token)").body
            XCTAssertTrue(page.contains("snapshot.jpg?token=\(token)\""), page)
        }
    }
}

/// A viewer that asks for pictures and never reads them.
final class StalledViewerTests: XCTestCase {
    func testAViewerThatStopsReadingIsDroppedWhileOthersAreServed() async throws {
        let source = FakeSource([sampleCamera(counting: MeterRegistry())])
        let picture = [UInt8](repeating: 0xAB, count: 256 * 1024)
        source.picture = picture
        try await withStatusServer(source) { _, base in
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            XCTAssertGreaterThanOrEqual(descriptor, 0)
            defer { close(descriptor) }
            var small: Int32 = 4096
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(base.port!).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            XCTAssertEqual(connected, 0)
            let requests = 40
            let request = Array(String(repeating: "GET /cameras/exam-room-1/snapshot.jpg HTTP/1.1\r\nHost: x\r\n\r\n", count: requests).utf8)
            XCTAssertEqual(request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }, request.count)

            // While it stalls, another viewer is served at once.
            try await Task.sleep(for: .seconds(1))
            let other = try await fetch(base, "cameras/exam-room-1/snapshot.jpg")
            XCTAssertEqual(other.data.count, picture.count)

            // Well past the limit, the stalled viewer reads what was left in its socket, then the end: the
            // server gave up long before sending all it asked for.
            try await Task.sleep(for: .seconds(8))
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var received = 0, ended = false
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                if count > 0 { received += count; continue }
                ended = count == 0 || errno == ECONNRESET
                break
            }
            XCTAssertTrue(ended, "the server closed the stalled connection")
            XCTAssertLessThan(received, requests * picture.count / 2, "dropped, not served in full")
        }
    }
}
