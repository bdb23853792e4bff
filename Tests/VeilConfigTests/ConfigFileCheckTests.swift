import Foundation
import VeilTestSupport
@testable import VeilConfig
import XCTest

/// The files a config names: donor images and SRTP key files, checked when the config loads.
final class ConfigFileCheckTests: DirectoryTestCase {

    private func donors(_ path: String) -> String {
        "[anonymize]\ndonors = \"\(path)\"\n" + Fixture.minimal
    }

    private func srtp(keyFile: String) -> String {
        Fixture.output("[[camera.output]]\nkind = \"srtp\"\naddress = \"127.0.0.1:5006\"\nkey_file = \"\(keyFile)\"")
    }

    func testAbsentDonorsKeyMeansTheBuiltInDonorsAndIsNotChecked() throws {
        let configuration = try VeilConfiguration.parse(text: Fixture.minimal, path: Fixture.file)
        XCTAssertNil(configuration.anonymize.donors)
    }

    func testMissingDonors() {
        let path = directory.appendingPathComponent("none").path
        assertConfigError(donors(path), at: "anonymize.donors", "\(path): No such file or directory")
    }

    func testDonorDirectoryWithoutImages() throws {
        try "not a face".write(to: directory.appendingPathComponent("notes.txt"), atomically: false, encoding: .utf8)
        assertConfigError(donors(directory.path), at: "anonymize.donors",
                          "\(directory.path): the directory holds no .png, .jpg or .jpeg image")
    }

    func testUnreadableDonorImage() throws {
        try XCTSkipIf(geteuid() == 0, "root reads every file: permissions cannot make one unreadable")
        let image = directory.appendingPathComponent("face.jpg")
        try Data([0xFF, 0xD8]).write(to: image)
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: image.path)
        assertConfigError(donors(directory.path), at: "anonymize.donors", "\(image.path): cannot be read (Permission denied)")
    }

    func testConsentDirectoryMustExistButMayBeEmpty() throws {
        let missing = directory.appendingPathComponent("consent").path
        assertConfigError("[anonymize]\nconsent = \"\(missing)\"\n" + Fixture.minimal, at: "anonymize.consent",
                          "\(missing): No such directory (create it, then add people with `veil enroll`)")
        let text = "[anonymize]\nconsent = \"\(directory.path)\"\nconsent_distance = 0.35\n" + Fixture.minimal
        let anonymize = try VeilConfiguration.parse(text: text, path: Fixture.file).anonymize
        XCTAssertEqual(anonymize.consent, directory.path)
        XCTAssertEqual(anonymize.consentDistance, 0.35)
        XCTAssertNil(try VeilConfiguration.parse(text: Fixture.minimal, path: Fixture.file).anonymize.consent, "off by default")
    }

    func testDonorDirectoryAndDonorImageAreAccepted() throws {
        let image = directory.appendingPathComponent("Face.JPG")
        try Data([0xFF, 0xD8]).write(to: image)
        XCTAssertEqual(try VeilConfiguration.parse(text: donors(directory.path), path: Fixture.file).anonymize.donors, directory.path)
        XCTAssertEqual(try VeilConfiguration.parse(text: donors(image.path), path: Fixture.file).anonymize.donors, image.path)
    }

    func testMissingKeyFile() {
        let path = directory.appendingPathComponent("none.key").path
        assertConfigError(srtp(keyFile: path), at: "camera[0].output[1].key_file", "\(path): No such file or directory")
    }

    func testKeyFileReadableByOthers() throws {
        let path = try Fixture.keyFile(in: directory, mode: 0o644)
        assertConfigError(srtp(keyFile: path), at: "camera[0].output[1].key_file",
                          "\(path): mode 0644 lets others read the key; chmod 600 it")
    }

    func testKeyFileOfTheWrongLength() throws {
        let path = try Fixture.keyFile(in: directory, contents: Data(repeating: 7, count: 16).base64EncodedString())
        assertConfigError(srtp(keyFile: path), at: "camera[0].output[1].key_file",
                          "\(path): does not hold a base64 SRTP master key and salt (30 bytes)")
    }

    func testGoodKeyFile() throws {
        let path = try Fixture.keyFile(in: directory)
        let configuration = try VeilConfiguration.parse(text: srtp(keyFile: path), path: Fixture.file)
        XCTAssertEqual(configuration.cameras[0].outputs[1],
                       .srtp(.init(address: .init(host: "127.0.0.1", port: 5006), sdp: nil, keyFile: path)))
    }

    func testFileChecksCanBeLeftOut() throws {
        let missing = directory.appendingPathComponent("none").path
        XCTAssertNoThrow(try VeilConfiguration.parse(text: donors(missing), path: Fixture.file, checkFiles: false))
        XCTAssertNoThrow(try VeilConfiguration.parse(text: srtp(keyFile: missing), path: Fixture.file, checkFiles: false))
    }

    func testUnreadableConfigFile() {
        let path = directory.appendingPathComponent("veil.toml").path
        XCTAssertThrowsError(try VeilConfiguration.load(path: path)) { error in
            XCTAssertEqual("\(error)", "\(path): cannot read: No such file or directory")
        }
        XCTAssertThrowsError(try VeilConfiguration.load(path: directory.path)) { error in
            XCTAssertEqual("\(error)", "\(directory.path): cannot read: Is a directory")
        }
    }

    func testLoadReadsTheFileAndNamesItInErrors() throws {
        let path = directory.appendingPathComponent("veil.toml").path
        try Fixture.camera("fps = 500").write(toFile: path, atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try VeilConfiguration.load(path: path)) { error in
            XCTAssertEqual("\(error)", "\(path): camera[0].fps: 500 is out of range (1 to 120)")
        }
    }
}
