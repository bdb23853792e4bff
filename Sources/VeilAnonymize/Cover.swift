import VeilMedia
import VeilVision

/// The traditional ways to hide a face, used by `--mode blur|pixelate|mask` and as the fail-closed
/// fallback wherever a swap cannot be trusted. They work on a rectangle around the face, on all three
/// planes, so nothing of the original face's shape or colour survives in it.
public enum CoverStyle: String, CaseIterable {
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
