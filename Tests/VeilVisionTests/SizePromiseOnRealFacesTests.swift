import Foundation
import VeilCore
import VeilMedia
import VeilTestSupport
import VeilVision
import XCTest

/// The size promise on real faces: each subject's face, scaled so that its box is exactly the promised
/// width, pasted into a 1280x720 room at the centre and near a corner, in normal and half light, is
/// found by the detector at the input width that makes the promise.
final class SizePromiseOnRealFacesTests: XCTestCase {
    private static let data = try? DataDirectory.locate(executable: URL(fileURLWithPath: #filePath))
    private var data: DataDirectory!
    private let size = (width: 1280, height: 720)

    override func setUpWithError() throws {
        data = try XCTUnwrap(Self.data, "the data directory (make setup) is needed")
    }

    private var subjects: [String] {
        ["subjects/obama.jpg", "subjects/biden.jpg", "donor-sources/astronaut.png"].map { data.url.appendingPathComponent($0).path }
    }

    /// The portrait pasted so that its face box is `width` px wide with its top-left corner at `at`;
    /// returns the picture and where the face box is in it.
    private func room(with portrait: String, faceWidth width: Int, at: (x: Int, y: Int), halfLight: Bool) throws -> (Picture, Box) {
        let still = try ImageFile.load(path: portrait)
        let finder = try FaceDetector(modelPath: data.detectorModel, pictureWidth: still.width, pictureHeight: still.height,
                                      inputWidth: still.width)
        let face = try XCTUnwrap(try finder.detect(still).max { $0.score < $1.score }?.box)
        let scale = Float(width) / face.width
        let scaledWidth = Int((Float(still.width) * scale).rounded()) / 2 * 2
        let scaledHeight = Int((Float(still.height) * scale).rounded()) / 2 * 2
        let offset = (x: at.x - Int((face.min.x * scale).rounded()), y: at.y - Int((face.min.y * scale).rounded()))
        let path = NSTemporaryDirectory() + "veil-promise-\(getpid()).png"
        defer { unlink(path) }
        let light = halfLight ? ",lutyuv=y=val*0.5" : ""
        try Program.ffmpeg([
            "-f", "lavfi", "-i", "color=c=0x808080:s=\(size.width)x\(size.height)", "-i", portrait,
            "-filter_complex", "[1]scale=\(scaledWidth):\(scaledHeight)[f];[0][f]overlay=x=\(offset.x):y=\(offset.y)\(light)",
            "-frames:v", "1", path]).checked()
        let picture = try ImageFile.load(path: path)
        let box = Box(x0: Float(at.x), y0: Float(at.y), x1: Float(at.x) + face.width * scale, y1: Float(at.y) + face.height * scale)
        return (picture, box)
    }

    private func assertPromiseKept(detectorWidth: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let promised = FaceSizePromise.smallestFace(pictureWidth: size.width, detectorWidth: detectorWidth)
        let detector = try FaceDetector(modelPath: data.detectorModel, pictureWidth: size.width, pictureHeight: size.height,
                                        inputWidth: detectorWidth)
        for portrait in subjects {
            for at in [(x: 620, y: 330), (x: 40, y: 40)] {
                for halfLight in [false, true] {
                    let (picture, truth) = try room(with: portrait, faceWidth: promised, at: at, halfLight: halfLight)
                    let found = try detector.detect(picture)
                    XCTAssertTrue(found.contains { $0.box.intersectionOverUnion(truth) >= 0.3 },
                                  "\((portrait as NSString).lastPathComponent) at \(promised) px, \(at), half light \(halfLight): found \(found.map(\.box))",
                                  file: file, line: line)
                }
            }
        }
    }

    /// `veil process`: every face from 1/40 of the picture's width (32 px at 1280x720).
    func testOfflinePromiseFindsFacesOneFortiethOfTheWidth() throws {
        let width = FaceSizePromise.offlineDetectorWidth(pictureWidth: size.width)
        XCTAssertLessThanOrEqual(FaceSizePromise.smallestFace(pictureWidth: size.width, detectorWidth: width), size.width / 40)
        try assertPromiseKept(detectorWidth: width)
    }

    /// Live cameras: every face from the live detector's promise (56 px at 1280x720).
    func testLivePromiseFindsFacesAtThePromisedSize() throws {
        try assertPromiseKept(detectorWidth: FaceSizePromise.liveDetectorWidth(pictureWidth: size.width))
    }

    /// The second opinion, another model family, finds a real face on its own.
    func testTheSecondOpinionFindsARealFace() throws {
        let (picture, truth) = try room(with: subjects[0], faceWidth: 120, at: (x: 500, y: 250), halfLight: false)
        let found = try SecondOpinionDetector().detect(picture.y)
        XCTAssertTrue(found.contains { $0.intersectionOverUnion(truth) >= 0.3 }, "found \(found)")
        let empty = Picture(width: 640, height: 360)
        empty.y.fill(128)
        XCTAssertTrue(try SecondOpinionDetector().detect(empty.y).isEmpty)
    }

    func testASecondOpinionFaceIsMissedOnlyWhenNothingHandledAccountsForIt() {
        let face = Box(x0: 100, y0: 100, x1: 180, y1: 180)
        XCTAssertEqual(SecondOpinion.missed([face], handled: []), [face])
        XCTAssertEqual(SecondOpinion.missed([face], handled: [Box(x0: 90, y0: 90, x1: 200, y1: 200)]), [])
        // A handled region holding its centre, or overlapping a tenth of it, accounts for it.
        XCTAssertEqual(SecondOpinion.missed([face], handled: [Box(x0: 135, y0: 135, x1: 145, y1: 145)]), [])
        XCTAssertEqual(SecondOpinion.missed([face], handled: [Box(x0: 170, y0: 100, x1: 260, y1: 180)]), [])
        // A face elsewhere is not.
        XCTAssertEqual(SecondOpinion.missed([face], handled: [Box(x0: 400, y0: 100, x1: 480, y1: 180)]), [face])
    }
}
