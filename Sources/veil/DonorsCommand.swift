import ArgumentParser
import Foundation
import VeilCore
import VeilPipeline
import VeilVision

struct DonorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "donors",
        abstract: "List the donor faces and how far apart they are.",
        discussion: "Loads every donor image in DIR (default: the installed donors) as a swap would, and prints each "
            + "with the descriptor distance to the nearest other donor. Donors closer than "
            + "\(String(format: "%.2f", IdentityThresholds.donorSeparation)) could give two people faces that look alike: "
            + "such a pair is named and the command exits 1.")

    @Argument(help: "A directory of donor images, or one image (the config's `donors`).")
    var directory: String?

    func run() throws {
        try runReportingErrors {
            let data = try DataDirectory.locate()
            let models = try FaceModels(data: data, descriptor: true, donors: directory ?? data.donorDirectory.path, checkSeparation: false)
            for line in FaceModels.separationReport(models.donors) { print(line) }
            try FaceModels.checkSeparation(models.donors)
        }
    }
}
