import Foundation
import Glibc

/// A real server run as a child for the length of a test (an RTSP server, ffmpeg serving a stream):
/// stopped, frozen and thawed as an outage would.
public final class BackgroundProgram {
    public let process = Process()
    /// Its stderr goes to a file: a pipe's write end, inherited by children started later, would
    /// never close.
    private let errors = URL(fileURLWithPath: NSTemporaryDirectory() + "veil-server-\(UUID().uuidString).log")

    public init(_ path: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
    }

    /// Freezes it (SIGSTOP): its sockets stay open and send nothing, as a hung camera's.
    public func freeze() { kill(process.processIdentifier, SIGSTOP) }
    public func thaw() { kill(process.processIdentifier, SIGCONT) }

    /// Ends it (SIGKILL: gone at once, as a crashed or unplugged server) and returns what it wrote to stderr.
    @discardableResult
    public func stop() -> String {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        defer { try? FileManager.default.removeItem(at: errors) }
        return (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
    }

    deinit { stop() }
}

public enum Ports {
    public struct Unavailable: Error, CustomStringConvertible {
        public let description = "cannot bind a TCP port on 127.0.0.1"
    }

    /// A TCP port nothing listens on now (bound once by us, then released).
    public static func free() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard bound == 0 else { throw Unavailable() }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Waits until something listens on `port` (TCP, any address); false after `timeout` seconds. Read
    /// from /proc/net/tcp rather than by connecting: a server that serves one client (ffmpeg's
    /// `-listen 1`) would take the probe for it.
    public static func waitUntilListening(_ port: Int, timeout: Double) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        let local = ":" + String(format: "%04X", port)
        while Date() < end {
            let table = (try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)) ?? ""
            // Columns: sl, local_address (HEXIP:HEXPORT), rem_address, st (0A: LISTEN), ...
            let listening = table.split(separator: "\n").dropFirst().contains { line in
                let fields = line.split(separator: " ")
                return fields.count > 3 && fields[1].hasSuffix(local) && fields[3] == "0A"
            }
            if listening { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }
}

/// A TCP server that takes connections and never answers: the kernel completes every handshake (the
/// listen backlog), nothing is ever read or sent. The hang a network camera's server can fall into.
public final class SilentServer {
    public let port: Int
    private let fd: Int32

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Ports.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0, getsockname(fd, pointer, &length) == 0 else { return -1 }
                return listen(fd, 16)
            }
        }
        guard bound == 0 else {
            close(fd)
            throw Ports.Unavailable()
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}

/// A real RTSP server from Debian's packages (rtsp-server-perl, on loopback) with ffmpeg publishing a
/// moving test pattern to it (H.264, `fps`), as an IP camera serves one. Clients read
/// `rtsp://127.0.0.1:PORT/cam` (RTP over UDP: this server does not interleave over TCP).
public final class RTSPCamera {
    public let clientPort: Int
    public let sourcePort: Int
    public var url: String { "rtsp://127.0.0.1:\(clientPort)/cam" }
    private var server: BackgroundProgram?
    private var publisher: BackgroundProgram?
    private let size: String
    private let fps: Int

    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    public init(size: String = "320x180", fps: Int = 10) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/rtsp-server-perl") else {
            throw Unavailable(description: "rtsp-server-perl is not installed (make setup)")
        }
        clientPort = try Ports.free()
        sourcePort = try Ports.free()
        self.size = size
        self.fps = fps
    }

    /// Starts the server and the publisher; returns once the server answers clients.
    public func start() throws {
        let server = try BackgroundProgram("/usr/bin/rtsp-server-perl", [
            "--clientport", "\(clientPort)", "--serverport", "\(sourcePort)", "--client_listen_address", "127.0.0.1",
            "--source_listen_address", "127.0.0.1", "--rtp_start_port", "\(20_000 + clientPort % 20_000)", "--loglevel", "1"])
        guard Ports.waitUntilListening(sourcePort, timeout: 20), Ports.waitUntilListening(clientPort, timeout: 20) else {
            throw Unavailable(description: "rtsp-server-perl did not listen: \(server.stop())")
        }
        self.server = server
        publisher = try BackgroundProgram("/usr/bin/ffmpeg", [
            "-v", "error", "-nostdin", "-re", "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=\(fps)",
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "\(fps)", "-pix_fmt", "yuv420p",
            "-f", "rtsp", "rtsp://127.0.0.1:\(sourcePort)/cam"])
    }

    /// Ends the server and the publisher at once (a camera's power cut).
    public func stop() {
        publisher?.stop()
        server?.stop()
        publisher = nil
        server = nil
    }

    deinit { stop() }
}
