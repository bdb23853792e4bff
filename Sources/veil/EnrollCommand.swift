import ArgumentParser
import VeilPipeline

struct EnrollCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Add a person who agreed to be shown (e.g. the clinician) to the consent list.",
        discussion: "Writes NAME.json (face descriptors, never pictures) into the consent directory; the daemon reads it "
            + "when `consent` in [anonymize] names that directory. Each image must show exactly this one person's face; "
            + "several photos (lighting, glasses) make the match surer. Enrolling a name again replaces it.")

    @Argument(help: "The person's name: letters, digits, '.', '_' and '-'.")
    var name: String

    @Argument(help: "Photos of the person, one face each (.png, .jpg).")
    var images: [String]

    @Option(help: "The consent directory (the config's `consent`).")
    var consent = "/var/lib/veil/consent"

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one image of \(name)") }
    }

    func run() throws {
        try runReportingErrors {
            let person = try Enrollment.person(named: name, images: images)
            let path = try ConsentList.save(person, directory: consent)
            print("enrolled \(name) from \(images.count) image(s): \(path)")
        }
    }
}
