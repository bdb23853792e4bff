import CFFmpeg

/// A frame rate or time base as FFmpeg keeps it: an exact fraction, so timestamps survive a round trip.
public struct Rational: Equatable, CustomStringConvertible, Sendable {
    public let numerator: Int32
    public let denominator: Int32

    public init(_ numerator: Int32, _ denominator: Int32) {
        self.numerator = numerator
        self.denominator = denominator
    }

    init(_ value: AVRational) { self.init(value.num, value.den) }

    var av: AVRational { AVRational(num: numerator, den: denominator) }

    /// Unknown rates come out of FFmpeg as 0/0 or n/0.
    public var isValid: Bool { numerator > 0 && denominator > 0 }

    public var value: Double { denominator == 0 ? 0 : Double(numerator) / Double(denominator) }

    public var description: String { "\(numerator)/\(denominator)" }
}
