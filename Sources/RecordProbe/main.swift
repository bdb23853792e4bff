// RecordProbe: drives VeilOutput's CameraOutputs with frames paced at the frame rate, as the live
// pipeline would. VeilOutputTests runs it and SIGKILLs it to check that a recording survives a
// killed writer; with --seconds it stops by itself and prints what the outputs cost.
//
//   RecordProbe --record DIR [--container mkv|mp4] [--segment-seconds S] [--rtp HOST:PORT SDP]
//               [--srtp HOST:PORT SDP KEYFILE] [--size WxH] [--fps N] [--bitrate KBPS] [--gop N]
//               [--preset NAME] [--source VIDEO] [--seconds N]
//
// Prints "frames N" once a second (frames submitted so far), and with --seconds a summary at the end.
import Foundation
import Logging
import VeilCore
import VeilMedia
import VeilOutput

struct ProbeFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct Options {
    var outputs: [OutputSpec] = []
    var container = RecordingContainer.mkv
    var segmentSeconds = 600.0
    var width = 320
    var height = 240
    var fps = 30.0
    var bitrateKbps = 1000
    var gop = 30
    var preset = "veryfast"
    var source: String?
    var seconds: Double?

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = rest.popFirst() else { throw ProbeFailure("\(flag) needs a value") }
            return next
        }
        func number(_ flag: String) throws -> Double {
            guard let n = Double(try value(flag)), n > 0 else { throw ProbeFailure("\(flag) takes a positive number") }
            return n
        }
        var recordDirectory: String?
        while let argument = rest.popFirst() {
            switch argument {
            case "--record": recordDirectory = try value(argument)
            case "--container":
                guard let parsed = RecordingContainer(rawValue: try value(argument)) else { throw ProbeFailure("--container takes mkv or mp4") }
                container = parsed
            case "--segment-seconds": segmentSeconds = try number(argument)
            case "--rtp": outputs.append(.rtp(address: try Endpoint.destination(value(argument)), sdpPath: try value(argument)))
            case "--srtp": outputs.append(.srtp(address: try Endpoint.destination(value(argument)), sdpPath: try value(argument), keyFile: try value(argument)))
            case "--size":
                let parts = try value(argument).split(separator: "x").compactMap { Int($0) }
                guard parts.count == 2 else { throw ProbeFailure("--size takes WIDTHxHEIGHT") }
                (width, height) = (parts[0], parts[1])
            case "--fps": fps = try number(argument)
            case "--bitrate": bitrateKbps = Int(try number(argument))
            case "--gop": gop = Int(try number(argument))
            case "--preset": preset = try value(argument)
            case "--source": source = try value(argument)
            case "--seconds": seconds = try number(argument)
            default: throw ProbeFailure("unexpected argument '\(argument)'")
            }
        }
        if let recordDirectory {
            outputs.append(.record(directory: recordDirectory, segmentSeconds: segmentSeconds, container: container, maxTotalBytes: nil))
        }
        guard !outputs.isEmpty else { throw ProbeFailure("usage: RecordProbe --record DIR [--rtp HOST:PORT SDP] [--srtp HOST:PORT SDP KEY] ...") }
    }
}

/// The frames to send, looped: a clip decoded up front (so decoding costs nothing while measuring),
/// or a moving gradient.
func frames(_ options: Options) throws -> [Picture] {
    guard let source = options.source else {
        return (0..<30).map { index in
            let picture = Picture(width: options.width, height: options.height)
            for y in 0..<picture.height {
                let row = picture.y.row(y)
                for x in 0..<picture.width { row[x] = UInt8(truncatingIfNeeded: x + y + index * 8) }
            }
            return picture
        }
    }
    let reader = try VideoReader(path: source)
    var pictures: [Picture] = []
    while pictures.count < 150 {
        let picture = Picture(width: reader.width, height: reader.height)
        guard try reader.read(into: picture, passthrough: { _ in }) else { break }
        pictures.append(picture)
    }
    guard !pictures.isEmpty else { throw ProbeFailure("'\(source)' has no frames") }
    return pictures
}

func milliseconds(_ seconds: Double) -> String {
    let tenths = Int((seconds * 1e4).rounded())
    return "\(tenths / 10).\(tenths % 10) ms"
}

func run() throws {
    LibraryLog.quiet()
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    let pictures = try frames(options)
    var logger = Logger(label: "veil.record-probe")
    logger.logLevel = .warning
    let outputs = try CameraOutputs(camera: "probe", width: pictures[0].width, height: pictures[0].height, frameRate: options.fps,
                                    encoder: EncoderOptions(preset: options.preset, bitrateKbps: options.bitrateKbps, gop: options.gop), outputs: options.outputs, logger: logger)
    outputs.start()
    let interval = UInt64(1e9 / options.fps)
    let begin = MonotonicClock.now()
    let end = options.seconds.map { begin + UInt64($0 * 1e9) }
    var submitted = 0
    var nextReport = begin + 1_000_000_000
    while end.map({ MonotonicClock.now() < $0 }) ?? true {
        MonotonicClock.sleep(until: begin + UInt64(submitted) * interval)
        outputs.submit(pictures[submitted % pictures.count], captureTime: MonotonicClock.now())
        submitted += 1
        if MonotonicClock.now() >= nextReport {
            print("frames \(submitted)")
            fflush(nil)  // every output stream: stdout is a C global Swift 6 will not read
            nextReport += 1_000_000_000
        }
    }
    outputs.stop()
    let statistics = outputs.statistics
    print("submitted \(statistics.framesSubmitted) dropped \(statistics.framesDropped) encoded \(statistics.framesEncoded)")
    print("encode per frame: mean \(milliseconds(statistics.encodeTime.mean)) p99 \(milliseconds(statistics.encodeTime.percentile(0.99)))")
    for output in statistics.outputs {
        print("\(output.name): sent \(output.sent) dropped \(output.dropped) errors \(output.errors) capture-to-packet "
              + "p50 \(milliseconds(output.latency.percentile(0.5))) p99 \(milliseconds(output.latency.percentile(0.99))) "
              + "max \(milliseconds(output.latency.maximum))")
    }
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("RecordProbe: \(error)\n".utf8))
    exit(1)
}
