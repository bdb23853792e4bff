import Foundation
import Logging
import Synchronization
import VeilCore
import VeilMedia
import VeilMetrics

/// Every output of one camera. The pipeline's processing thread hands each anonymized frame to
/// `submit`, which copies it into a small pool and returns at once. One encode thread takes frames
/// from the pool, feeds the virtual cameras and encodes once for the network and recording outputs;
/// each output then has its own queue and thread, so one that is slow or failing (a full disk, a
/// missing device) holds up neither capture nor the others, and recovers by itself.
// @unchecked: shared by the camera's processing thread and the encode thread; what both touch is atomic,
// in a Mutex or in the locked frame pool; the encoder and the last logged error are the encode thread's.
public final class CameraOutputs: @unchecked Sendable {
    public let camera: String
    private let pool: FramePool
    private let encoder: LiveEncoder?
    private let packetOutputs: [PacketOutput]
    private let loopbacks: [LoopbackOutput]
    /// Statistics in configuration order.
    private let statusSources: [() -> OutputStatus]
    private let logger: Logger
    /// The encode time; the counters are in `meters`.
    private let encodeTime = Mutex(TimingHistogram())
    private let meters: CameraMeters
    private var loggedEncodeError: String?
    private let encodeDone = DispatchSemaphore(value: 0)
    private let started = Atomic<Bool>(false)
    /// The latest anonymized frame for the status page, copied on the encode thread.
    public let snapshot: OutputSnapshot

    /// Seconds shutdown waits for a camera's outputs to write what they hold: a working disk or
    /// network needs milliseconds; a stalled one would otherwise hold the daemon until systemd kills it
    /// (TimeoutStopSec=15), before the other cameras have closed their recordings.
    static let finishGrace = 3.0

    /// Frames that may wait for the encode thread: enough to ride out a slow frame or two.
    static let poolCapacity = 4

    /// Checks everything that can be checked before the first frame: sizes, addresses, key files
    /// (mode 0600, owned by this process's user), recording directories (created if missing) and
    /// the encoder, which is opened here. Throws a one-line `UserError` or `MediaError`.
    /// `meters`: the camera's counters in the daemon's registry (by default, a registry of its own).
    public init(camera: String, width: Int, height: Int, frameRate: Double, encoder options: EncoderOptions,
                outputs: [OutputSpec], meters: CameraMeters? = nil, logger: Logger) throws {
        let meters = meters ?? CameraMeters(camera: camera)
        guard !camera.isEmpty, !camera.contains("/") else {
            throw UserError("camera name '\(camera)' cannot name recording files (empty, or contains '/')")
        }
        guard width > 0, height > 0, width % 2 == 0, height % 2 == 0 else {
            throw UserError("camera '\(camera)': outputs need an even frame size, not \(width)x\(height)")
        }
        guard frameRate.isFinite, frameRate > 0 else { throw UserError("camera '\(camera)': frame rate \(frameRate) is not positive") }
        guard options.gop > 0, options.bitrateKbps > 0 else {
            throw UserError("camera '\(camera)': the encoder's gop and bitrate_kbps must be positive")
        }
        var logger = logger
        logger[metadataKey: "camera"] = "\(camera)"
        let needsEncoder = outputs.contains { if case .loopback = $0 { return false } else { return true } }
        let encoder = needsEncoder ? try LiveEncoder(options: options, width: width, height: height, frameRate: frameRate,
                                                     name: "outputs of camera \(camera)") : nil
        // Statistics follow the configuration's order, whichever kind each output is.
        var packetOutputs: [PacketOutput] = [], loopbacks: [LoopbackOutput] = [], statusSources: [() -> OutputStatus] = []
        for spec in outputs {
            switch spec {
            case let .rtp(address, sdpPath), let .srtp(address, sdpPath, _):
                var key: SRTPKey?
                if case let .srtp(_, _, keyFile) = spec { key = try SRTPKey(file: keyFile) }
                let name = "\(key == nil ? "rtp" : "srtp") \(address)"
                let sink = try RTPSink(address: address, sdpPath: sdpPath, key: key, name: name)
                let output = PacketOutput(name: name, sink: sink, stream: encoder!.stream, meters: meters.output(name), logger: logger)
                packetOutputs.append(output)
                statusSources.append { output.statistics }
            case let .record(directory, segmentSeconds, container, maxTotalBytes):
                guard segmentSeconds > 0 else { throw UserError("recording '\(directory)': segment_seconds must be positive") }
                do {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                } catch {
                    throw UserError("cannot create recording directory '\(directory)': \(error.localizedDescription)")
                }
                guard access(directory, W_OK) == 0 else {
                    throw UserError("recording directory '\(directory)' is not writable: \(errnoText(errno))")
                }
                let sink = RecordSink(directory: RecordingDirectory(path: directory, camera: camera, maxTotalBytes: maxTotalBytes),
                                      container: container, segmentSeconds: segmentSeconds, bitrateKbps: options.bitrateKbps,
                                      logger: logger)
                let name = "record \(directory)"
                let output = PacketOutput(name: name, sink: sink, stream: encoder!.stream, meters: meters.output(name), logger: logger)
                packetOutputs.append(output)
                statusSources.append { output.statistics }
            case let .loopback(devicePath):
                let output = LoopbackOutput(devicePath: devicePath, width: width, height: height,
                                            meters: meters.output("loopback \(devicePath)"), logger: logger)
                loopbacks.append(output)
                statusSources.append { output.statistics }
            }
        }
        self.camera = camera
        self.meters = meters
        self.encoder = encoder
        self.packetOutputs = packetOutputs
        self.loopbacks = loopbacks
        self.statusSources = statusSources
        self.logger = logger
        pool = FramePool(capacity: CameraOutputs.poolCapacity, width: width, height: height)
        snapshot = OutputSnapshot(width: width, height: height, camera: camera)
    }

