import VeilMedia
import VeilCore

/// The traditional ways to hide a face, used by `--mode blur|pixelate|mask` and as the fail-closed
/// fallback wherever a swap cannot be trusted. They work on a rectangle around the face, on all three
/// planes, so nothing of the original face's shape or colour survives in it.
public enum CoverStyle: String, CaseIterable, Sendable {
    case blur, pixelate, mask
}

public enum Cover {
    /// How much larger than the face box the covered rectangle is: enough for hair line, ears and chin.
    public static let margin: Float = 1.4

    public static func apply(_ style: CoverStyle, over box: Box, in picture: Picture) {
        let grown = box.scaled(by: margin)
        let x0 = max(0, Int(grown.min.x)) & ~1, y0 = max(0, Int(grown.min.y)) & ~1
        let x1 = min(picture.width, Int(grown.max.x.rounded(.up))), y1 = min(picture.height, Int(grown.max.y.rounded(.up)))
        guard x1 - x0 >= 2, y1 - y0 >= 2 else { return }
        let size = max(x1 - x0, y1 - y0)
        for (plane, shift) in [(picture.y, 0), (picture.u, 1), (picture.v, 1)] {
            let region = Plane(base: plane.base + (y0 >> shift) * plane.stride + (x0 >> shift),
                               width: min(plane.width - (x0 >> shift), (x1 - x0 + shift) >> shift),
                               height: min(plane.height - (y0 >> shift), (y1 - y0 + shift) >> shift),
                               stride: plane.stride)
            switch style {
            case .blur: blur(region, radius: max(2, (size >> shift) / 8))
            case .pixelate: pixelate(region, block: max(2, (size >> shift) / 8))
            case .mask: region.fill(shift == 0 ? 16 : 128)
            }
        }
    }

    /// The fail-closed cover of a whole frame: as strong as `apply(.blur, ...)` over the frame (a
    /// Gaussian of σ ≈ an eighth of the frame), in one read and one write of each plane, because it is
    /// used exactly when the frame is already short of time. Box blurs of that radius over 1280x720 took
    /// 30-60 ms, the slowest frames of a busy run.
    public static func blurWhole(_ picture: Picture) {
        for plane in [picture.y, picture.u, picture.v] {
            // Block means, then a bilinear surface through the blocks' centres: a box of B convolved
            // with a triangle of 2B has σ = B/2, so B = a quarter of the frame matches the blur's σ.
            smear(plane, block: max(2, max(plane.width, plane.height) / 4))
        }
    }

    static func smear(_ plane: Plane, block: Int) {
        let columns = (plane.width + block - 1) / block, rows = (plane.height + block - 1) / block
        // Block means; one extra column and row repeat the last ones, so that interpolation needs no
        // bounds test.
        let means = UnsafeMutablePointer<Int32>.allocate(capacity: (columns + 1) * (rows + 1))
        defer { means.deallocate() }
        for gy in 0..<rows {
            let meansRow = means + gy * (columns + 1)
            let y0 = gy * block, y1 = min(plane.height, y0 + block)
            for gx in 0..<columns {
                let x0 = gx * block, x1 = min(plane.width, x0 + block)
                var sum = 0
                for y in y0..<y1 {
                    let line = plane.row(y)
                    for x in x0..<x1 { sum += Int(line[x]) }
                }
                let count = (x1 - x0) * (y1 - y0)
                meansRow[gx] = Int32((sum + count / 2) / count)
            }
            meansRow[columns] = meansRow[columns - 1]
        }
        (means + rows * (columns + 1)).update(from: means + (rows - 1) * (columns + 1), count: columns + 1)
        // Where each sample sits between two block centres: the first centre's index and the weight of
        // the next, in 1/256ths (0 past the last centre).
        func taps(_ count: Int, _ cells: Int) -> [(index: Int, weight: Int32)] {
            (0..<count).map { i in
                let t = max(0, (Double(i) + 0.5) / Double(block) - 0.5)
                let cell = min(Int(t), cells - 1)
                return (cell, cell == cells - 1 ? 0 : Int32(((t - Double(cell)) * 256).rounded()))
            }
        }
        let across = taps(plane.width, columns), down = taps(plane.height, rows)
        let blended = UnsafeMutablePointer<Int32>.allocate(capacity: columns + 1)
        defer { blended.deallocate() }
        across.withUnsafeBufferPointer { across in
            for y in 0..<plane.height {
                let (row, w) = down[y]
                let above = means + row * (columns + 1), below = above + columns + 1
                for gx in 0...columns { blended[gx] = above[gx] * (256 - w) + below[gx] * w }
                let line = plane.row(y)
                for x in 0..<plane.width {
                    let (i, a) = across[x]
                    line[x] = UInt8(truncatingIfNeeded: (blended[i] * (256 - a) + blended[i + 1] * a + 32768) >> 16)
                }
            }
        }
    }

    /// Three box blurs, close to a Gaussian of σ ≈ radius: at a radius of an eighth of the face, eyes,
    /// nose and mouth merge into one smooth blob.
    static func blur(_ region: Plane, radius: Int) {
        var line = [Int32](repeating: 0, count: max(region.width, region.height))
        for _ in 0..<3 {
            for y in 0..<region.height { MaskFeather.boxBlur(region.row(y), step: 1, count: region.width, radius: radius, scratch: &line) }
            for x in 0..<region.width { MaskFeather.boxBlur(region.base + x, step: region.stride, count: region.height, radius: radius, scratch: &line) }
        }
    }

    /// Replaces each block by its mean.
    static func pixelate(_ region: Plane, block: Int) {
        for by in stride(from: 0, to: region.height, by: block) {
            for bx in stride(from: 0, to: region.width, by: block) {
                let h = min(block, region.height - by), w = min(block, region.width - bx)
                var sum = 0
                for y in by..<by + h { for x in bx..<bx + w { sum += Int(region[x, y]) } }
                let mean = UInt8((sum + w * h / 2) / (w * h))
                for y in by..<by + h { (region.row(y) + bx).update(repeating: mean, count: w) }
            }
        }
    }
}
