/// A destination for encoded packets that `PacketOutput` drives on its own thread: RTP/SRTP, or a
/// segmented recording.
protocol PacketSink: AnyObject {
    /// Starts a stream; the next packet written is a keyframe.
    func open(_ stream: EncodedStream) throws
    func write(_ packet: EncodedPacket) throws
    /// Called while open whenever no packet came for a while, at least once a second.
    func idle() throws
    /// Ends the stream as cleanly as it can (after a failure too) and frees what `open` made; the
    /// sink can be opened again afterwards. Never throws: a failure here is logged by the sink.
    func close()
    /// For a failure caused outside Veil that retrying soon cannot fix (a full disk): the fixed interval
    /// between attempts, instead of the doubling backoff.
    func retryInterval(after error: Error) -> Double?
}
