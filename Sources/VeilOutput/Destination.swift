import Glibc
import VeilCore

extension Endpoint {
    /// A destination given as text (a probe's or a test's argument), refused with a UserError that quotes it.
    public static func destination(_ text: String) throws -> Endpoint {
        do {
            return try Endpoint(parsing: text)
        } catch {
            throw UserError("address \(error.description)")
        }
    }

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
