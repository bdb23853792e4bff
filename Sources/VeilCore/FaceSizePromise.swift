/// The smallest face Veil promises to find, and the detector input that keeps the promise: said in the
/// README and in `veil check-config`'s summary, and what `--detector-width` may not go below.
///
/// CenterFace finds faces down to 11-14 px wide in its own input (measured on five real faces pasted at
/// four positions, in normal and half light, at inputs 320-800 px wide, 720p and 1080p pictures). The
/// promise is thus a share of the picture's width, and the input width it needs is the same for every
/// camera size.
/// - `veil process`: every face from 1/40 of the picture's width (32 px at 1280x720, 48 at 1920x1080):
///   a 576 px input. Offline, time matters less than certainty.
/// - Live: the detector runs back to back on the newest frame, and every frame waits for a pass (the
///   live invariant), so a pass must take well under a frame interval and a half. On this 2-core
///   machine a 320 px pass takes ~27 ms (two threads, measured while the pipeline runs; 448 px: ~47 ms,
///   which left 14% of frames without a pass in time at 30 fps): faces from 1/23 of the width (56 px at
///   1280x720, 84 at 1920x1080). A camera that needs smaller faces found trades frame rate for it.
public enum FaceSizePromise {
    /// The smallest face found reliably, in pixels of the detector's input.
    public static let smallestFaceInDetectorInput = 14
    /// `veil process` finds every face at least 1/40 of the picture's width.
    public static let offlineWidthShareDenominator = 40
    /// The live detector's input width at 30 fps on this machine.
    public static let liveInputWidth = 320

    /// The detector input width `veil process` needs for its promise (never wider than the picture).
    public static func offlineDetectorWidth(pictureWidth: Int) -> Int {
        inputWidth(requested: min(smallestFaceInDetectorInput * offlineWidthShareDenominator, pictureWidth))
    }

    /// The live detector's input width for a camera (never wider than its picture).
    public static func liveDetectorWidth(pictureWidth: Int) -> Int {
        inputWidth(requested: min(liveInputWidth, pictureWidth))
    }

    /// The width the detector's input really has for a requested one: the nearest multiple of 32 (the
    /// network's stride), at least 32.
    public static func inputWidth(requested: Int) -> Int { max(32, (requested + 16) / 32 * 32) }

    /// The smallest face found, in picture pixels, with a detector input `detectorWidth` wide.
    public static func smallestFace(pictureWidth: Int, detectorWidth: Int) -> Int {
        let input = inputWidth(requested: detectorWidth)
        return (smallestFaceInDetectorInput * pictureWidth + input - 1) / input
    }
}
