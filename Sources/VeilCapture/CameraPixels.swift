import VeilMedia

/// Uncompressed camera frames into I420 pictures. These run on every frame at the camera's rate, so
/// they work on 32-byte vectors (SIMD16<UInt16>: each lane one luma byte and one chroma byte of
/// YUYV, or one U V pair of NV12) that LLVM turns into SSE shuffles and averages, with wrapping
/// arithmetic and no bounds checks: YUYV to I420 at 720p took 0.1-0.13 ms on a 2-core build machine,
/// against 0.4-0.6 ms for a word-at-a-time (UInt64) version and 0.6 ms for a byte loop. Leftover
/// columns (widths that are not a multiple of 16) go through a scalar tail.
///
/// Sizes are the picture's; `bytesPerLine` is the driver's row pitch (often padded). Widths are even
/// (the caller checks what the driver granted); an odd height's last row is its own chroma pair.
enum CameraPixels {
    /// Packed YUYV 4:2:2 (Y0 U Y1 V) to I420: luma copied, each chroma sample the rounded mean of the
    /// two rows it covers, as FFmpeg's yuyv422 → yuv420p does.
    static func yuyvToI420(_ source: UnsafeRawPointer, bytesPerLine: Int, into picture: Picture) {
        let width = picture.width, height = picture.height
        let blocks = width / 16  // 32 source bytes: 16 luma, 8 U, 8 V
        for chromaRow in 0..<(height + 1) / 2 {
            let row = 2 * chromaRow
            let last = row + 1 == height
            let top = source + row * bytesPerLine, bottom = last ? top : top + bytesPerLine
            let yTop = UnsafeMutableRawPointer(picture.y.row(row))
            let yBottom = last ? yTop : UnsafeMutableRawPointer(picture.y.row(row + 1))
            let u = UnsafeMutableRawPointer(picture.u.row(chromaRow)), v = UnsafeMutableRawPointer(picture.v.row(chromaRow))
            var block = 0
            while block < blocks {
                // Little-endian lanes: luma in the low byte, U or V (alternately) in the high byte.
                let a = top.loadUnaligned(fromByteOffset: block &* 32, as: SIMD16<UInt16>.self)
                let b = bottom.loadUnaligned(fromByteOffset: block &* 32, as: SIMD16<UInt16>.self)
                yTop.storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: a), toByteOffset: block &* 16, as: SIMD16<UInt8>.self)
                yBottom.storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: b), toByteOffset: block &* 16, as: SIMD16<UInt8>.self)
                let mean = ((a &>> 8) &+ (b &>> 8) &+ 1) &>> 1
                u.storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: mean.evenHalf), toByteOffset: block &* 8, as: SIMD8<UInt8>.self)
                v.storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: mean.oddHalf), toByteOffset: block &* 8, as: SIMD8<UInt8>.self)
                block &+= 1
            }
            let t = top.assumingMemoryBound(to: UInt8.self), d = bottom.assumingMemoryBound(to: UInt8.self)
            let yt = yTop.assumingMemoryBound(to: UInt8.self), yd = yBottom.assumingMemoryBound(to: UInt8.self)
            let us = u.assumingMemoryBound(to: UInt8.self), vs = v.assumingMemoryBound(to: UInt8.self)
            for pair in blocks * 8..<width / 2 {
                let s = 4 * pair
                yt[2 * pair] = t[s]; yt[2 * pair + 1] = t[s + 2]
                yd[2 * pair] = d[s]; yd[2 * pair + 1] = d[s + 2]
                us[pair] = mean(t[s + 1], d[s + 1])
                vs[pair] = mean(t[s + 3], d[s + 3])
            }
        }
    }

    /// NV12 (a Y plane, then rows of interleaved U V at half height) to I420: luma rows copied, the
    /// chroma plane split in two.
    static func nv12ToI420(_ source: UnsafeRawPointer, bytesPerLine: Int, into picture: Picture) {
        let bytes = source.assumingMemoryBound(to: UInt8.self)
        for row in 0..<picture.height {
            picture.y.row(row).update(from: bytes + row * bytesPerLine, count: picture.width)
        }
        let chroma = source + bytesPerLine * picture.height
        let chromaWidth = picture.u.width, blocks = chromaWidth / 16  // 32 source bytes: 16 U, 16 V
        for row in 0..<picture.u.height {
            let from = chroma + row * bytesPerLine
            let u = UnsafeMutableRawPointer(picture.u.row(row)), v = UnsafeMutableRawPointer(picture.v.row(row))
            var block = 0
            while block < blocks {
                let pairs = from.loadUnaligned(fromByteOffset: block &* 32, as: SIMD16<UInt16>.self)
                u.storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: pairs), toByteOffset: block &* 16, as: SIMD16<UInt8>.self)
                v.storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: pairs &>> 8), toByteOffset: block &* 16, as: SIMD16<UInt8>.self)
                block &+= 1
            }
            let pairs = from.assumingMemoryBound(to: UInt8.self)
            for x in blocks * 16..<chromaWidth {
                picture.u.row(row)[x] = pairs[2 * x]
                picture.v.row(row)[x] = pairs[2 * x + 1]
            }
        }
    }

    /// Planar YUV 4:2:0 (YU12, what a `Picture` holds) with the driver's pitch: copied plane by plane.
    /// The chroma planes follow the luma plane with half its pitch, as V4L2 lays YU12 out.
    static func i420ToI420(_ source: UnsafeRawPointer, bytesPerLine: Int, into picture: Picture) {
        var plane = source.assumingMemoryBound(to: UInt8.self)
        for (index, target) in picture.planes.enumerated() {
            let pitch = index == 0 ? bytesPerLine : bytesPerLine / 2
            target.copy(from: Plane(base: UnsafeMutablePointer(mutating: plane), width: target.width,
                                    height: target.height, stride: pitch))
            plane += pitch * target.height
        }
    }

    /// The bytes each format needs for a picture's size at a pitch: a shorter frame is damaged.
    static func frameBytes(_ format: PixelFormat, bytesPerLine: Int, height: Int) -> Int {
        switch format {
        case .yuyv: return bytesPerLine * height
        case .nv12: return bytesPerLine * (height + (height + 1) / 2)
        default: return bytesPerLine * height + 2 * (bytesPerLine / 2) * ((height + 1) / 2)
        }
    }

    @inline(__always)
    private static func mean(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8(truncatingIfNeeded: (UInt16(a) &+ UInt16(b) &+ 1) &>> 1) }
}
