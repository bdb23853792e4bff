import Foundation
import VeilCore
import VeilMedia
import VeilVision

/// People who agreed to be shown (a clinician, a consenting relative): each enrolled with `veil enroll`
/// as one file NAME.json in the consent directory, holding one face descriptor per enrolment image and
/// never a picture. A face is shown only when its descriptor is well inside the same-person distance of
/// an enrolled person's; anything less certain is anonymized.
public struct ConsentList: Sendable {
    public struct Person: Codable, Equatable, Sendable {
        public var name: String
        /// The images the descriptors were computed from, by file name: what a privacy officer checks.
        public var images: [String]
        public var descriptors: [[Float]]

        public init(name: String, images: [String], descriptors: [[Float]]) {
            self.name = name
            self.images = images
            self.descriptors = descriptors
        }
    }

    /// dlib's descriptors put the same person within about 0.6; consent asks for much closer, so that a
    /// look-alike or a poor view is anonymized rather than shown.
    public static let defaultDistance = Float(IdentityThresholds.defaultConsentDistance)

    public let people: [Person]
    public let distance: Float

    public init(people: [Person], distance: Float = ConsentList.defaultDistance) {
        self.people = people
        self.distance = distance
    }

    /// The enrolled person this face is, when its nearest enrolled descriptor is within `distance`.
    public func contains(_ name: String) -> Bool { people.contains { $0.name == name } }

    public func match(_ face: FaceDescriptor) -> String? {
        var best: (name: String, distance: Float)?
        for person in people {
            for values in person.descriptors where values.count == face.values.count {
                let d = face.distance(to: FaceDescriptor(values: values))
                if d < (best?.distance ?? .infinity) { best = (person.name, d) }
            }
        }
        guard let best, best.distance < distance else { return nil }
        return best.name
    }

    /// Reads every NAME.json in `directory`; a file that is not an enrolment is an error naming it.
    public static func load(directory: String, distance: Float = ConsentList.defaultDistance) throws -> ConsentList {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw UserError("consent directory '\(directory)': No such directory")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        let people = try names.map { name -> Person in
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path),
                  let person = try? JSONDecoder().decode(Person.self, from: data),
                  !person.descriptors.isEmpty, person.descriptors.allSatisfy({ $0.count == FaceEncoder.descriptorLength }) else {
                throw UserError("consent file '\(path)' is not an enrolment written by `veil enroll`")
            }
            return person
        }
        return ConsentList(people: people, distance: distance)
    }

    /// Writes one person's enrolment atomically, readable by its owner and group only: descriptors
    /// identify people.
    public static func save(_ person: Person, directory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent("\(person.name).json")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(Array(try encoder.encode(person)), to: path, mode: 0o640)
        return path
    }

    /// A person's name becomes a file name and a log field: letters, digits, '.', '-', '_' only.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".") && name.count <= 64
            && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0) }
    }
}

/// `veil enroll`: one person's descriptors from their photos. Each image must show exactly one clear,
/// frontal face: an enrolment taken from a group photo could let the wrong person through.
public enum Enrollment {
    public static func person(named name: String, images: [String]) throws -> ConsentList.Person {
        guard ConsentList.isValidName(name) else {
            throw UserError("enroll: name '\(name)' may hold only letters, digits, '.', '_' and '-' (it names a file)")
        }
        let models = try FaceModels(data: DataDirectory.locate(), descriptor: true, donors: nil)
        guard let encoder = models.encoder else { preconditionFailure("the descriptor was asked for") }
        var descriptors: [[Float]] = []
        for path in images {
            let picture: Picture
            do { picture = try ImageFile.load(path: path) } catch { throw UserError("enroll: image \(error)") }
            // Looked at closely (up to 1280 wide) and counting doubtful faces too: a second person half
            // hidden in the photo must refuse it, not be enrolled by accident.
            let detector = try models.detector(width: picture.width, height: picture.height, inputWidth: min(1280, picture.width), threads: 1)
            let faces = try detector.detect(picture).filter { $0.score >= 0.3 }
            guard faces.count == 1, let face = faces.first else {
                throw UserError("enroll: image '\(path)' shows \(faces.count) faces; it must show exactly one, the person enrolled")
            }
            guard face.box.width >= 64, let shape = models.predictor.landmarks(in: picture.y, detection: face), shape.yawRatio < 2 else {
                throw UserError("enroll: image '\(path)': the face is too small or turned away (needs a frontal face at least 64 px wide)")
            }
            descriptors.append(try encoder.describe(picture, face: shape).values)
        }
        return ConsentList.Person(name: name, images: images.map { URL(fileURLWithPath: $0).lastPathComponent }, descriptors: descriptors)
    }
}
