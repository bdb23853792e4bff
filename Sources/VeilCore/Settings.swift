/// The choices a user makes, one type each, read by the config file, the command line and the pipeline
/// alike: the raw values are the words written in the config (and on the command line), so a value
/// that parsed is one the pipeline knows, with no mapping between look-alike types to fall back from.

/// What is done to faces.
public enum AnonymizeMode: String, CaseIterable, Sendable {
    case swap, blur, pixelate, mask
}

/// What a frame becomes when the pipeline cannot vouch for it (no detection pass over it or a later
/// frame in time, a picture that changed wholesale since that pass, an anonymizer failure): the whole
/// frame is covered, or not emitted. Never the original.
public enum StallPolicy: String, CaseIterable, Sendable {
    case blurFrame = "blur_frame"
    case blackFrame = "black_frame"
    case drop
}

/// A recording segment's container.
public enum RecordingContainer: String, CaseIterable, Sendable {
    case mkv
    /// Fragmented MP4: every fragment is playable on its own, so a killed writer leaves a playable file.
    case mp4
}
