import VeilConfig
import VeilOutput

/// `veil janus-config`: the streaming plugin's mountpoints for a config's cameras, from the same
/// encoder settings and outputs the daemon would run them with.
public enum JanusConfig {
    public static func render(_ configuration: VeilConfiguration) throws -> String {
        try JanusMountpoints.render(configuration.cameras.map { camera in
            JanusMountpoints.Camera(name: camera.name, width: camera.size.width, height: camera.size.height, frameRate: Double(camera.fps),
                                    encoder: CameraPipeline.encoder(camera.encoder),
                                    outputs: camera.outputs.map { CameraPipeline.output($0, camera: camera.name) })
        })
    }
}
