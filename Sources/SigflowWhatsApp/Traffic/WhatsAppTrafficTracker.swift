import SigflowCore
import SigflowFraming

/// Watches a capture of a WhatsApp client for what encryption leaves visible: the signaling
/// connection (`WAStreamConsumer`), the STUN exchanges with the call relays, and the UDP media that
/// follows on the same socket. At the end it draws a timeline per client (`WhatsAppTimeline`), every
/// step inferred.
///
/// Cost: `datagram` runs on every UDP packet of the capture. It compares four bytes (the STUN magic
/// cookie 0x2112A442 at offset 4) and, only once a STUN socket is known, looks the packet's two
/// endpoints up in a small dictionary; it allocates nothing on the common path.
public final class WhatsAppTrafficTracker {
    /// Sockets followed at once; a client uses one per call.
    public static let maxSockets = 256
    /// Signaling connections followed; a client keeps one, reconnecting now and then.
    static let maxConnections = 256
    /// STUN messages remembered per socket (relays ping every few seconds).
    static let maxSTUN = 4096
    /// Remote endpoints whose media is counted per socket: a call talks to a few relays and peers;
    /// a socket hit from everywhere (a scan) must not grow a path per sender.
    static let maxMediaPaths = 64
    struct STUNEvent {
        var stamp: PacketStamp
        var remote: Endpoint
        var outbound: Bool
        var type: UInt16

        var method: UInt16 { (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2) }
        /// 0 request, 1 indication, 2 success response, 3 error response.
        var messageClass: UInt16 { ((type & 0x0100) >> 7) | ((type & 0x0010) >> 4) }
    }

    final class CallSocket {
        let local: Endpoint
        var stun: [STUNEvent] = []
        /// WhatsApp's own STUN methods (0x0800-0x0802) or attribute 0x4000, or a Meta relay address.
        var whatsAppEvidence = false
        var media: [Endpoint: MediaSegments] = [:]
        var mediaOrder: [Endpoint] = []

        init(local: Endpoint) {
            self.local = local
        }
    }

    let sink: any SignalingSink
    private(set) var sockets: [Endpoint: CallSocket] = [:]
    private var socketOrder: [Endpoint] = []
    private(set) var connections: [WAStreamConsumer] = []
    private let frameBudget = WAStreamConsumer.FrameBudget()

    public init(sink: any SignalingSink) {
        self.sink = sink
    }

    /// Whether relay sockets are known, so any datagram may be their media. Read for every datagram
    /// of the capture: a stored flag, exempt from dynamic exclusivity checks (a class property read
    /// otherwise costs a runtime access-set entry each time; the pipeline is single-threaded and
    /// nothing holds an access to it across a call). Public through a computed property: another
    /// module reading the stored property directly would check it anyway.
    public var tracksMedia: Bool { hasSockets }
    @exclusivity(unchecked) private var hasSockets = false

    /// Every UDP datagram of the capture.
    public func datagram(_ packet: TransportPacket) {
        let bytes = packet.payload
        if bytes.count >= 20 && bytes[4] == 0x21 && bytes[5] == 0x12 && bytes[6] == 0xa4 && bytes[7] == 0x42
            && bytes[0] & 0xc0 == 0
        {
            stun(packet)
            return
        }
        guard hasSockets else { return }
        if let socket = sockets[packet.source] {
            media(socket, remote: packet.destination, outbound: true, packet: packet)
        } else if let socket = sockets[packet.destination] {
            media(socket, remote: packet.source, outbound: false, packet: packet)
        }
    }

    /// A new TCP connection: the WhatsApp chat protocol (`WA` prologue) or TLS to a WhatsApp host.
    public func classify(
        _ stream: StreamInfo, direction: StreamDirection, firstBytes: UnsafeRawBufferPointer
    )
        -> (any StreamConsumer)?
    {
        guard connections.count < Self.maxConnections,
            let framing = WAStreamConsumer.framing(firstBytes: firstBytes, direction: direction)
        else { return nil }
        let consumer = WAStreamConsumer(stream: stream, framing: framing, budget: frameBudget)
        connections.append(consumer)
        return consumer
    }

