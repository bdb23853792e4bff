/// An error for the user: one line that names what failed and where (a file, an address, a model, an
/// option) and why, printed as it is, with no key material or pixels in it. The errors with structure
/// of their own (a config key path, an FFmpeg operation, a device) describe themselves the same way.
public struct UserError: Error, Equatable, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
