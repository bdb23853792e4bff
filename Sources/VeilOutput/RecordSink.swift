import Glibc
import Logging
import VeilCore

/// Segmented recordings of one camera: a new segment every `segmentSeconds` at the next keyframe,
/// retention applied before each segment starts and every half minute. A full disk pauses the
/// recording (the segment being written keeps what reached it); `PacketOutput` retries every
/// `diskFullRetrySeconds` and recording resumes with a new segment once there is room.
final class RecordSink: PacketSink {
    static let diskFullRetrySeconds = 5.0
    static let retentionIntervalSeconds = 30.0
    static let syncIntervalSeconds = 1.0

    private let directory: RecordingDirectory
    private let container: RecordingContainer
    private let segmentDuration: Int64
    /// A new segment starts only with at least this much free space, so that a nearly full disk
    /// does not produce a string of stub files.
    private let minimumFreeBytes: Int64
    private let logger: Logger
    private var stream: EncodedStream?
    private var segment: RecordingSegment?
    private var nextSync: UInt64 = 0
    private var nextRetention: UInt64 = 0

    init(directory: RecordingDirectory, container: RecordingContainer, segmentSeconds: Double, bitrateKbps: Int, logger: Logger) {
        self.directory = directory
        self.container = container
        segmentDuration = Int64(segmentSeconds * 1e6)
        // Two seconds of video, and never under 256 KiB.
        minimumFreeBytes = max(256 * 1024, Int64(bitrateKbps) * 1000 / 8 * 2)
        self.logger = logger
    }

    deinit { close() }

    func open(_ stream: EncodedStream) throws {
        self.stream = stream
        try startSegment()
    }

    func write(_ packet: EncodedPacket) throws {
        guard let current = segment else { return }
        if packet.isKeyframe, let start = current.start, packet.dts - start >= segmentDuration {
            try endSegment()
            try startSegment()
        }
        try segment?.write(packet)
        try housekeeping()
    }

    func idle() throws { try housekeeping() }

    func close() {
        do {
            try endSegment()
        } catch {
            logger.warning("recording segment not finished cleanly: \(error)")
        }
    }

    func retryInterval(after error: Error) -> Double? {
        (error as? RecordingFailure)?.isDiskFull == true ? RecordSink.diskFullRetrySeconds : nil
    }

    private func startSegment() throws {
        guard let stream else { return }
        applyRetention(keeping: nil)
        var space = statvfs()
        if statvfs(directory.path, &space) == 0, Int64(space.f_bavail) * Int64(space.f_frsize) < minimumFreeBytes {
            throw RecordingFailure(action: "start a segment in", path: directory.path, code: ENOSPC)
        }
        let now = time(nil)
        for attempt in 0..<100 {
            let path = "\(directory.path)/\(directory.segmentName(startingAt: now, container: container, attempt: attempt))"
            do {
                segment = try RecordingSegment(path: path, container: container, stream: stream)
                logger.info("recording segment started", metadata: ["file": "\(path)"])
                nextSync = MonotonicClock.after(seconds: RecordSink.syncIntervalSeconds)
                return
            } catch let failure as RecordingFailure where failure.code == EEXIST {
                continue
            }
        }
        throw RecordingFailure(action: "create a segment in", path: directory.path, code: EEXIST)
    }

    /// Finishes the current segment; one that never got a packet (its start failed midway) is deleted.
    private func endSegment() throws {
        guard let current = segment else { return }
        segment = nil
        if current.packets == 0 {
            unlink(current.path)
            return
        }
        try current.finish()
    }

    private func housekeeping() throws {
        let now = MonotonicClock.now()
        if let segment, now >= nextSync {
            try segment.sync()
            nextSync = now + UInt64(RecordSink.syncIntervalSeconds * 1e9)
        }
        if now >= nextRetention { applyRetention(keeping: segment?.path) }
    }

    private func applyRetention(keeping current: String?) {
        nextRetention = MonotonicClock.after(seconds: RecordSink.retentionIntervalSeconds)
        let name = current.map { String($0.split(separator: "/").last ?? "") }
        for deleted in directory.enforceRetention(keeping: name) {
            logger.info("deleted oldest recording segment to stay under the size limit", metadata: ["file": "\(directory.path)/\(deleted)"])
        }
    }
}
