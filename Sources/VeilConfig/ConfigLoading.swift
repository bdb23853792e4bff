import Foundation
import TOMLKit
import VeilCore

extension VeilConfiguration {
    public static let defaultPath = "/etc/veil/veil.toml"

    /// Reads and checks a config file; throws the first problem as a ConfigError.
    /// - Parameter checkFiles: also check the files the config names (donors readable, SRTP key
    ///   present, private and well formed). Off only where those files live on another machine.
    public static func load(path: String, checkFiles: Bool = true) throws -> VeilConfiguration {
        try parse(text: readText(path), path: path, checkFiles: checkFiles)
    }

    /// Parses and checks config text; `path` names the file in errors.
    public static func parse(text: String, path: String, checkFiles: Bool = true) throws -> VeilConfiguration {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let position = error.source.begin
            throw ConfigError(file: path, location: "line \(position.line), column \(position.column)",
                              problem: error.description)
        }
        var reader = ConfigReader(checkFiles: checkFiles)
        return try reader.read(TableReader(table: root, path: "", file: path))
    }

    private static func readText(_ path: String) throws -> String {
        guard access(path, R_OK) == 0 else {
            throw ConfigError(file: path, location: nil, problem: "cannot read: \(errnoText(errno))")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ConfigError(file: path, location: nil, problem: "cannot read: Is a directory")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, location: nil, problem: "cannot read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, location: nil, problem: "is not UTF-8 text")
        }
        return text
    }
}

/// One pass over the document in file order: each section is read, range-checked and checked
/// against what came before it (names, addresses and files already claimed), so the first problem
/// reported is the first in the file.
struct ConfigReader {
    let checkFiles: Bool
    private var claims = ResourceClaims()
    private var cameraNames: [String: String] = [:]

    init(checkFiles: Bool) {
        self.checkFiles = checkFiles
    }

    mutating func read(_ root: TableReader) throws -> VeilConfiguration {
        try root.allowOnly(["daemon", "anonymize", "camera"], in: "the file")
        let daemon = try readDaemon(root.table("daemon"))
        let anonymize = try readAnonymize(root.table("anonymize"))
        guard let cameraTables = try root.tables("camera"), !cameraTables.isEmpty else {
            throw root.error("camera", "at least one [[camera]] is required")
        }
        var cameras: [VeilConfiguration.Camera] = []
        for camera in cameraTables {
            cameras.append(try readCamera(camera))
        }
        return VeilConfiguration(daemon: daemon, anonymize: anonymize, cameras: cameras)
    }

    private func readDaemon(_ section: TableReader?) throws -> VeilConfiguration.Daemon {
        var daemon = VeilConfiguration.Daemon(http: .init(host: "127.0.0.1", port: 9480), logLevel: .info,
                                              stabilityLog: "/var/log/veil/stability.jsonl")
        guard let section else { return daemon }
        try section.allowOnly(["http", "http_token_file", "log_level", "stability_log", "stability_log_max_mb", "stability_log_keep"],
                              in: "[daemon]")
        if let http = try section.string("http") {
            daemon.http = try http.isEmpty ? nil : Self.endpoint(http, key: "http", in: section)
        }
        if let token = try section.string("http_token_file"), !token.isEmpty {
            daemon.httpTokenFile = try section.absolutePath("http_token_file")
            if checkFiles, let problem = FileChecks.tokenProblem(token) { throw section.error("http_token_file", problem) }
        }
        // The page shows the anonymized picture and the figures: beyond this machine, only to whoever holds the token.
        if let http = daemon.http, !http.isLoopback, daemon.httpTokenFile == nil {
            throw section.error("http", "\"\(http)\" is reachable from other machines: set http_token_file to a 0600 file holding a token")
        }
        daemon.logLevel = try section.choice("log_level") ?? daemon.logLevel
        if let log = try section.string("stability_log") {
            daemon.stabilityLog = try log.isEmpty ? nil : section.absolutePath("stability_log")
        }
        daemon.stabilityLogMaxMB = try section.int("stability_log_max_mb", in: 1...100_000) ?? daemon.stabilityLogMaxMB
        daemon.stabilityLogKeep = try section.int("stability_log_keep", in: 1...1000) ?? daemon.stabilityLogKeep
        return daemon
    }

