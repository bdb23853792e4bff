import VeilCore

/// The time between frames as V4L2 keeps it: an exact fraction of a second (1/30, 1001/30000).
public struct FrameInterval: Hashable, CustomStringConvertible, Sendable {
    public let numerator: UInt32
    public let denominator: UInt32

    public init(numerator: UInt32, denominator: UInt32) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// The interval for a rate: whole rates exactly (30 → 1/30), others in thousandths (29.97 →
    /// 1000/29970), which every driver rounds to the nearest interval it supports.
    public init(framesPerSecond: Double) {
        precondition(framesPerSecond > 0, "a frame rate must be positive")
        if framesPerSecond == framesPerSecond.rounded() {
            self.init(numerator: 1, denominator: UInt32(framesPerSecond))
        } else {
            self.init(numerator: 1000, denominator: UInt32((framesPerSecond * 1000).rounded()))
        }
    }

    public var isValid: Bool { numerator > 0 && denominator > 0 }

    public var framesPerSecond: Double { isValid ? Double(denominator) / Double(numerator) : 0 }

    public var description: String { "\(numerator)/\(denominator)" }
}

/// The frame rates a driver offers at one size.
public enum FrameRates: Equatable, Sendable {
    case discrete([FrameInterval])
    /// Any interval from `shortest` (the highest rate) to `longest` in steps of `step`.
    case stepwise(shortest: FrameInterval, longest: FrameInterval, step: FrameInterval)
    /// The driver does not list rates (VIDIOC_ENUM_FRAMEINTERVALS unsupported).
    case unlisted

    /// Whether a rate is offered, within 1% (drivers round 29.97 and 30 differently).
    public func offers(framesPerSecond rate: Double) -> Bool {
        func close(_ interval: FrameInterval) -> Bool { abs(interval.framesPerSecond - rate) <= rate * 0.01 }
        switch self {
        case let .discrete(intervals): return intervals.contains(where: close)
        case let .stepwise(shortest, longest, _):
            return rate <= shortest.framesPerSecond * 1.01 && rate >= longest.framesPerSecond * 0.99
        case .unlisted: return false
        }
    }
}

/// One size a driver lists, with the rates it offers there.
public struct SizeRates: Equatable, Sendable {
    public let size: FrameSize
    public let rates: FrameRates
}

/// The frame sizes a driver offers for one pixel format.
public enum FrameSizes: Sendable {
    /// Each size with its rates (UVC cameras list these).
    case discrete([SizeRates])
    /// Any size from `smallest` to `largest` in steps of `step`; `rates` are those at the largest size.
    case stepwise(smallest: FrameSize, largest: FrameSize, step: FrameSize, rates: FrameRates)
    /// The driver does not list sizes (VIDIOC_ENUM_FRAMESIZES unsupported).
    case unlisted

    /// The rates offered at a size, or nil where that size is not offered.
    public func rates(at size: FrameSize) -> FrameRates? {
        switch self {
        case let .discrete(sizes):
            return sizes.first(where: { $0.size == size })?.rates
        case let .stepwise(smallest, largest, step, rates):
            guard size.width >= smallest.width, size.width <= largest.width,
                  size.height >= smallest.height, size.height <= largest.height,
                  (size.width - smallest.width) % max(step.width, 1) == 0,
                  (size.height - smallest.height) % max(step.height, 1) == 0 else { return nil }
            return rates
        case .unlisted:
            return nil
        }
    }
}
