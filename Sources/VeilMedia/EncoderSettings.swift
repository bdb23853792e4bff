/// How `VideoWriter` encodes video. Options the chosen encoder does not know are an error at init,
/// not silently ignored: set `preset`, `crf` or `tune` to nil for encoders without them.
public struct EncoderSettings: Equatable, Sendable {
    /// An FFmpeg encoder name.
    public var codec: String
    public var preset: String?
    /// Constant rate factor: 18 is visually lossless for x264, which matters because the output is the
    /// only copy a user keeps once the original has been deleted.
    public var crf: Double?
    /// e.g. "zerolatency" for live outputs.
    public var tune: String?
    /// 0: let the encoder pick.
    public var threads: Int
    /// Frames between keyframes; nil keeps the encoder's default.
    public var gop: Int?

    public init(codec: String = "libx264", preset: String? = "veryfast", crf: Double? = 18, tune: String? = nil,
                threads: Int = 0, gop: Int? = nil) {
        self.codec = codec
        self.preset = preset
        self.crf = crf
        self.tune = tune
        self.threads = threads
        self.gop = gop
    }
}
