@testable import VeilCapture
import VeilCore
import XCTest

final class CaptureRequestTests: XCTestCase {
    static let hd = FrameSize(width: 1280, height: 720), vga = FrameSize(width: 640, height: 480)

    static func format(_ format: PixelFormat, emulated: Bool = false, _ sizes: [(FrameSize, [Double])]) -> FormatInfo {
        FormatInfo(format: format, name: format.description, isCompressed: format.isJPEG, isEmulated: emulated,
                   sizes: .discrete(sizes.map { size, rates in
                       SizeRates(size: size, rates: .discrete(rates.map { FrameInterval(framesPerSecond: $0) }))
                   }))
    }

    /// A typical USB 2 webcam: YUYV manages 720p only at 10 fps, MJPEG at 30.
    static let webcam = [
        format(.yuyv, [(vga, [30, 15]), (hd, [10])]),
        format(.mjpeg, [(vga, [30]), (hd, [30, 15])]),
        format(.yuv420, emulated: true, [(vga, [30]), (hd, [30])]),
    ]

    func testTheFirstFormatOfferingSizeAndRateWins() {
        XCTAssertEqual(CaptureRequest(size: Self.hd, framesPerSecond: 30).choose(from: Self.webcam)?.format, .mjpeg)
        XCTAssertEqual(CaptureRequest(size: Self.hd, framesPerSecond: 10).choose(from: Self.webcam)?.format, .yuyv)
        XCTAssertEqual(CaptureRequest(size: Self.vga, framesPerSecond: 30).choose(from: Self.webcam)?.format, .yuyv)
    }

    func testFormatsTheCameraSendsComeBeforeEmulatedOnes() {
        let request = CaptureRequest(size: Self.hd, framesPerSecond: 30, formats: [.yuv420, .mjpeg])
        XCTAssertEqual(request.choose(from: Self.webcam)?.format, .mjpeg)
        let emulatedOnly = CaptureRequest(size: Self.hd, framesPerSecond: 30, formats: [.yuv420])
        XCTAssertEqual(emulatedOnly.choose(from: Self.webcam)?.isEmulated, true)
    }

    func testWithoutTheRateTheSizeDecidesThenPreference() {
        XCTAssertEqual(CaptureRequest(size: Self.hd, framesPerSecond: 60).choose(from: Self.webcam)?.format, .yuyv)
        let odd = FrameSize(width: 800, height: 600)
        XCTAssertEqual(CaptureRequest(size: odd, formats: [.mjpeg, .yuyv]).choose(from: Self.webcam)?.format, .mjpeg)
    }

    func testJPEGCamerasCountAsMotionJPEG() {
        let camera = [Self.format(.jpeg, [(Self.hd, [30])])]
        XCTAssertEqual(CaptureRequest(size: Self.hd).choose(from: camera)?.format, .jpeg)
    }

    func testNothingUsableIsNil() {
        let h264 = [Self.format(PixelFormat(name: "H264")!, [(Self.hd, [30])])]
        XCTAssertNil(CaptureRequest(size: Self.hd).choose(from: h264))
        XCTAssertNil(CaptureRequest(size: Self.hd, formats: [PixelFormat(name: "H264")!]).choose(from: h264),
                     "only formats Veil converts are asked for")
    }

    func testStepwiseSizesAndRates() {
        let rates = FrameRates.stepwise(shortest: FrameInterval(framesPerSecond: 60), longest: FrameInterval(framesPerSecond: 1),
                                        step: FrameInterval(numerator: 1, denominator: 1))
        let sizes = FrameSizes.stepwise(smallest: FrameSize(width: 16, height: 16), largest: FrameSize(width: 1920, height: 1080),
                                        step: FrameSize(width: 2, height: 2), rates: rates)
        XCTAssertNotNil(sizes.rates(at: Self.hd))
        XCTAssertNil(sizes.rates(at: FrameSize(width: 1281, height: 720)), "off the step")
        XCTAssertNil(sizes.rates(at: FrameSize(width: 3840, height: 2160)), "too large")
        XCTAssertTrue(rates.offers(framesPerSecond: 29.97))
        XCTAssertFalse(rates.offers(framesPerSecond: 120))
    }

    func testPixelFormatNames() {
        XCTAssertEqual(PixelFormat(name: "yuyv"), .yuyv)
        XCTAssertEqual(PixelFormat(name: "MJPEG"), .mjpeg)
        XCTAssertEqual(PixelFormat(name: "MJPG"), .mjpeg)
        XCTAssertEqual(PixelFormat(name: "YUV420"), .yuv420)
        XCTAssertEqual(PixelFormat(name: "NV12"), .nv12)
        XCTAssertNil(PixelFormat(name: "YUYV2"))
        XCTAssertEqual(PixelFormat.yuv420.description, "YU12")
        XCTAssertEqual(PixelFormat(code: 0x8000_0001).description, "0x80000001")
    }

    func testRatesReadAsPeopleWriteThem() {
        XCTAssertEqual(FrameRateText.fps(30), "30")
        XCTAssertEqual(FrameRateText.fps(FrameInterval(numerator: 1001, denominator: 30000).framesPerSecond), "29.97")
        XCTAssertEqual(FrameRateText.fps(7.5), "7.5")
        XCTAssertEqual(FrameInterval(framesPerSecond: 29.97), FrameInterval(numerator: 1000, denominator: 29970))
    }

    func testBackoffDoublesUpToItsMaximumAndResets() {
        var backoff = ReconnectBackoff(initialSeconds: 0.25, maximumSeconds: 2)
        XCTAssertEqual((0..<6).map { _ in backoff.nextDelay() }, [0.25, 0.5, 1, 2, 2, 2])
        backoff.reset()
        XCTAssertEqual(backoff.nextDelay(), 0.25)
    }
}
