/// A frame size in pixels: a camera's in the config, a driver's in V4L2.
public struct FrameSize: Hashable, CustomStringConvertible, Sendable {
    public let width: Int
    public let height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public var description: String { "\(width)x\(height)" }
}
