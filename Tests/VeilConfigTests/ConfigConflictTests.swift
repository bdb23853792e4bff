import VeilConfig
import XCTest

/// What only one part of a config may use: a camera name, a device, a UDP port, an SDP file, a
/// recording directory. The second user is reported, naming the first.
final class ConfigConflictTests: XCTestCase {
    private func rtp(_ address: String, sdp: String? = nil) -> String {
        "[[camera.output]]\nkind = \"rtp\"\naddress = \"\(address)\"\n" + (sdp.map { "sdp = \"\($0)\"\n" } ?? "")
    }

    private func record(_ path: String) -> String {
        "[[camera.output]]\nkind = \"record\"\npath = \"\(path)\"\n"
    }

    func testDuplicateCameraNames() {
        let text = Fixture.camera(name: "a", source: "/dev/video0", outputs: rtp("127.0.0.1:5004"))
            + Fixture.camera(name: "a", source: "/dev/video1", outputs: rtp("127.0.0.1:5006"))
        assertConfigError(text, at: "camera[1].name", "\"a\" is already the name of camera[0]")
    }

    func testTwoOutputsOnOneAddressInDifferentCameras() {
        let text = Fixture.camera(name: "a", source: "/dev/video0", outputs: rtp("127.0.0.1:5004"))
            + Fixture.camera(name: "b", source: "/dev/video1", outputs: rtp("127.0.0.1:5010") + rtp("127.0.0.1:5004"))
        assertConfigError(text, at: "camera[1].output[1].address", "127.0.0.1:5004 is already used by camera[0].output[0].address")
    }

    func testSRTPAndRTPShareAddressSpace() {
        let srtp = "[[camera.output]]\nkind = \"srtp\"\naddress = \"239.1.1.1:5004\"\nkey_file = \"/k\"\n"
        let text = Fixture.camera(name: "a", source: "/dev/video0", outputs: rtp("239.1.1.1:5004") + srtp)
        assertConfigError(text, at: "camera[0].output[1].address", "239.1.1.1:5004 is already used by camera[0].output[0].address",
                          checkFiles: false)
    }

    func testAdjacentPortsCollideOnRTCP() {
        let text = Fixture.camera(name: "a", source: "/dev/video0", outputs: rtp("127.0.0.1:5004") + rtp("127.0.0.1:5005"))
        assertConfigError(text, at: "camera[0].output[1].address",
                          "127.0.0.1:5005 is next to camera[0].output[0].address, port 5004 (RTP also uses the next port, for RTCP)")
    }

    func testSameHostOtherPortsAndOtherHostsSamePortAreFine() throws {
        let text = Fixture.camera(name: "a", source: "/dev/video0",
                                  outputs: rtp("127.0.0.1:5004") + rtp("127.0.0.1:5006") + rtp("10.0.0.2:5004"))
        XCTAssertEqual(try VeilConfiguration.parse(text: text, path: Fixture.file).cameras[0].outputs.count, 3)
    }

    func testTwoOutputsWritingOneSDPFile() {
        let text = Fixture.camera(name: "a", source: "/dev/video0", outputs: rtp("127.0.0.1:5004", sdp: "/run/veil/a.sdp"))
            + Fixture.camera(name: "b", source: "/dev/video1", outputs: rtp("127.0.0.1:5006", sdp: "/run/veil//a.sdp"))
        assertConfigError(text, at: "camera[1].output[0].sdp", "/run/veil//a.sdp is already used by camera[0].output[0].sdp")
    }

    func testTwoOutputsRecordingIntoOneDirectory() {
        let text = Fixture.camera(name: "a", source: "/dev/video0", outputs: record("/var/lib/veil/recordings"))
            + Fixture.camera(name: "b", source: "/dev/video1", outputs: record("/var/lib/veil/recordings/"))
        assertConfigError(text, at: "camera[1].output[0].path",
                          "/var/lib/veil/recordings/ is already used by camera[0].output[0].path")
    }

    func testTwoCamerasOnOneDevice() {
        let text = Fixture.camera(name: "a", source: "/dev/video0", outputs: rtp("127.0.0.1:5004"))
            + Fixture.camera(name: "b", source: "/dev/video0", outputs: rtp("127.0.0.1:5006"))
        assertConfigError(text, at: "camera[1].source", "/dev/video0 is already used by camera[0].source")
    }

    func testTwoCamerasOnOneFileAreFine() throws {
        let text = Fixture.camera(name: "a", source: "/srv/clip.mp4", outputs: rtp("127.0.0.1:5004"))
            + Fixture.camera(name: "b", source: "/srv/clip.mp4", outputs: rtp("127.0.0.1:5006"))
        XCTAssertEqual(try VeilConfiguration.parse(text: text, path: Fixture.file).cameras.map(\.name), ["a", "b"])
    }

    func testLoopbackOntoACaptureDevice() {
        let loopback = "[[camera.output]]\nkind = \"loopback\"\ndevice = \"/dev/video0\"\n"
        let text = Fixture.camera(name: "a", source: "/dev/video0", outputs: loopback)
        assertConfigError(text, at: "camera[0].output[0].device", "/dev/video0 is already used by camera[0].source")
    }
}
