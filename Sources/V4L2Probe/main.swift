// V4L2Probe: the guest side of `make test-v4l2`. Runs inside the vivid VM (scripts/v4l2-vm.sh) and
// checks VeilCapture against a real kernel driver: enumeration, negotiation, mmap streaming into
// pictures, timestamps, and, with --unplug-marker, a device that goes away mid-stream and comes back.
//
//   V4L2Probe DEVICE --frames N --size WxH [--format FOURCC] -o OUT.y4m [--unplug-marker FILE]
//
// Writes the captured frames (N, or 2N with the unplug round) as Y4M, prints what it sees, exits 1
// on the first thing that is wrong.
import Glibc
import VeilCapture
import VeilCore
import VeilMedia

struct ProbeFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct Options {
    var device = ""
    var frames = 20
    var size = FrameSize(width: 640, height: 360)
    var format = PixelFormat.yuyv
    var output = ""
    var unplugMarker: String?

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = rest.popFirst() else { throw ProbeFailure("\(flag) needs a value") }
            return next
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--frames":
                guard let n = Int(try value(argument)), n > 0 else { throw ProbeFailure("--frames takes a positive count") }
                frames = n
            case "--size":
                let parts = try value(argument).split(separator: "x").compactMap { Int($0) }
                guard parts.count == 2 else { throw ProbeFailure("--size takes WIDTHxHEIGHT") }
                size = FrameSize(width: parts[0], height: parts[1])
            case "--format":
                let name = try value(argument)
                guard let parsed = PixelFormat(name: name) else { throw ProbeFailure("unknown pixel format '\(name)'") }
                format = parsed
            case "-o": output = try value(argument)
            case "--unplug-marker": unplugMarker = try value(argument)
            default:
                guard device.isEmpty, !argument.hasPrefix("-") else { throw ProbeFailure("unexpected argument '\(argument)'") }
                device = argument
            }
        }
        guard !device.isEmpty, !output.isEmpty else {
            throw ProbeFailure("usage: V4L2Probe DEVICE --frames N --size WxH [--format FOURCC] -o OUT.y4m [--unplug-marker FILE]")
        }
    }
}

/// Frames as YUV4MPEG2: a text header, then "FRAME" and the three planes per frame.
final class Y4MFile {
    private let file: UnsafeMutablePointer<FILE>
    private let path: String

    init(path: String, size: FrameSize, interval: FrameInterval?) throws {
        guard let file = fopen(path, "wb") else { throw ProbeFailure("cannot create '\(path)': \(errnoText(errno))") }
        self.file = file
        self.path = path
        let rate = interval.map { "\($0.denominator):\($0.numerator)" } ?? "30:1"
        try write("YUV4MPEG2 W\(size.width) H\(size.height) F\(rate) Ip A1:1 C420jpeg XCOLORRANGE=LIMITED\n")
    }

    deinit { fclose(file) }

    func append(_ picture: Picture) throws {
        try write("FRAME\n")
        for plane in picture.planes {
            for row in 0..<plane.height where fwrite(plane.row(row), 1, plane.width, file) != plane.width {
                throw ProbeFailure("cannot write '\(path)': \(errnoText(errno))")
            }
        }
    }

    private func write(_ text: String) throws {
        guard fputs(text, file) >= 0 else { throw ProbeFailure("cannot write '\(path)': \(errnoText(errno))") }
    }
}

func say(_ line: String) {
    print("probe: \(line)")
    fflush(nil)  // every output stream: stdout is a C global Swift 6 will not read
}

/// Opens the device and checks that the driver granted what was asked (vivid grants everything).
func openDevice(_ options: Options) throws -> CaptureDevice {
    let request = CaptureRequest(size: options.size, framesPerSecond: 30, formats: [options.format], timeoutSeconds: 5)
    let device = try CaptureDevice(path: options.device, request: request)
    say("opened \(device.path): \(device.card) (\(device.driver)), granted \(device.granted)")
    guard device.granted.format == options.format, device.granted.size == options.size else {
        throw ProbeFailure("asked for \(options.format) \(options.size), granted \(device.granted)")
    }
    return device
}

