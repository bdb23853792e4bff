import Foundation
import VeilCore
import VeilMedia

/// The camera's latest anonymized frame, for the status page's picture. The encode thread, which only
/// ever holds frames that have been through the anonymizer, copies one every `interval` into a
/// picture of its own; a viewer's request encodes that copy as JPEG (FFmpeg's mjpeg), once per copy.
/// The encode thread never waits on a viewer: while one holds the copy, it skips and tries again
/// with the next frame.
// @unchecked: the copy and its JPEG are touched only under `lock`.
public final class OutputSnapshot: @unchecked Sendable {
    /// Nanoseconds between copies: a page refreshes every few seconds.
    public static let interval: UInt64 = 2_000_000_000

    private let lock = NSLock()
    private let picture: Picture
    private var copiedAt: UInt64?
    private var jpeg: [UInt8]?
    private let camera: String

    init(width: Int, height: Int, camera: String) {
        picture = Picture(width: width, height: height)
        self.camera = camera
    }

    /// On the encode thread, for each frame it takes.
    func offer(_ frame: Picture, now: UInt64) {
        guard lock.try() else { return }
        defer { lock.unlock() }
        if let copiedAt, now - copiedAt < Self.interval { return }
        picture.copy(from: frame)
        copiedAt = now
        jpeg = nil
    }

    /// The latest copy as JPEG and its age in seconds; nil before the first frame.
    public func jpeg(now: UInt64 = MonotonicClock.now()) throws -> (bytes: [UInt8], age: Double)? {
        lock.lock()
        defer { lock.unlock() }
        guard let copiedAt else { return nil }
        let bytes = try jpeg ?? JPEGImage.encode(picture, name: "the snapshot of camera \(camera)")
        jpeg = bytes
        return (bytes, Double(now - copiedAt) / 1e9)
    }
}
