import Foundation
import VeilTestSupport
import XCTest

/// The default donors are composites that belong to no one: made from real public-domain faces at set-up,
/// each far from every face it was made from and from every other donor, and the same on every run.
final class DonorsCommandTests: DirectoryTestCase {
    private static let sources = Run.repository.appendingPathComponent("data/donor-sources").path

    /// One listed line: the donor, its nearest donor's distance and its nearest source face's.
    private struct Listed {
        let donor: String
        let nearestDonor: Double
        let nearestSource: Double?

        init?(_ line: Substring) {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            /// "PHRASE NAME at FIGURE": the figure.
            func figure(after phrase: String) -> Double? {
                guard let range = parts[1].range(of: phrase) else { return nil }
                let words = parts[1][range.upperBound...].split(separator: " ")
                guard words.count > 2, words[1] == "at" else { return nil }
                return Double(words[2].trimmingCharacters(in: CharacterSet(charactersIn: ",")))
            }
            guard let nearestDonor = figure(after: "nearest donor ") else { return nil }
            donor = String(parts[0])
            self.nearestDonor = nearestDonor
            nearestSource = figure(after: "nearest source face ")
        }
    }

    func testTheInstalledDonorsAreEightCompositesFarFromTheirSourcesAndFromEachOther() throws {
        let listed = try Run.veil("donors")
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let donors = listed.stdout.split(separator: "\n").compactMap(Listed.init)
        XCTAssertGreaterThanOrEqual(donors.count, 8, listed.stdout)
        for donor in donors {
            XCTAssertTrue(donor.donor.hasPrefix("composite-"), "a real face among the donors: \(donor.donor)")
            XCTAssertGreaterThanOrEqual(donor.nearestDonor, 0.5, "\(donor.donor) looks like another donor")
            let nearestSource = try XCTUnwrap(donor.nearestSource, "\(donor.donor) is listed without its sources")
            XCTAssertGreaterThanOrEqual(nearestSource, 0.6, "\(donor.donor) is recognisable as a face it was made from")
        }
    }

    func testCompositionIsDeterministic() throws {
        let first = directory.appendingPathComponent("first").path, second = directory.appendingPathComponent("second").path
        for output in [first, second] {
            let made = try Run.veil("donors", "--compose", output, "--sources", Self.sources, "--count", "2", "--candidates", "12")
            XCTAssertEqual(made.status, 0, made.stderr)
            XCTAssertTrue(made.stdout.contains("2 donors from 4 source faces"), made.stdout)
        }
        for name in ["composite-01.jpg", "composite-02.jpg"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: first).appendingPathComponent(name))
            let b = try Data(contentsOf: URL(fileURLWithPath: second).appendingPathComponent(name))
            XCTAssertFalse(a.isEmpty)
            XCTAssertEqual(a, b, "\(name) differs between two runs")
        }
    }

    func testComposingWithoutSourcesIsOneLineNamingThem() throws {
        let empty = directory.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let result = try Run.veil("donors", "--compose", directory.appendingPathComponent("out").path, "--sources", empty.path)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains(empty.path), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("out").path), "nothing half-written")
    }
}
