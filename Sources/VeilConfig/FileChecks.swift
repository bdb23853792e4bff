import VeilCore
import Foundation

/// Checks of the files a config names, made at load time so that a daemon never starts (or reloads)
/// into a config it will fail on later. Each returns the problem, or nil when the file is fine.
enum FileChecks {
    static let donorExtensions: Set<String> = ["png", "jpg", "jpeg"]

    /// A readable image, or a readable directory holding at least one (as Donor.loadAll reads them).
    /// A consent directory must exist and be readable; it may be empty (nobody enrolled yet).
    static func consentProblem(_ path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return "\(path): No such directory (create it, then add people with `veil enroll`)"
        }
        guard access(path, R_OK | X_OK) == 0 else { return "\(path): cannot be read (\(errnoText(errno)))" }
        return nil
    }

    static func donorProblem(_ path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return "\(path): No such file or directory"
        }
        guard access(path, isDirectory.boolValue ? R_OK | X_OK : R_OK) == 0 else {
            return "\(path): cannot be read (\(errnoText(errno)))"
        }
        guard isDirectory.boolValue else { return nil }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        let images = names.filter { donorExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
        guard !images.isEmpty else { return "\(path): the directory holds no .png, .jpg or .jpeg image" }
        if let unreadable = images.sorted().first(where: { access((path as NSString).appendingPathComponent($0), R_OK) != 0 }) {
            return "\(path)/\(unreadable): cannot be read (\(errnoText(errno)))"
        }
        return nil
    }

    /// A regular file that neither group nor others may read: what holds a secret.
    private static func privateFileProblem(_ path: String, holding secret: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else { return "\(path): \(errnoText(errno))" }
        guard status.st_mode & S_IFMT == S_IFREG else { return "\(path): not a regular file" }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            return "\(path): mode \(String(format: "%04o", mode)) lets others read \(secret); chmod 600 it"
        }
        return nil
    }

    /// The HTTP token: a private regular file (no group or other access) holding at least 16 printable
    /// characters. The token itself never appears in a message.
    static func tokenProblem(_ path: String) -> String? {
        if let problem = privateFileProblem(path, holding: "the token") { return problem }
        guard let token = HTTPToken.read(path) else { return "\(path): cannot be read (\(errnoText(errno)))" }
        guard token.count >= 16, token.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline }) else {
            return "\(path): the token must be at least 16 characters without spaces (e.g. `openssl rand -hex 24`)"
        }
        return nil
    }

    /// The SRTP master key and salt: present, private (no group or other access: it decrypts every
    /// stream), and 30 bytes once base64-decoded. The key itself never appears in a message.
    static func srtpKeyProblem(_ path: String) -> String? {
        if let problem = privateFileProblem(path, holding: "the key") { return problem }
        guard access(path, R_OK) == 0, let data = FileManager.default.contents(atPath: path) else {
            return "\(path): cannot be read (\(errnoText(errno)))"
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let key = Data(base64Encoded: text), key.count == 30 else {
            return "\(path): does not hold a base64 SRTP master key and salt (30 bytes)"
        }
        return nil
    }
}