    public func start() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for output in packetOutputs { output.start() }
        for output in loopbacks { output.start() }
        WorkerThread.start(name: "veil-encode") { [self] in
            encodeLoop()
            encodeDone.signal()
        }
    }

    /// Called on the pipeline's processing thread for every emitted (anonymized) frame. Never
    /// waits: copies the picture into a free pool buffer, or drops and counts it when none is free
    /// (or when it is not of the size given to init).
    /// captureTime: CLOCK_MONOTONIC nanoseconds, which the output timestamps are made from.
    public func submit(_ picture: Picture, captureTime: UInt64) {
        if !pool.offer(picture, captureTime: captureTime) { meters.encoderDropped.increment() }
    }

    /// Encodes the frames already submitted, flushes the encoder, finishes every output (the
    /// recording's current segment gets its trailer) and returns once all threads have ended.
    /// Calling it again (or without `start`) just returns.
    public func stop() {
        pool.close()
        guard started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        encodeDone.wait()
        encodeDone.signal()
    }

    public var statistics: OutputStatistics {
        var copy = OutputStatistics()
        copy.encodeTime = encodeTime.withLock { $0 }
        copy.framesSubmitted = pool.counts.offered
        copy.framesDropped = meters.encoderDropped.total
        copy.framesEncoded = meters.framesEncoded.total
        copy.encodeErrors = meters.encodeErrors.total
        copy.outputs = statusSources.map { $0() }
        return copy
    }

    private func encodeLoop() {
        while let frame = pool.take() {
            snapshot.offer(frame.picture, now: MonotonicClock.now())
            for output in loopbacks { output.offer(frame.picture, captureTime: frame.captureTime) }
            if let encoder {
                let begin = MonotonicClock.now()
                do {
                    try encoder.encode(frame.picture, captureTime: frame.captureTime, emit: fanOut)
                    let seconds = Double(MonotonicClock.now() - begin) / 1e9
                    meters.framesEncoded.increment()
                    encodeTime.withLock { $0.record(seconds) }
                    loggedEncodeError = nil
                } catch {
                    encodeFailed(error)
                }
            }
            pool.recycle(frame.picture)
        }
        do {
            try encoder?.flush(emit: fanOut)
        } catch {
            encodeFailed(error)
        }
        // Reverse order of creation; one output stuck in a write holds up shutdown (and the other
        // cameras' clean ends) for at most `finishGrace`.
        let deadline = DispatchTime.now() + CameraOutputs.finishGrace
        for output in loopbacks.reversed() { output.finish(by: deadline) }
        for output in packetOutputs.reversed() { output.finish(by: deadline) }
    }

    private func fanOut(_ packet: EncodedPacket) {
        for output in packetOutputs { output.offer(packet) }
    }

    private func encodeFailed(_ error: Error) {
        meters.encodeErrors.increment()
        let text = String(describing: error)
        guard text != loggedEncodeError else { return }
        loggedEncodeError = text
        logger.error("encoding failed: \(text)")
    }
}
