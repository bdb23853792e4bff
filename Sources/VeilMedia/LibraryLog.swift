import CFFmpeg

/// FFmpeg's libraries log to stderr at info level (x264's statistics included). A command keeps stderr
/// for its own lines, which already say what failed and where, so the libraries stay quiet but for
/// fatal errors.
public enum LibraryLog {
    public static func quiet() { av_log_set_level(AV_LOG_FATAL) }
}
