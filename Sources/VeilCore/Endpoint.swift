/// A host (name, IPv4, or IPv6 without brackets) and a port, written "host:port" or "[ipv6]:port":
/// the daemon's HTTP address and every RTP/SRTP destination, parsed by this one rule.
public struct Endpoint: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Why a text is not an endpoint, as one clause that quotes it.
    public struct SyntaxError: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    public init(parsing text: String) throws(SyntaxError) {
        let host: Substring, port: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") {
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else if let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") {
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        } else {
            throw SyntaxError(description: "\"\(text)\" is not HOST:PORT (e.g. \"127.0.0.1:5004\", \"[::1]:5004\")")
        }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace) else {
            throw SyntaxError(description: "\"\(text)\" has no host (HOST:PORT)")
        }
        guard let number = Int(port), (1...65535).contains(number) else {
            throw SyntaxError(description: "\"\(text)\": port must be a number from 1 to 65535")
        }
        self.init(host: String(host), port: number)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Reachable from this machine only: 127.0.0.0/8, ::1 or "localhost". Anything else (a LAN address,
    /// 0.0.0.0, a name) may be reached from elsewhere.
    public var isLoopback: Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
