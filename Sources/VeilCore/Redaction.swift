/// Source names as they may be shown: in `/status`, `/metrics` labels, logs and `check-config`'s
/// summary. A URL's user information (`rtsp://user:password@host/...`) is a credential and never
/// leaves the config file.
public enum Redaction {
    /// `source` with any `user:password@` (or `user@`) after the scheme replaced by `***@`.
    public static func source(_ source: String) -> String {
        let characters = Array(source)
        guard let colon = (0..<max(0, characters.count - 2)).first(where: {
            characters[$0] == ":" && characters[$0 + 1] == "/" && characters[$0 + 2] == "/"
        }) else { return source }
        let authorityStart = colon + 3
        let authorityEnd = characters[authorityStart...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? characters.count
        guard let at = characters[authorityStart..<authorityEnd].lastIndex(of: "@") else { return source }
        return String(characters[..<authorityStart]) + "***" + String(characters[at...])
    }

    /// Every URL inside a free text (an error message from FFmpeg, say) redacted as `source` does.
    public static func text(_ text: String) -> String {
        guard text.contains("://") else { return text }
        var out = ""
        var word = ""
        for character in text {
            if character.isWhitespace || character == "'" || character == "\"" {
                out += source(word) + String(character)
                word = ""
            } else {
                word.append(character)
            }
        }
        return out + source(word)
    }
}
