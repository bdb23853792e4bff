import ArgumentParser
import Foundation
import VeilConfig
import VeilDaemon

struct JanusConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "janus-config",
        abstract: "Print Janus streaming-plugin mountpoints that receive each camera's rtp and srtp outputs as Veil sends them.",
        discussion: """
            Paste the output into Janus's janus.plugin.streaming.jcfg (ids count from 1 in config order) and point each \
            output's address at the Janus host and the mountpoint's port. The codec, payload type and profile-level-id are \
            those of Veil's encoder (H.264 Constrained Baseline, no B-frames, a keyframe every gop frames), so Janus \
            forwards the stream to browsers without re-encoding. For srtp outputs the entry holds the SRTP key: keep the \
            file as private as the key file (mode 0600).
            """)

    @Argument(help: "The daemon's config file.")
    var file: String

    func run() throws {
        let text = try runReportingErrors { try JanusConfig.render(try VeilConfiguration.load(path: file)) }
        guard !text.isEmpty else {
            FileHandle.standardError.write(Data("veil: error: \(file): no camera has an rtp or srtp output for Janus to receive\n".utf8))
            throw ExitCode.failure
        }
        print(text, terminator: "")
    }
}
