import Glibc

/// A configured "host:port" or "[ipv6]:port" destination.
struct NetworkAddress: Equatable, CustomStringConvertible {
    let host: String
    let port: Int

    init(parsing text: String) throws {
        let host: Substring, port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw OutputError("address '\(text)': an IPv6 address is written [address]:port")
            }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw OutputError("address '\(text)' has no port (host:port)") }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            if host.contains(":") { throw OutputError("address '\(text)': write an IPv6 address as [address]:port") }
        }
        guard !host.isEmpty else { throw OutputError("address '\(text)' has no host") }
        guard let number = Int(port), (1...65535).contains(number) else {
            throw OutputError("address '\(text)': the port must be a number from 1 to 65535")
        }
        self.host = String(host)
        self.port = number
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// 224.0.0.0/4 or ff00::/8. A host name is never multicast here: multicast groups are configured
    /// as literal addresses.
    var isMulticast: Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return (UInt32(bigEndian: v4.s_addr) >> 28) == 0xE }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 { return withUnsafeBytes(of: &v6) { $0[0] } == 0xFF }
        return false
    }
}