    private func readAnonymize(_ section: TableReader?) throws -> VeilConfiguration.Anonymize {
        var anonymize = VeilConfiguration.Anonymize(mode: .swap, donors: nil, identityMargin: IdentityThresholds.defaultMargin,
                                                    onStall: .blurFrame)
        guard let section else { return anonymize }
        try section.allowOnly(["mode", "donors", "identity_margin", "on_stall", "consent", "consent_distance"], in: "[anonymize]")
        anonymize.mode = try section.choice("mode") ?? anonymize.mode
        anonymize.donors = try section.absolutePath("donors")
        if let donors = anonymize.donors, checkFiles, let problem = FileChecks.donorProblem(donors) {
            throw section.error("donors", problem)
        }
        anonymize.identityMargin = try section.number("identity_margin", in: IdentityThresholds.lowestMargin...2)
            ?? anonymize.identityMargin
        anonymize.onStall = try section.choice("on_stall") ?? anonymize.onStall
        if let consent = try section.string("consent"), !consent.isEmpty {
            anonymize.consent = try section.absolutePath("consent")
            if checkFiles, let problem = FileChecks.consentProblem(consent) { throw section.error("consent", problem) }
        }
        anonymize.consentDistance = try section.number("consent_distance", in: 0.1...IdentityThresholds.largestConsentDistance)
            ?? anonymize.consentDistance
        return anonymize
    }

    private mutating func readCamera(_ camera: TableReader) throws -> VeilConfiguration.Camera {
        try camera.allowOnly(["name", "source", "size", "fps", "format", "budget_ms", "realtime", "source_timeout_ms", "output",
                              "encoder"],
                             in: "a [[camera]]")
        let name = try camera.require("name", camera.nonEmptyString("name"))
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw camera.error("name", "\"\(name)\" may hold only letters, digits, '.', '_' and '-' (it names files)")
        }
        if let first = cameraNames[name] {
            throw camera.error("name", "\"\(name)\" is already the name of \(first)")
        }
        cameraNames[name] = camera.path

        let source = try camera.require("source", camera.nonEmptyString("source"))
        // A V4L2 device streams to one reader only; files and URLs may feed several cameras.
        if case .device = CameraSource(source), let owner = claims.claim("device " + source, by: camera.keyPath("source")) {
            throw camera.error("source", "\(source) is already used by \(owner)")
        }
        let size = try Self.size(camera.string("size") ?? "1280x720", in: camera)
        let fps = try camera.int("fps", in: 1...120) ?? 30
        let format = try camera.choice("format", as: VeilConfiguration.PixelFormat.self) ?? .auto
        let budget = try camera.int("budget_ms", in: 1...1000) ?? LatencyBudget.defaultMilliseconds(fps: fps)
        let realtime = try camera.bool("realtime") ?? true
        let sourceTimeout = try camera.int("source_timeout_ms", in: 100...60_000) ?? VeilConfiguration.defaultSourceTimeoutMs

