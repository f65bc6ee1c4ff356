import SigflowCore
import SigflowFraming

/// Counts the media of calls whose signaling said where it goes, whatever the protocol: a message's
/// `mediaEndpoints` (SDP `c=`/`m=`, ICE candidates) name where its sender receives media, and every
/// RTP-like UDP datagram (first byte 0x80-0xBF: RTP, RTCP, SRTP) sent to one of them is counted for
/// that call, per capture, receiving endpoint and sending endpoint, in `MediaSegment`s (first and
/// last packet with their frames, packets, bytes). When the call is handed on, its media becomes
/// steps, `RTP starts` and `RTP stops: N packets in D s`, one pair per segment, from the
/// sending party to the party that announced the endpoint (their lifelines, with the RTP endpoints),
/// as Wireshark's VoIP flow and sngrep draw an RTP stream next to the signaling. They are observed:
/// each stands for packets the capture holds, first and last by frame.
///
/// Media is matched by destination only: the signaling announces where a party receives, not where it
/// sends from, and a device that should have stopped still sends to the address the other side gave.
///
/// Cost: the tracker sits between the decoders and the collector and looks at each message's
/// `mediaEndpoints` (empty for most). Per datagram, `isTracking` is one load; with endpoints known, an
/// RTP-like datagram costs one dictionary lookup on a packed integer key and, on a hit, a short scan of
/// the call's paths; nothing is allocated except for the first packet of a new path.
///
/// Memory: at most `maxEndpoints` endpoints are watched (the oldest announcement is dropped first),
/// at most `maxPathsPerCall` paths and `MediaSegment.maxSegments` segments per path are counted, and
/// a call's state is forgotten when the collector hands the call on.
final class MediaTracker: SignalingSink {
    static let maxEndpoints = 4096
    static let maxPathsPerCall = 64

    struct CallKey: Hashable {
        var signalingProtocol: SignalingProtocol
        var callID: String
    }

    /// Packets from one sending endpoint to one announced endpoint, as one capture saw them.
    struct Path {
        var capture: Int
        var receiver: Int
        var sender: Endpoint
        var segments: [MediaSegment]
    }

    final class CallMedia {
        let key: CallKey
        /// Announced endpoints with the party that announced each (its first announcement wins: a
        /// proxy forwarding the same SDP is not the one that receives there).
        var receivers: [(endpoint: Endpoint, party: Party)] = []
        /// Scanned and updated for every counted packet: exempt from dynamic exclusivity checks.
        @exclusivity(unchecked) var paths: [Path] = []

        init(key: CallKey) {
            self.key = key
        }

        @inline(__always)
        func count(from sender: Endpoint, bytes: Int, stamp: PacketStamp, receiver: Int) {
            let capture = stamp.source.capture
            // Through the buffer: reading `paths` itself would retain and release its storage.
            let counted = paths.withUnsafeMutableBufferPointer { buffer in
                for index in buffer.indices
                where buffer[index].receiver == receiver && buffer[index].sender == sender
                    && buffer[index].capture == capture
                {
                    buffer[index].segments.add(stamp, outbound: false, bytes: bytes)
                    return true
                }
                return false
            }
            if counted { return }
            guard paths.count < MediaTracker.maxPathsPerCall else { return }
            var segments: [MediaSegment] = []
            segments.add(stamp, outbound: false, bytes: bytes)
            paths.append(Path(capture: capture, receiver: receiver, sender: sender, segments: segments))
        }
    }

    struct Watch {
        var endpoint: Endpoint
        /// Not retained: using a watch for every packet would otherwise cost an atomic retain and
        /// release. `calls` owns each CallMedia, and `finish(call:)` removes a call's watches in the
        /// same step as the call, so no watch outlives its call.
        var call: Unmanaged<CallMedia>
        var receiver: Int

        func belongs(to other: CallMedia) -> Bool { call.toOpaque() == Unmanaged.passUnretained(other).toOpaque() }
    }

    private let next: any SignalingSink
    /// Looked up for every RTP-like datagram: exempt from dynamic exclusivity checks, like
    /// `isTracking` (single-threaded; no access is held across a call).
    @exclusivity(unchecked) private var watches: [UInt64: Watch] = [:]
    /// Watched keys in order of announcement, for dropping the oldest; may hold keys already gone.
    private var order: [UInt64] = []
    private var orderStart = 0
    private var calls: [CallKey: CallMedia] = [:]

    init(next: any SignalingSink) {
        self.next = next
    }

    var watchedEndpoints: Int { watches.count }

    /// Whether any endpoint is watched, so RTP-like datagrams are worth dissecting.
    @exclusivity(unchecked) private(set) var isTracking = false

    func deliver(_ message: SignalingMessage) {
        if !message.mediaEndpoints.isEmpty { announce(message) }
        next.deliver(message)
    }

    func report(_ diagnostic: Diagnostic) { next.report(diagnostic) }

    /// An RTP-like datagram (the caller checked the first byte).
    @inline(__always)
    func datagram(_ packet: TransportPacket) {
        datagram(to: packet.destination, from: packet.source, bytes: packet.payload.count, stamp: packet.stamp)
    }

    /// An RTP-like datagram given by its endpoints and payload length (read from the headers alone).
    @inline(__always)
    func datagram(to destination: Endpoint, from source: Endpoint, bytes: Int, stamp: PacketStamp) {
        guard let watch = watches[Self.key(destination)], watch.endpoint == destination else { return }
        watch.call._withUnsafeGuaranteedRef {
            $0.count(from: source, bytes: bytes, stamp: stamp, receiver: watch.receiver)
        }
    }

