import Foundation
import Logging
import VeilCore
import VeilLive
import VeilMedia
import VeilTestSupport
import XCTest

/// Network cameras are read like USB ones: missing at start, gone mid-stream, or hung (a server that
/// accepts and never sends, a stream that stops), each gets the offline slate at the camera's rate and
/// is reopened; none ever ends the source. Real servers on loopback: rtsp-server-perl fed by ffmpeg,
/// and ffmpeg serving HTTP.
final class NetworkCameraTests: XCTestCase {
    private static let fps = 10.0

    private func camera(_ url: String, timeout: Double = 2) -> CameraFrameSource {
        CameraFrameSource.stream(camera: "ip-1", url: url, width: 320, height: 180, frameRate: Self.fps, timeout: timeout,
                                 logger: Logger(label: "test"))
    }

    /// Reads until a frame meets `wanted` or `seconds` pass; returns every frame read and whether one did.
    private func read(_ source: CameraFrameSource, upTo seconds: Double, until wanted: (SourceFrame) -> Bool = { _ in false })
        throws -> (frames: [SourceFrame], met: Bool) {
        let picture = Picture(width: 320, height: 180)
        let end = MonotonicClock.after(seconds: seconds)
        var frames: [SourceFrame] = []
        while MonotonicClock.now() < end {
            let frame = try XCTUnwrap(try source.read(into: picture), "a camera never ends")
            frames.append(frame)
            if wanted(frame) { return (frames, true) }
        }
        return (frames, false)
    }

    /// The longest time between two frames read, in seconds.
    private func longestGap(_ frames: [SourceFrame]) -> Double {
        zip(frames, frames.dropFirst()).map { Double($1.captureTime - $0.captureTime) / 1e9 }.max() ?? 0
    }

    private func isLive(_ frame: SourceFrame) -> Bool { !frame.isPlaceholder }

    func testAnRTSPCameraMissingAtStartGoesLiveWhenItsServerStartsAndComesBackAfterAnOutage() throws {
        let server = try RTSPCamera(fps: Int(Self.fps))
        let source = camera(server.url)
        // Nothing listens yet: the slate, at the camera's rate.
        let missing = try read(source, upTo: 1.5)
        XCTAssertTrue(missing.frames.allSatisfy(\.isPlaceholder))
        XCTAssertGreaterThanOrEqual(missing.frames.count, 12, "the slate at 10 fps")
        XCTAssertFalse(source.isOnline)

        try server.start()
        let started = MonotonicClock.now()
        let live = try read(source, upTo: 20, until: isLive)
        XCTAssertTrue(live.met, "live frames once the server runs")
        XCTAssertLessThan(longestGap(live.frames), 0.5, "the slate went on while the camera was being opened")
        print("rtsp camera: first live frame \(MonotonicClock.seconds(since: started)) s after its server started")
        XCTAssertTrue(try read(source, upTo: 1).frames.allSatisfy(isLive))

        server.stop()
        let lost = MonotonicClock.now()
        let outage = try read(source, upTo: 10, until: \.isPlaceholder)
        XCTAssertTrue(outage.met, "the slate once the server is gone")
        print("rtsp camera: first slate \(MonotonicClock.seconds(since: lost)) s after its server went away")
        XCTAssertEqual(source.connection.losses, 1)

        try server.start()
        XCTAssertTrue(try read(source, upTo: 20, until: isLive).met, "live again after the outage")
        XCTAssertTrue(source.isOnline)
        XCTAssertEqual(source.connection.reopenings, 2, "missing at start, then back after the outage")
    }

    func testAServerThatAcceptsAndNeverAnswersGetsTheSlateAtTheCameraRate() throws {
        let server = try SilentServer()
        let source = camera("http://127.0.0.1:\(server.port)/camera.ts", timeout: 0.5)
        let frames = try read(source, upTo: 3).frames
        XCTAssertTrue(frames.allSatisfy(\.isPlaceholder))
        XCTAssertGreaterThanOrEqual(frames.count, 25, "the slate at 10 fps for 3 s")
        XCTAssertLessThan(longestGap(frames), 0.35, "no open that hangs holds up the slate")
        XCTAssertFalse(source.isOnline)
    }

    /// ffmpeg serving a live MPEG-TS over HTTP to one client, as a simple IP camera does.
    private func httpCamera(port: Int) throws -> BackgroundProgram {
        let server = try BackgroundProgram("/usr/bin/ffmpeg", [
            "-v", "error", "-nostdin", "-re", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=10", "-c:v", "mpeg2video",
            "-g", "10", "-f", "mpegts", "-listen", "1", "http://127.0.0.1:\(port)/camera.ts"])
        XCTAssertTrue(Ports.waitUntilListening(port, timeout: 10), "ffmpeg serves HTTP")
        return server
    }

    func testAnHTTPStreamThatFreezesIsLostWithinItsTimeoutAndOneWhoseServerReturnsIsReopened() throws {
        let port = try Ports.free()
        var server = try httpCamera(port: port)
        let source = camera("http://127.0.0.1:\(port)/camera.ts", timeout: 1)
        XCTAssertTrue(try read(source, upTo: 15, until: isLive).met, "live frames from the HTTP camera")

        // The server stops sending but keeps the connection open: the read that waits is ended.
        server.freeze()
        let frozenAt = MonotonicClock.now()
        let frozen = try read(source, upTo: 6, until: \.isPlaceholder)
        XCTAssertTrue(frozen.met, "the slate once the stream stopped")
        let silence = Double(frozen.frames.last!.captureTime - frozenAt) / 1e9
        print("http camera: first slate \(silence) s after the stream froze (source_timeout 1 s)")
        XCTAssertLessThan(silence, 3, "a silent stream is lost within its timeout (1 s) and some buffering")
        XCTAssertEqual(source.connection.losses, 1)
        server.stop()

        // A server back on the same address: the camera is reopened.
        server = try httpCamera(port: port)
        XCTAssertTrue(try read(source, upTo: 15, until: isLive).met, "live again once a server is back")
        XCTAssertEqual(source.connection.reopenings, 1)
        server.stop()
    }
}