    private func stun(_ packet: TransportPacket) {
        let bytes = packet.payload
        let type = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        let local: Endpoint
        let remote: Endpoint
        if packet.destination.port == 3478 && packet.source.port != 3478 {
            (local, remote) = (packet.source, packet.destination)
        } else if packet.source.port == 3478 && packet.destination.port != 3478 {
            (local, remote) = (packet.destination, packet.source)
        } else if sockets[packet.destination] != nil {
            (local, remote) = (packet.destination, packet.source)
        } else {
            (local, remote) = (packet.source, packet.destination)
        }
        let socket: CallSocket
        if let known = sockets[local] {
            socket = known
        } else {
            guard sockets.count < Self.maxSockets else { return }
            socket = CallSocket(local: local)
            sockets[local] = socket
            socketOrder.append(local)
            hasSockets = true
        }
        let event = STUNEvent(stamp: packet.stamp, remote: remote, outbound: local == packet.source, type: type)
        if socket.stun.count < Self.maxSTUN { socket.stun.append(event) }
        if !socket.whatsAppEvidence {
            let customAttribute = bytes.count >= 24 && bytes[20] == 0x40 && bytes[21] == 0x00
            socket.whatsAppEvidence = event.method >= 0x200 || customAttribute || MetaNetworks.contains(remote.address)
        }
    }

    private func media(_ socket: CallSocket, remote: Endpoint, outbound: Bool, packet: TransportPacket) {
        let bytes = packet.payload.count
        // Mutated in place through the dictionary's modify accessor: no copy per packet.
        if socket.media[remote]?.add(packet.stamp, outbound: outbound, bytes: bytes) == nil,
            socket.media.count < Self.maxMediaPaths
        {
            socket.media[remote] = MediaSegments(packet.stamp, outbound: outbound, bytes: bytes)
            socket.mediaOrder.append(remote)
        }
    }

    /// Draws the timelines into the sink; call once, after the last packet.
    public func finish() {
        let dropped = connections.reduce(0) { $0 + $1.droppedFrames }
        if dropped > 0 {
            sink.report(
                Diagnostic(
                    .warning, "whatsapp_frames_limit",
                    "WhatsApp signaling connections carried more frames than sigflow keeps: \(dropped) later "
                        + "frames are left out of the timeline"))
        }
        let callSockets = socketOrder.compactMap { sockets[$0] }.filter(\.whatsAppEvidence)
        for message in WhatsAppTimeline(connections: connections, sockets: callSockets).messages() {
            sink.deliver(message)
        }
    }
}

/// Address blocks of Meta's network (AS32934), where WhatsApp's call relays live.
enum MetaNetworks {
    static let blocks: [(UInt32, Int)] = [
        (0x1F0D_4000, 18),  // 31.13.64.0/18
        (0x1F0D_1800, 21),  // 31.13.24.0/21
        (0x9DF0_0000, 16),  // 157.240.0.0/16
        (0xB33C_C000, 22),  // 179.60.192.0/22
        (0xB93C_D800, 22),  // 185.60.216.0/22
        (0xADFC_4000, 18),  // 173.252.64.0/18
        (0x8186_0000, 16),  // 129.134.0.0/16
        (0xA346_8000, 17),  // 163.70.128.0/17
        (0x6684_6000, 20),  // 102.132.96.0/20
        (0x45AB_E000, 19),  // 69.171.224.0/19
        (0x42DC_9000, 20),  // 66.220.144.0/20
        (0x453F_B000, 20),  // 69.63.176.0/20
    ]

    static func contains(_ address: IPAddress) -> Bool {
        guard case .v4(let value) = address else { return false }
        return blocks.contains { block, length in value >> (32 - UInt32(length)) == block >> (32 - UInt32(length)) }
    }
}
