import CFFmpeg

/// How a video stream's display matrix (AV_PKT_DATA_DISPLAYMATRIX) asks players to show its pictures.
/// Phones store pictures as the sensor lies and set this instead of turning the pixels.
public struct DisplayRotation: Equatable, Sendable {
    /// The clockwise turn in whole degrees, 0..<360. ffprobe's `rotation` (av_display_rotation_get)
    /// counts counterclockwise: it shows the negation.
    public let clockwiseDegrees: Int
    /// Whether the matrix also mirrors the picture, which no turn undoes.
    public let isMirrored: Bool

    /// Reads a 3x3 matrix of 16.16 fixed-point numbers (row-major, as FFmpeg stores it) the way the
    /// ffmpeg command line does: av_display_rotation_get rounded to whole degrees. Nil for a matrix
    /// that flattens the picture, whose angle means nothing.
    public init?(matrix: [Int32]) {
        precondition(matrix.count == 9, "a display matrix has 9 entries")
        // av_display_rotation_get, which CFFmpeg's headers leave out; the fixed-point scale cancels.
        let (a, b, c, d) = (Double(matrix[0]), Double(matrix[1]), Double(matrix[3]), Double(matrix[4]))
        let xScale = (a * a + c * c).squareRoot(), yScale = (b * b + d * d).squareRoot()
        guard xScale > 0 && yScale > 0 else { return nil }
        let degrees = Int((atan2(b / yScale, a / xScale) * 180 / Double.pi).rounded())
        clockwiseDegrees = (degrees % 360 + 360) % 360
        isMirrored = a * d - b * c < 0
    }

    init?(of stream: UnsafePointer<AVStream>) {
        var size = 0
        guard let data = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, &size),
              size >= 9 * MemoryLayout<Int32>.size else { return nil }
        let raw = UnsafeRawPointer(data)
        self.init(matrix: (0..<9).map { raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<Int32>.size, as: Int32.self) })
    }

    /// The turn when moving samples reproduces it exactly: a multiple of 90 degrees, not mirrored.
    var quarterTurn: QuarterTurn? { isMirrored ? nil : QuarterTurn(clockwiseDegrees: clockwiseDegrees) }
}