/// Reads `count` frames into the file, checking that timestamps increase, sequence numbers never go
/// back, and timestamps are recent readings of CLOCK_MONOTONIC. A sequence number may repeat: vivid,
/// starved of CPU under emulation, once gave its first two buffers sequence 0 (a resync of its
/// counter), with distinct, increasing timestamps.
func capture(_ count: Int, from device: CaptureDevice, into output: Y4MFile, picture: Picture) throws {
    var previous: FrameInfo?
    for index in 0..<count {
        let info = try device.read(into: picture)
        let age = Double(Int64(MonotonicClock.now()) - info.timestampNanoseconds) / 1e9
        say("frame \(index): sequence \(info.sequence), timestamp \(Double(info.timestampNanoseconds) / 1e9) s"
            + " (\(info.isMonotonic ? "monotonic" : "other clock"), \(thousandths(age)) s old), \(info.byteCount) bytes")
        if let previous, info.sequence < previous.sequence || info.timestampNanoseconds <= previous.timestampNanoseconds {
            throw ProbeFailure("frame \(index) (sequence \(info.sequence), \(info.timestampNanoseconds) ns) does not follow frame "
                               + "\(index - 1) (sequence \(previous.sequence), \(previous.timestampNanoseconds) ns)")
        }
        // Drivers stamp frames with their nominal time (vivid's can be a little ahead of the clock).
        guard info.isMonotonic, abs(age) < 10 else { throw ProbeFailure("frame \(index)'s timestamp is not a recent monotonic time") }
        guard picture.pts == info.timestampNanoseconds / 1000 else { throw ProbeFailure("picture pts is not the driver timestamp") }
        try output.append(picture)
        previous = info
    }
    say("captured \(count) frames; damaged \(device.damagedFrames), dropped by the driver \(device.droppedFrames)")
}

func thousandths(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

/// Keeps reading until the device fails (the rig unbinds the driver once the marker exists), and
/// checks that the failure is reported as a disconnection, in bounded time.
func awaitUnplug(_ device: CaptureDevice, marker: String, picture: Picture) throws {
    guard let file = fopen(marker, "w") else { throw ProbeFailure("cannot create '\(marker)'") }
    fclose(file)
    say("asked the rig to unplug the device")
    let start = Int64(MonotonicClock.now())
    var frames = 0
    while true {
        do {
            _ = try device.read(into: picture)
            frames += 1
            guard Int64(MonotonicClock.now()) - start < 120_000_000_000 else { throw ProbeFailure("the device never went away") }
        } catch let error as CaptureError {
            guard case .disconnected = error else { throw error }
            let seconds = thousandths(Double(Int64(MonotonicClock.now()) - start) / 1e9)
            say("device lost after \(frames) more frames, \(seconds) s after asking: \(error)")
            return
        }
    }
}

/// Reopens with backoff until the device is back, printing each failed attempt.
func reopen(_ options: Options) throws -> CaptureDevice {
    var backoff = ReconnectBackoff()
    let start = Int64(MonotonicClock.now())
    var delay = backoff.nextDelay()
    while true {
        usleep(useconds_t(delay * 1e6))
        do {
            let device = try openDevice(options)
            say("reopened after \(thousandths(Double(Int64(MonotonicClock.now()) - start) / 1e9)) s")
            return device
        } catch let error as CaptureError where error.isDeviceLoss {
            guard Int64(MonotonicClock.now()) - start < 120_000_000_000 else { throw ProbeFailure("the device did not come back in 120 s") }
            delay = backoff.nextDelay()
            say("reopen failed, next try in \(delay) s: \(error)")
        }
    }
}

/// The first round: capture, then (with a marker) wait for the unplug. The device is closed on return,
/// which lets the driver's node go: a rebound driver gets the same /dev/videoN only once it has.
func firstRound(_ options: Options, picture: Picture) throws -> Y4MFile {
    let device = try openDevice(options)
    let output = try Y4MFile(path: options.output, size: options.size, interval: device.granted.interval)
    try capture(options.frames, from: device, into: output, picture: picture)
    if let marker = options.unplugMarker { try awaitUnplug(device, marker: marker, picture: picture) }
    return output
}

func run() throws {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    let list = VideoDevices.list()
    for device in list.devices {
        say("found \(device.path): \(device.card) (\(device.driver), \(device.busInfo)), \(device.formats.count) formats")
    }
    for problem in list.unreadable { say("unreadable: \(problem)") }
    guard let listed = list.devices.first(where: { $0.path == options.device }) else {
        throw ProbeFailure("\(options.device) is not among the capture devices found")
    }
    guard let format = listed.formats.first(where: { $0.format == options.format }),
          format.sizes.rates(at: options.size) != nil else {
        throw ProbeFailure("\(options.device) does not list \(options.format) at \(options.size)")
    }

    let picture = Picture(width: options.size.width, height: options.size.height)
    let output = try firstRound(options, picture: picture)
    if options.unplugMarker != nil {
        let device = try reopen(options)
        try capture(options.frames, from: device, into: output, picture: picture)
    }
    say("ok")
}

do {
    try run()
} catch {
    print("probe: error: \(error)")
    exit(1)
}
