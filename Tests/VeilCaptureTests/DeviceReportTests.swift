import VeilCore
@testable import VeilCapture
import XCTest

final class DeviceReportTests: XCTestCase {
    func testNoDevices() {
        XCTAssertEqual(DeviceReport.text(VideoDeviceList(devices: [], unreadable: [])), "no V4L2 capture devices found")
    }

    func testACameraWithItsFormatsSizesAndRates() {
        func rates(_ values: [Double]) -> FrameRates { .discrete(values.map { FrameInterval(framesPerSecond: $0) }) }
        let webcam = VideoDeviceInfo(path: "/dev/video0", card: "HD Pro Webcam C920", driver: "uvcvideo",
                                     busInfo: "usb-0000:00:14.0-2", formats: [
            FormatInfo(format: .yuyv, name: "YUYV 4:2:2", isCompressed: false, isEmulated: false, sizes: .discrete([
                SizeRates(size: FrameSize(width: 640, height: 480), rates: rates([30, 15, 7.5])),
                SizeRates(size: FrameSize(width: 1280, height: 720), rates: .discrete([FrameInterval(numerator: 1, denominator: 10),
                                                                                        FrameInterval(numerator: 1001, denominator: 30000)])),
            ])),
            FormatInfo(format: PixelFormat(name: "H264")!, name: "H.264", isCompressed: true, isEmulated: false,
                       sizes: .stepwise(smallest: FrameSize(width: 16, height: 16), largest: FrameSize(width: 1920, height: 1080),
                                        step: FrameSize(width: 2, height: 2),
                                        rates: .stepwise(shortest: FrameInterval(framesPerSecond: 30), longest: FrameInterval(framesPerSecond: 1),
                                                         step: FrameInterval(numerator: 1, denominator: 30)))),
            FormatInfo(format: .mjpeg, name: "Motion-JPEG", isCompressed: true, isEmulated: false, sizes: .unlisted),
        ])
        let list = VideoDeviceList(devices: [webcam], unreadable: [.cannotOpen(path: "/dev/video2", reason: "Permission denied")])
        XCTAssertEqual(DeviceReport.text(list), """
            /dev/video0  HD Pro Webcam C920
              driver uvcvideo, bus usb-0000:00:14.0-2
              YUYV (YUYV 4:2:2)
                640x480   30, 15, 7.5 fps
                1280x720  29.97, 10 fps
              H264 (H.264), compressed: not usable by Veil
                any size from 16x16 to 1920x1080 in steps of 2x2, 1-30 fps at 1920x1080
              MJPG (Motion-JPEG), compressed
                sizes not listed by the driver
            cannot open video device '/dev/video2': Permission denied (add the user that runs veil to the 'video' group)
            """)
    }
}