    /// A number standing for an endpoint: IPv4 address and port exactly; an IPv6 address folded (the
    /// watch keeps the endpoint to tell a collision from a hit).
    @inline(__always)
    static func key(_ endpoint: Endpoint) -> UInt64 {
        switch endpoint.address {
        case .v4(let value):
            return UInt64(value) << 16 | UInt64(endpoint.port)
        case .v6(let high, let low):
            return (high ^ (low &* 0x9E37_79B9_7F4A_7C15)) << 16 | UInt64(endpoint.port) | 1 << 63
        }
    }

    private func announce(_ message: SignalingMessage) {
        let callKey = CallKey(signalingProtocol: message.signalingProtocol, callID: message.callID)
        let call: CallMedia
        if let known = calls[callKey] {
            call = known
        } else {
            call = CallMedia(key: callKey)
            calls[callKey] = call
        }
        for endpoint in message.mediaEndpoints {
            let key = Self.key(endpoint)
            if let watch = watches[key], watch.endpoint == endpoint, watch.belongs(to: call) { continue }
            // A new announcement of an endpoint another call used takes it over: ports are reused
            // from call to call.
            let receiver: Int
            if let index = call.receivers.firstIndex(where: { $0.endpoint == endpoint }) {
                receiver = index
            } else {
                receiver = call.receivers.count
                call.receivers.append((endpoint, message.sender))
            }
            if watches.updateValue(
                Watch(endpoint: endpoint, call: Unmanaged.passUnretained(call), receiver: receiver), forKey: key) == nil
            {
                order.append(key)
            }
        }
        while watches.count > Self.maxEndpoints, orderStart < order.count {
            watches[order[orderStart]] = nil
            orderStart += 1
        }
        if orderStart > Self.maxEndpoints {
            order.removeFirst(orderStart)
            orderStart = 0
        }
        isTracking = !watches.isEmpty
    }

    /// The media steps of a call the collector hands on, given its messages (to name the sending
    /// parties); the call's endpoints are no longer watched.
    func finish(call messages: [SignalingMessage]) -> [SignalingMessage] {
        guard let first = messages.first else { return [] }
        let callKey = CallKey(signalingProtocol: first.signalingProtocol, callID: first.callID)
        guard let call = calls.removeValue(forKey: callKey) else { return [] }
        for receiver in call.receivers {
            let key = Self.key(receiver.endpoint)
            if watches[key]?.belongs(to: call) == true { watches[key] = nil }
        }
        isTracking = !watches.isEmpty
        if watches.isEmpty {
            order.removeAll()
            orderStart = 0
        }
        return Self.steps(call, parties: messages.flatMap { [$0.sender, $0.receiver] })
    }

    /// `RTP starts` and `RTP stops` per segment, in order of first packet.
    static func steps(_ call: CallMedia, parties: [Party]) -> [SignalingMessage] {
        var steps: [SignalingMessage] = []
        for path in call.paths.sorted(by: { $0.segments[0].first.time < $1.segments[0].first.time }) {
            let receiver = call.receivers[path.receiver]
            // The lifelines are the signaling parties; the endpoints are those the packets used, so
            // JSON's `src` and `dst` show the RTP addresses as Wireshark does.
            var sender = senderParty(path.sender, receiver: receiver.party, call: call, parties: parties)
            sender.endpoint = path.sender
            var receiverParty = receiver.party
            receiverParty.endpoint = receiver.endpoint
            let route = "\(path.sender) -> \(receiver.endpoint)"
            for (index, segment) in path.segments.enumerated() {
                let identity = "media|\(route)|\(index)"
                let packets = segment.packetsIn
                let attributes: [(String, String)] = [
                    ("media-from", path.sender.description), ("media-to", receiver.endpoint.description),
                    ("packets", String(packets)), ("bytes", String(segment.bytes)),
                ]
                func step(_ event: String, label: String, stamp: PacketStamp, notes: [String]) -> SignalingMessage {
                    SignalingMessage(
                        signalingProtocol: call.key.signalingProtocol, callID: call.key.callID, kind: .other,
                        label: label, headline: "RTP \(route)", sender: sender, receiver: receiverParty,
                        stamp: stamp, transport: "udp", confidence: .observed, identity: identity + "|" + event,
                        notes: notes, attributes: MessageAttributes(attributes + [(MediaSegment.eventAttribute, event)])
                    )
                }
                steps.append(step("start", label: "RTP starts", stamp: segment.first, notes: [route]))
                steps.append(
                    step(
                        "stop",
                        label: "RTP stops: \(packets) packet\(packets == 1 ? "" : "s") in \(segment.durationText)",
                        stamp: segment.last, notes: []))
            }
        }
        return steps
    }

    /// Who sent a path's packets: the party that announced the sending endpoint (symmetric RTP), or
    /// else the party of the call at the sender's address other than the receiver, or else the
    /// endpoint itself as a lifeline of its own.
    static func senderParty(_ sender: Endpoint, receiver: Party, call: CallMedia, parties: [Party]) -> Party {
        if let announced = call.receivers.first(where: { $0.endpoint == sender }) { return announced.party }
        if let party = parties.first(where: { $0.endpoint?.address == sender.address && $0.key != receiver.key }) {
            return party
        }
        return Party(endpoint: sender)
    }
}
