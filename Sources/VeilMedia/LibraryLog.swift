import CFFmpeg

/// FFmpeg's own log goes to stderr at info level (x264's statistics included); a command keeps stderr
/// for its one error line, so it keeps only FFmpeg's errors.
public enum LibraryLog {
    public static func errorsOnly() { av_log_set_level(AV_LOG_ERROR) }
}
