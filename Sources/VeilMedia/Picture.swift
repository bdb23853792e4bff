/// One plane of 8-bit samples: a view into memory a `Picture` owns.
public struct Plane {
    public let base: UnsafeMutablePointer<UInt8>
    public let width: Int
    public let height: Int
    public let stride: Int

    public init(base: UnsafeMutablePointer<UInt8>, width: Int, height: Int, stride: Int) {
        self.base = base
        self.width = width
        self.height = height
        self.stride = stride
    }

    @inline(__always) public func row(_ y: Int) -> UnsafeMutablePointer<UInt8> { base + y * stride }

    public subscript(x: Int, y: Int) -> UInt8 {
        get { base[y * stride + x] }
        nonmutating set { base[y * stride + x] = newValue }
    }

    /// Sets every sample to value.
    public func fill(_ value: UInt8) {
        for y in 0..<height { row(y).update(repeating: value, count: width) }
    }

    public func copy(from other: Plane) {
        precondition(other.width == width && other.height == height, "plane sizes differ")
        for y in 0..<height { row(y).update(from: other.row(y), count: width) }
    }
}

/// A picture in I420 (planar YUV 4:2:0, BT.601 limited range), the pixel format Veil works in end to
/// end: the decoder usually gives it, the encoder takes it, and face work happens per plane. It owns
/// its memory (64-byte aligned rows, for SIMD) so that pipelines can reuse pictures instead of
/// allocating one per frame.
public final class Picture {
    public let width: Int
    public let height: Int
    public let y: Plane
    public let u: Plane
    public let v: Plane
    /// Presentation timestamp in the source stream's time base.
    public var pts: Int64 = 0
    private let storage: UnsafeMutableRawPointer

    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0, "picture size must be positive")
        self.width = width
        self.height = height
        let chromaWidth = (width + 1) / 2, chromaHeight = (height + 1) / 2
        let lumaStride = Picture.aligned(width), chromaStride = Picture.aligned(chromaWidth)
        let lumaBytes = lumaStride * height, chromaBytes = chromaStride * chromaHeight
        storage = UnsafeMutableRawPointer.allocate(byteCount: lumaBytes + 2 * chromaBytes, alignment: 64)
        let bytes = storage.bindMemory(to: UInt8.self, capacity: lumaBytes + 2 * chromaBytes)
        y = Plane(base: bytes, width: width, height: height, stride: lumaStride)
        u = Plane(base: bytes + lumaBytes, width: chromaWidth, height: chromaHeight, stride: chromaStride)
        v = Plane(base: bytes + lumaBytes + chromaBytes, width: chromaWidth, height: chromaHeight, stride: chromaStride)
        y.fill(16)
        u.fill(128)
        v.fill(128)
    }

    deinit { storage.deallocate() }

    public var planes: [Plane] { [y, u, v] }

    /// Copies another picture of the same size, timestamp included.
    public func copy(from other: Picture) {
        y.copy(from: other.y)
        u.copy(from: other.u)
        v.copy(from: other.v)
        pts = other.pts
    }

    private static func aligned(_ n: Int) -> Int { (n + 63) & ~63 }
}
