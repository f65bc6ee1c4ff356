import SigflowCore
import SigflowFraming

/// Decodes SIP wherever it appears: UDP datagrams, TCP streams and WebSocket messages, and hands
/// `SignalingMessage`s to a sink.
public final class SIPDecoder {
    private let sink: any SignalingSink
    /// False when only the call list is wanted: no SDP summaries, notes or attributes.
    private let detailed: Bool

    public init(sink: any SignalingSink, detailed: Bool = true) {
        self.sink = sink
        self.detailed = detailed
    }

    /// One datagram is one message (RFC 3261 §18.3). Returns false when the datagram is not SIP, so
    /// other decoders may look at it.
    @discardableResult
    public func decodeDatagram(_ packet: TransportPacket) -> Bool {
        guard SIPSniffer.looksLikeSIP(packet.payload) else { return false }
        decode(
            packet.payload,
            context: SIPMapper.Context(
                source: packet.source, destination: packet.destination, stamp: packet.stamp, transport: .udp,
                missingBytes: packet.missingPayloadBytes),
            requireHeaderEnd: false)
        return true
    }

    /// A consumer for a TCP connection that carries SIP.
    public func streamConsumer(for stream: StreamInfo, synchronised: Bool) -> any StreamConsumer {
        FramedStreamConsumer(
            framer: SIPStreamFramer(synchronised: synchronised),
            handler: SIPStreamHandler(decoder: self, stream: stream))
    }

    /// One WebSocket message is one SIP message (RFC 7118 §5.2); `transport` is `ws`, or `wss` over TLS.
    public func decodeWebSocketMessage(
        _ bytes: UnsafeRawBufferPointer, source: Endpoint, destination: Endpoint, stamp: PacketStamp,
        transport: MessageTransport
    ) {
        decodeMessage(bytes, source: source, destination: destination, stamp: stamp, transport: transport)
    }

    /// One whole SIP message that travelled by `transport` (a copy a HEP agent made, say).
    public func decodeMessage(
        _ bytes: UnsafeRawBufferPointer, source: Endpoint, destination: Endpoint, stamp: PacketStamp,
        transport: MessageTransport
    ) {
        decode(
            bytes,
            context: SIPMapper.Context(source: source, destination: destination, stamp: stamp, transport: transport),
            requireHeaderEnd: false)
    }

    func decode(_ bytes: UnsafeRawBufferPointer, context: SIPMapper.Context, requireHeaderEnd: Bool) {
        do {
            let sip = try SIPParser.parse(bytes, requireHeaderEnd: requireHeaderEnd)
            guard let message = SIPMapper.signalingMessage(sip, context: context, detailed: detailed) else {
                sink.report(
                    Diagnostic(
                        .warning, "sip_missing_call_id",
                        "\(context.source) -> \(context.destination): SIP message without Call-ID ignored",
                        source: context.stamp.source))
                return
            }
            if message.truncated {
                sink.report(
                    Diagnostic(
                        .warning, "sip_truncated",
                        "\(context.source) -> \(context.destination): '\(sip.startLineText.prefix(60))' is cut short "
                            + "in the capture; what parsed is shown as a truncated step",
                        source: context.stamp.source))
            } else if sip.bodyShortBy > 0 && context.transport == .udp {
                sink.report(
                    Diagnostic(
                        .warning, "sip_short_body",
                        "\(context.source) -> \(context.destination): '\(sip.startLineText.prefix(60))' body is "
                            + "\(sip.bodyShortBy) bytes shorter than its Content-Length",
                        source: context.stamp.source))
            }
            if sip.contentLength == nil, let declared = sip.header(.contentLength) {
                sink.report(
                    Diagnostic(
                        .warning, "sip_bad_content_length",
                        "\(context.source) -> \(context.destination): '\(sip.startLineText.prefix(60))' has "
                            + "Content-Length '\(declared.prefix(20))', not a number of bytes",
                        source: context.stamp.source))
            }
            sink.deliver(message)
        } catch {
            sink.report(
                Diagnostic(
                    .warning, "sip_unparsable",
                    "\(context.source) -> \(context.destination): \(error)", source: context.stamp.source))
        }
    }

    func report(_ diagnostic: Diagnostic) { sink.report(diagnostic) }
}

/// Decodes each message the framer cuts from a SIP-over-TCP connection.
final class SIPStreamHandler: FramedStreamHandler {
    private let decoder: SIPDecoder
    private let stream: StreamInfo

    init(decoder: SIPDecoder, stream: StreamInfo) {
        self.decoder = decoder
        self.stream = stream
    }

    func handle(_ event: SIPStreamFramer.Event, direction: StreamDirection, stamp: PacketStamp) {
        let context = SIPMapper.Context(
            source: stream.source(of: direction), destination: stream.destination(of: direction), stamp: stamp,
            transport: stream.transportName)
        switch event {
        case .message(let message):
            message.withUnsafeBytes { decoder.decode($0, context: context, requireHeaderEnd: true) }
        case .skipped(let count, let reason):
            decoder.report(
                Diagnostic(
                    .warning, "sip_tcp_skipped",
                    "\(context.source) -> \(context.destination): \(count) bytes skipped (\(reason))",
                    source: stamp.source))
        }
    }

    func gap(direction: StreamDirection, stamp: PacketStamp) {}

    var isStopped: Bool { false }
}
