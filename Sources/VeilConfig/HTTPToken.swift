import Foundation

/// The token of `http_token_file`: the file's text without surrounding whitespace (a trailing
/// newline from `echo` or an editor is not part of it).
public enum HTTPToken {
    public static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map {
            String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}
