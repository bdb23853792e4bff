import VeilCore
import Foundation

/// Where Veil's data lives: models and default donors, fetched from Debian and PyPI packages by the
/// set-up (never shipped in the repository). Looked up in $VEIL_DATA_DIR, then /usr/share/veil (an
/// installed system), then a data/ folder above the executable (a source checkout).
public struct DataDirectory: Sendable {
    public let url: URL

    public init(url: URL) { self.url = url }

    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                              executable: URL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath())
        throws -> DataDirectory {
        var candidates: [URL] = []
        if let explicit = environment["VEIL_DATA_DIR"], !explicit.isEmpty {
            candidates.append(URL(fileURLWithPath: explicit))
        } else {
            candidates.append(URL(fileURLWithPath: "/usr/share/veil"))
            var dir = executable.deletingLastPathComponent()
            while dir.path != "/" {
                candidates.append(dir.appendingPathComponent("data"))
                dir = dir.deletingLastPathComponent()
            }
        }
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("models").path) {
            return DataDirectory(url: candidate)
        }
        throw UserError("no Veil data directory found (looked in \(candidates.first!.path) and data/ above the executable); run scripts/setup.sh or set VEIL_DATA_DIR")
    }

    public var detectorModel: String { model("centerface.onnx") }
    public var landmarkModel: String { model("shape_predictor_68_face_landmarks.dat") }
    public var descriptorModel: String { model("dlib_face_recognition_resnet_model_v1.dat") }
    public var donorDirectory: URL { url.appendingPathComponent("donors") }
    /// The real public-domain faces the default donors are composed from (never donors themselves).
    public var donorSourceDirectory: URL { url.appendingPathComponent("donor-sources") }

    private func model(_ name: String) -> String { url.appendingPathComponent("models").appendingPathComponent(name).path }
}