        guard let outputTables = try camera.tables("output"), !outputTables.isEmpty else {
            throw camera.error("output", "at least one [[camera.output]] is required")
        }
        var outputs: [VeilConfiguration.Output] = []
        for output in outputTables {
            outputs.append(try readOutput(output))
        }
        let encoder = try readEncoder(camera.table("encoder"), fps: fps)
        return VeilConfiguration.Camera(name: name, source: source, size: size, fps: fps, format: format, budgetMs: budget,
                                        realtime: realtime, sourceTimeoutMs: sourceTimeout, outputs: outputs, encoder: encoder)
    }

    private mutating func readOutput(_ output: TableReader) throws -> VeilConfiguration.Output {
        // The kind decides which keys belong, so it is read before the others are judged.
        let kind = try output.require("kind", output.choice("kind", as: VeilConfiguration.Output.Kind.self))
        let keys: [String]
        switch kind {
        case .rtp: keys = ["kind", "address", "sdp"]
        case .srtp: keys = ["kind", "address", "sdp", "key_file"]
        case .record: keys = ["kind", "path", "segment_seconds", "container", "max_total_gb"]
        case .loopback: keys = ["kind", "device"]
        }
        try output.allowOnly(keys, in: "an output of kind \"\(kind.rawValue)\"")

        switch kind {
        case .rtp:
            let address = try readAddress(output)
            return .rtp(.init(address: address, sdp: try readSDP(output)))
        case .srtp:
            let address = try readAddress(output)
            let sdp = try readSDP(output)
            let keyFile = try output.require("key_file", output.absolutePath("key_file"))
            if checkFiles, let problem = FileChecks.srtpKeyProblem(keyFile) {
                throw output.error("key_file", problem)
            }
            return .srtp(.init(address: address, sdp: sdp, keyFile: keyFile))
        case .record:
            let path = try output.require("path", output.absolutePath("path"))
            try claim("directory " + (path as NSString).standardizingPath, key: "path", in: output, shown: path)
            return .record(.init(path: path,
                                 segmentSeconds: try output.int("segment_seconds", atLeast: 1) ?? 600,
                                 container: try output.choice("container") ?? .mkv,
                                 maxTotalGB: try output.number("max_total_gb", above: 0) ?? 50))
        case .loopback:
            let device = try output.require("device", output.absolutePath("device"))
            try claim("device " + device, key: "device", in: output, shown: device)
            return .loopback(.init(device: device))
        }
    }

    /// RTP sends from the port and RTCP from the next one (RFC 3550), so two streams to one host
    /// collide when their ports are equal or adjacent.
    private mutating func readAddress(_ output: TableReader) throws -> Endpoint {
        let text = try output.require("address", output.nonEmptyString("address"))
        let address = try Self.endpoint(text, key: "address", in: output)
        let host = address.host.lowercased()
        if let owner = claims.owner(of: "udp \(host) \(address.port)") {
            throw output.error("address", "\(text) is already used by \(owner)")
        }
        for port in [address.port - 1, address.port + 1] {
            if let owner = claims.owner(of: "udp \(host) \(port)") {
                throw output.error("address", "\(text) is next to \(owner), port \(port) (RTP also uses the next port, for RTCP)")
            }
        }
        claims.claim("udp \(host) \(address.port)", by: output.keyPath("address"))
        return address
    }

    private mutating func readSDP(_ output: TableReader) throws -> String? {
        guard let sdp = try output.absolutePath("sdp") else { return nil }
        try claim("file " + (sdp as NSString).standardizingPath, key: "sdp", in: output, shown: sdp)
        return sdp
    }

    private mutating func claim(_ resource: String, key: String, in table: TableReader, shown: String) throws {
        if let owner = claims.claim(resource, by: table.keyPath(key)) {
            throw table.error(key, "\(shown) is already used by \(owner)")
        }
    }

    private func readEncoder(_ section: TableReader?, fps: Int) throws -> VeilConfiguration.Encoder {
        var encoder = VeilConfiguration.Encoder(codec: "libx264", preset: "veryfast", bitrateKbps: 3000, gop: fps)
        guard let section else { return encoder }
        try section.allowOnly(["codec", "preset", "bitrate_kbps", "gop"], in: "[camera.encoder]")
        encoder.codec = try section.nonEmptyString("codec") ?? encoder.codec
        encoder.preset = try section.nonEmptyString("preset") ?? encoder.preset
        // The upper bound catches a rate written in bits per second.
        encoder.bitrateKbps = try section.int("bitrate_kbps", in: 100...100_000) ?? encoder.bitrateKbps
        encoder.gop = try section.int("gop", in: 1...10_000) ?? encoder.gop
        return encoder
    }

    static func size(_ text: String, in camera: TableReader) throws -> VeilConfiguration.Size {
        let parts = text.split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]) else {
            throw camera.error("size", "\"\(text)\" is not WIDTHxHEIGHT (e.g. \"1280x720\")")
        }
        // Even, for 4:2:0 chroma; the bounds catch typos.
        guard width % 2 == 0, height % 2 == 0, (16...8192).contains(width), (16...8192).contains(height) else {
            throw camera.error("size", "\(text): width and height must be even, from 16 to 8192")
        }
        return .init(width: width, height: height)
    }

    /// `host:port`, `[ipv6]:port`.
    static func endpoint(_ text: String, key: String, in table: TableReader) throws -> Endpoint {
        do {
            return try Endpoint(parsing: text)
        } catch {
            throw table.error(key, error.description)
        }
    }
}

/// Things only one part of the config may use (a device, a directory, a UDP port on a host), each
/// with the key path of the part that took it first.
struct ResourceClaims {
    private var owners: [String: String] = [:]

    func owner(of resource: String) -> String? { owners[resource] }

    /// Records `keyPath` as the owner; returns the earlier owner instead when there is one.
    @discardableResult
    mutating func claim(_ resource: String, by keyPath: String) -> String? {
        if let owner = owners[resource] { return owner }
        owners[resource] = keyPath
        return nil
    }
}
