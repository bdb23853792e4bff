import VeilCore
import CV4L2
import Glibc
import VeilMedia

/// The driver's capture buffers, mapped into this process (VIDIOC_REQBUFS, VIDIOC_QUERYBUF, mmap).
/// Holds the device file open: libv4l2 tracks its mappings per open device, so they are unmapped
/// before the file closes.
final class StreamBuffers {
    let file: DeviceFile
    private(set) var mappings: [UnsafeMutableRawBufferPointer] = []

    init(file: DeviceFile, count: Int) throws {
        self.file = file
        var request = v4l2_requestbuffers()
        request.count = UInt32(count)
        request.type = FormatCatalog.captureType
        request.memory = V4L2_MEMORY_MMAP.rawValue
        try file.perform(veil_vidioc_reqbufs(), &request, "request capture buffers", "VIDIOC_REQBUFS")
        // With one buffer the driver would have nowhere to write while we convert.
        guard request.count >= 2 else {
            throw CaptureError.unusableGrant(path: file.path, reason: "only \(request.count) capture buffer(s)")
        }
        for index in 0..<request.count {
            var buffer = StreamBuffers.descriptor(index: index)
            try file.perform(veil_vidioc_querybuf(), &buffer, "query capture buffer \(index)", "VIDIOC_QUERYBUF")
            let length = Int(buffer.length)
            let address = v4l2_mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, file.descriptor, Int64(buffer.m.offset))
            guard let address, address != MAP_FAILED else {
                throw CaptureError.failed(action: "map capture buffer \(index)", path: file.path, request: "mmap",
                                          reason: errnoText(errno))
            }
            mappings.append(UnsafeMutableRawBufferPointer(start: address, count: length))
        }
    }

    /// A throwing init runs this too, so a failure midway unmaps what was mapped.
    deinit {
        // munmap fails only for addresses that are not mapped; these all are.
        for mapping in mappings.reversed() { v4l2_munmap(mapping.baseAddress, mapping.count) }
    }

    /// Hands a buffer to the driver to fill.
    func enqueue(_ index: UInt32) throws {
        var buffer = StreamBuffers.descriptor(index: index)
        try file.perform(veil_vidioc_qbuf(), &buffer, "queue capture buffer \(index)", "VIDIOC_QBUF")
    }

    static func descriptor(index: UInt32) -> v4l2_buffer {
        var buffer = v4l2_buffer()
        buffer.index = index
        buffer.type = FormatCatalog.captureType
        buffer.memory = V4L2_MEMORY_MMAP.rawValue
        return buffer
    }
}
