import NIOCore

/// Drops a viewer that stops reading: once a connection's outbound buffer has stayed above NIO's high
/// watermark (the viewer's socket full) for `limit`, it is closed, with whatever it held. A viewer on a
/// stalled phone or a dead link thus never holds a response, its memory or a connection for long.
/// Reads pass through untouched.
final class StalledViewerHandler: ChannelInboundHandler, RemovableChannelHandler {
    /// Never unwrapped: the parts the HTTP decoder made go on as they are.
    typealias InboundIn = NIOAny

    static let limit: TimeAmount = .seconds(5)
    private var closing: Scheduled<Void>?

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            closing?.cancel()
            closing = nil
        } else if closing == nil {
            let channel = context.channel
            closing = context.eventLoop.scheduleTask(in: Self.limit) { channel.close(promise: nil) }
        }
        context.fireChannelWritabilityChanged()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        closing?.cancel()
    }
}
