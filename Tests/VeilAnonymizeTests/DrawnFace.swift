import Foundation
import VeilCore

/// A frontal face `w` px wide drawn as dlib numbers its 68 points (jaw, brows, nose, eyes, lips): the
/// landmarks of the anonymizing tests that need no model.
func drawnFrontalFace(centre c: Point, width w: Float) -> FaceShape {
    var p = [Point](repeating: c, count: 68)
    for i in 0...16 {
        let t = Float.pi * (1 - Float(i) / 16)
        p[i] = c + Point(w / 2 * cos(t), 0.65 * w * sin(t))
    }
    for i in 0..<5 {
        p[17 + i] = c + Point(-0.4 * w + 0.08 * w * Float(i), -0.3 * w)
        p[22 + i] = c + Point(0.08 * w + 0.08 * w * Float(i), -0.3 * w)
    }
    for i in 0..<4 { p[27 + i] = c + Point(0, -0.2 * w + 0.1 * w * Float(i)) }
    for i in 0..<5 { p[31 + i] = c + Point(-0.1 * w + 0.05 * w * Float(i), 0.15 * w) }
    for (first, x) in [(36, -0.2 * w), (42, 0.2 * w)] {
        for i in 0..<6 {
            let t = Float.pi * (1 - Float(i) / 3)
            p[first + i] = c + Point(x + 0.08 * w * cos(t), -0.15 * w - 0.03 * w * sin(t))
        }
    }
    for i in 0..<12 {
        let t = Float.pi * (1 - Float(i) / 6)
        p[48 + i] = c + Point(0.15 * w * cos(t), 0.35 * w - 0.05 * w * sin(t))
    }
    for i in 0..<8 {
        let t = Float.pi * (1 - Float(i) / 4)
        p[60 + i] = c + Point(0.1 * w * cos(t), 0.35 * w - 0.02 * w * sin(t))
    }
    return FaceShape(points: p)
}
