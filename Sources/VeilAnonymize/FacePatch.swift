import VeilMedia
import VeilCore

/// Scratch planes over one rectangle of a picture: the warped donor face (Y, U, V), its blend mask
/// at luma and chroma resolution, and a second luma mask for the facial features (a wide blend's core). The rectangle starts on even luma coordinates so that chroma
/// sample (x, y) of the patch is chroma sample (x + left/2, y + top/2) of the picture. Reused from
/// frame to frame: it only reallocates when a face grows.
public final class FacePatch {
    public private(set) var left = 0, top = 0, width = 0, height = 0
    public private(set) var y = Plane.empty, u = Plane.empty, v = Plane.empty
    public private(set) var alpha = Plane.empty, chromaAlpha = Plane.empty, featureAlpha = Plane.empty
    private var storage: Picture?
    private var alphaStorage: Picture?
    private var featureStorage: Picture?

    public init() {}

    /// Places the patch over `box` (clipped to the picture, grown to even edges) and clears the masks.
    /// Returns false when nothing of the box lies inside the picture.
    @discardableResult
    public func place(over box: Box, in picture: Picture) -> Bool {
        let x0 = max(0, Int(box.min.x.rounded(.down))) & ~1
        let y0 = max(0, Int(box.min.y.rounded(.down))) & ~1
        let x1 = min(picture.width, (Int(box.max.x.rounded(.up)) + 2) & ~1)
        let y1 = min(picture.height, (Int(box.max.y.rounded(.up)) + 2) & ~1)
        guard x1 - x0 >= 2, y1 - y0 >= 2 else { return false }
        left = x0; top = y0; width = x1 - x0; height = y1 - y0
        if storage == nil || storage!.width < width || storage!.height < height {
            let w = max(width, (storage?.width ?? 0)), h = max(height, (storage?.height ?? 0))
            storage = Picture(width: w + 64, height: h + 64)
            alphaStorage = Picture(width: w + 64, height: h + 64)
            featureStorage = Picture(width: w + 64, height: h + 64)
        }
        let s = storage!, a = alphaStorage!, f = featureStorage!
        y = Plane(base: s.y.base, width: width, height: height, stride: s.y.stride)
        u = Plane(base: s.u.base, width: (width + 1) / 2, height: (height + 1) / 2, stride: s.u.stride)
        v = Plane(base: s.v.base, width: (width + 1) / 2, height: (height + 1) / 2, stride: s.v.stride)
        alpha = Plane(base: a.y.base, width: width, height: height, stride: a.y.stride)
        chromaAlpha = Plane(base: a.u.base, width: (width + 1) / 2, height: (height + 1) / 2, stride: a.u.stride)
        featureAlpha = Plane(base: f.y.base, width: width, height: height, stride: f.y.stride)
        alpha.fill(0)
        return true
    }

    /// The picture's plane region under the patch (luma, or chroma when `chroma`).
    public func region(of plane: Plane, chroma: Bool) -> Plane {
        let (x, y, w, h) = chroma ? (left / 2, top / 2, (width + 1) / 2, (height + 1) / 2) : (left, top, width, height)
        let w2 = min(w, plane.width - x), h2 = min(h, plane.height - y)
        return Plane(base: plane.base + y * plane.stride + x, width: w2, height: h2, stride: plane.stride)
    }
}

extension Plane {
    /// A plane of no samples, before a patch has a picture.
    static var empty: Plane { Plane(base: UnsafeMutablePointer<UInt8>(bitPattern: 64)!, width: 0, height: 0, stride: 0) }
}
