import Foundation
import Glibc
import VeilTestSupport
import XCTest

/// A systemd stand-in: an AF_UNIX datagram socket that `veil run` finds through NOTIFY_SOCKET, and
/// every message it received, in order, with when it came.
final class NotifyListener: @unchecked Sendable {
    let path: String
    private let socket: Int32
    private let lock = NSLock()
    private var received: [(time: Date, text: String)] = []

    init(directory: URL) throws {
        path = directory.appendingPathComponent("notify.sock").path
        socket = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard socket >= 0 else { throw XCTSkip("no AF_UNIX datagram sockets here") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(bound, 0, "bind \(path)")
        let thread = Thread { [self] in receive() }
        thread.start()
    }

    deinit { close(socket) }

    private func receive() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            guard count > 0 else { return }
            let text = String(decoding: buffer[0..<count], as: UTF8.self)
            lock.lock()
            received.append((Date(), text))
            lock.unlock()
        }
    }

    var messages: [(time: Date, text: String)] { lock.lock(); defer { lock.unlock() }; return received }

    /// Messages that hold an assignment starting with `prefix` (e.g. "READY=1").
    func times(of prefix: String) -> [Date] {
        messages.filter { $0.text.split(separator: "\n").contains { $0.hasPrefix(prefix) } }.map(\.time)
    }

    /// Waits until `prefix` has come `count` times; false on timeout.
    func wait(for prefix: String, count: Int = 1, timeout: TimeInterval) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if times(of: prefix).count >= count { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }
}

/// `veil run` as a child process, its log (stderr) collected.
final class DaemonProcess {
    let process = Process()
    private let log: PipeReader
    private var collected: String?

    init(config: String, environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: Run.veil)
        process.arguments = ["run", "--config", config]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        log = PipeReader(err.fileHandleForReading)
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Sends SIGTERM and waits for the exit; nil when it did not exit within `timeout`.
    func terminate(timeout: TimeInterval = 20) -> Int32? {
        signal(SIGTERM)
        let end = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < end { Thread.sleep(forTimeInterval: 0.05) }
        guard !process.isRunning else {
            signal(SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    /// Everything logged; only once the process has exited.
    var output: String {
        if collected == nil { collected = String(decoding: log.wait(), as: UTF8.self) }
        return collected!
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// A daemon config for tests: small file-fed cameras (the sample clip, played like a camera), in blur
/// mode unless told, each recording into `directory`/NAME. `sources`: other sources, by camera name.
func daemonConfig(cameras: [(name: String, fps: Int)], directory: URL, source: String, sources: [String: String] = [:],
                  realtime: Bool = true, http: String = "", mode: String = "blur", stabilityLog: String = "",
                  size: String = "320x180", consent: String = "", sourceTimeoutMs: Int = 2000) -> String {
    var text = """
        [daemon]
        http = "\(http)"
        stability_log = "\(stabilityLog)"

        [anonymize]
        mode = "\(mode)"
        consent = "\(consent)"

        """
    for camera in cameras {
        text += """

            [[camera]]
            name = "\(camera.name)"
            source = "\(sources[camera.name] ?? source)"
            size = "\(size)"
            fps = \(camera.fps)
            realtime = \(realtime)
            source_timeout_ms = \(sourceTimeoutMs)

              [[camera.output]]
              kind = "record"
              path = "\(directory.appendingPathComponent(camera.name).path)"
              segment_seconds = 600
              container = "mkv"
              max_total_gb = 1

            """
    }
    return text
}

/// The recordings a camera left, oldest first.
func recordings(of camera: String, in directory: URL) throws -> [String] {
    let folder = directory.appendingPathComponent(camera)
    return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".mkv") }.sorted()
        .map { folder.appendingPathComponent($0).path }
}

/// GET http://127.0.0.1:PORT/PATH with curl: status code and body.
func httpGet(port: Int, _ path: String) throws -> (status: Int, body: String) {
    let result = try Program.run("/usr/bin/curl", ["-s", "-w", "\n%{http_code}", "http://127.0.0.1:\(port)\(path)"])
    var lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    let status = Int(lines.popLast() ?? "") ?? 0
    return (status, lines.joined(separator: "\n"))
}

/// A viewer that sends `requests` pipelined GETs for `path` with a tiny receive buffer and never
/// reads: its connection, for the caller to close.
func stalledViewer(port: Int, path: String, requests: Int) throws -> Int32 {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw Probe.ProbeError(message: "socket: \(String(cString: strerror(errno)))") }
    var small: Int32 = 4096
    setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else {
        close(descriptor)
        throw Probe.ProbeError(message: "connect 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
    }
    let request = Array(String(repeating: "GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n", count: requests).utf8)
    _ = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
    return descriptor
}
