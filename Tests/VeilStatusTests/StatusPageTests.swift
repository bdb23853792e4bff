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
