/// A 128-d identity descriptor from dlib's ResNet: two faces of one person are usually closer than 0.6.
public struct FaceDescriptor: Sendable {
    public let values: [Float]

    public init(values: [Float]) { self.values = values }

    public func distance(to other: FaceDescriptor) -> Float {
        var sum: Float = 0
        for i in values.indices { let d = values[i] - other.values[i]; sum += d * d }
        return sum.squareRoot()
    }
}
