import ArgumentParser
import VeilCapture

struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the cameras (V4L2 capture devices) with their formats, sizes and frame rates.")

    func run() throws {
        print(DeviceReport.text(VideoDevices.list()))
    }
}
