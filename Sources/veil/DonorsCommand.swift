import ArgumentParser
import Foundation
import VeilAnonymize
import VeilCore
import VeilMedia
import VeilPipeline
import VeilVision

struct DonorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "donors",
        abstract: "List the donor faces and how far apart they are, or compose donors that belong to no one.",
        discussion: "Loads every donor image in DIR (default: the installed donors) as a swap would, and prints each "
            + "with the descriptor distance to the nearest other donor and, with --sources (default for the installed "
            + "donors: the faces they were composed from), to the nearest source face. Donors closer than "
            + "\(String(format: "%.2f", IdentityThresholds.donorSeparation)) to each other could give two people faces that "
            + "look alike: such a pair is named and the command exits 1.\n\n"
            + "With --compose OUTDIR it makes --count composites of the faces in --sources (k-Same style: texture and shape "
            + "blended from different sources, the shape pushed away from their mean), each at least "
            + "\(String(format: "%.2f", IdentityThresholds.defaultMargin)) from every source where the candidates reach it, "
            + "and writes them as OUTDIR/composite-NN.jpg. The same sources always give the same donors.")

    @Argument(help: "A directory of donor images, or one image (the config's `donors`).")
    var directory: String?

    @Option(help: "A directory of the real faces the donors were made from.")
    var sources: String?

    @Option(help: ArgumentHelp("Compose donors from --sources into this directory.", valueName: "outdir"))
    var compose: String?

    @Option(help: "How many donors --compose makes.")
    var count = 8

    @Option(help: "How many candidates --compose looks at (each about a fifth of a second) to choose them from.")
    var candidates = 256

    func validate() throws {
        if compose != nil && directory != nil { throw ValidationError("give either DIR to list or --compose OUTDIR, not both") }
        if count < 1 { throw ValidationError("--count must be at least 1") }
        if candidates < count { throw ValidationError("--candidates must be at least --count") }
    }

    func run() throws {
        try runReportingErrors {
            let data = try DataDirectory.locate()
            let listed = directory ?? data.donorDirectory.path
            // The installed donors are listed against the faces they were made from, where the set-up left them.
            let installedSources = data.donorSourceDirectory.path
            let sourcePath = sources ?? (directory == nil && FileManager.default.fileExists(atPath: installedSources) ? installedSources : nil)
            let models = try FaceModels(data: data, descriptor: true, donors: compose == nil ? listed : nil, checkSeparation: false)
            guard let encoder = models.encoder else { return }
            let sourceFaces = try sourcePath.map {
                try FaceModels.loadDonors(at: $0, data: data, predictor: models.predictor, encoder: encoder)
            } ?? []
            if let compose {
                try composeDonors(into: compose, sources: sourceFaces, models: models, encoder: encoder)
                return
            }
            for line in FaceModels.separationReport(models.donors, sources: sourceFaces) { print(line) }
            try FaceModels.checkSeparation(models.donors)
        }
    }

    private func composeDonors(into directory: String, sources: [Donor], models: FaceModels, encoder: FaceEncoder) throws {
        guard sources.count >= 2 else {
            throw UserError("--compose needs --sources with two faces or more (the set-up puts them in \(models.data.donorSourceDirectory.path))")
        }
        let composer = try DonorComposer(sources: sources, data: models.data, predictor: models.predictor, encoder: encoder)
        let outcome = try composer.compose(count: count, candidates: candidates)
        guard outcome.composites.count == count else {
            throw UserError("only \(outcome.composites.count) of \(count) composites stayed "
                            + "\(String(format: "%.2f", IdentityThresholds.donorSeparation)) apart in \(outcome.candidatesTried) candidates")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw UserError("cannot create donor directory '\(directory)': \(error.localizedDescription)")
        }
        for composite in outcome.composites {
            let path = (directory as NSString).appendingPathComponent(composite.donor.name)
            try AtomicFile.write(try JPEGImage.encode(composite.donor.picture, name: path), to: path, mode: 0o644)
        }
        // What a swap will use is the files, read back: they are listed and checked as loaded.
        let written = try FaceModels.loadDonors(at: directory, data: models.data, predictor: models.predictor, encoder: encoder)
        for line in FaceModels.separationReport(written, sources: sources) { print(line) }
        print("\(written.count) donors from \(sources.count) source faces, \(outcome.candidatesTried) candidates tried")
        if !outcome.everyMarginReached {
            print("note: not every composite reached \(String(format: "%.2f", IdentityThresholds.defaultMargin)) from every source; "
                  + "the nearest source of each is listed above")
        }
        try FaceModels.checkSeparation(written)
    }
}
