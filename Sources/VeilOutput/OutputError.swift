/// A camera's outputs cannot be set up as configured: one line that names the file, address or
/// option and what is wrong with it. Never holds key material.
public struct OutputError: Error, Equatable, CustomStringConvertible, Sendable {
    public let description: String

    init(_ description: String) { self.description = description }
}
