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
/// RTP-like datagram costs one lookup in `MediaWatchTable` (a multiply and a slot compare) and, on a
/// hit, a short scan of the call's paths; nothing is allocated except for the first packet of a new
/// path.
///
/// Memory: at most `maxEndpoints` endpoints are watched (the oldest announcement is dropped first),
/// at most `maxPathsPerCall` paths and `MediaSegment.maxSegments` segments per path are counted, and
/// a call's state is forgotten when the collector hands the call on.
public final class MediaTracker: SignalingSink {
    static let maxEndpoints = 65_536
    static let maxPathsPerCall = 64

    /// Packets from one sending endpoint to one announced endpoint, as one capture saw them.
    struct Path {
        var capture: Int
        var receiver: Int
        var sender: Endpoint
        var segments: MediaSegments
    }

    final class CallMedia {
        let key: CallKey
        let callID: String
        /// Announced endpoints with the party that announced each (its first announcement wins: a
        /// proxy forwarding the same SDP is not the one that receives there).
        var receivers: [(endpoint: Endpoint, party: Party)] = []
        /// The call's slots in the tracker's `paths`.
        var paths: [Int] = []

        init(key: CallKey, callID: String) {
            self.key = key
            self.callID = callID
        }
    }

    struct Watch {
        /// Not retained: using a watch for every packet would otherwise cost an atomic retain and
        /// release. `calls` owns each CallMedia, and `finish(call:)` removes a call's watches in the
        /// same step as the call, so no watch outlives its call.
        var call: Unmanaged<CallMedia>
        var receiver: Int
        /// The path that counted the last packet to this endpoint, or -1: media to an endpoint almost
        /// always comes from one sender, so most packets skip the scan of the call's paths. A path
        /// of the watch's own call and receiver, freed only with the call (and so the watch).
        var lastPath = -1

        func belongs(to other: CallMedia) -> Bool { call.toOpaque() == Unmanaged.passUnretained(other).toOpaque() }
    }

    private let next: any SignalingSink
    /// Looked up for every RTP-like datagram: exempt from dynamic exclusivity checks, like
    /// `isTracking` (single-threaded; no access is held across a call).
    @exclusivity(unchecked) private var watches = MediaWatchTable<Watch>()
    /// Every call's paths in one array, updated in place for every counted packet (exempt from the
    /// checks too); a finished call's slots are reused.
    @exclusivity(unchecked) private var paths: [Path] = []
    private var freePaths: [Int] = []
    /// Watched endpoints in order of announcement, for dropping the oldest; may hold endpoints
    /// already gone.
    private var order: [Endpoint] = []
    private var orderStart = 0
    private var calls: [CallKey: CallMedia] = [:]

    public init(next: any SignalingSink) {
        self.next = next
    }

    public var watchedEndpoints: Int { watches.count }

    /// Whether any endpoint is watched, so RTP-like datagrams are worth dissecting.
    @exclusivity(unchecked) public private(set) var isTracking = false

    public func deliver(_ message: SignalingMessage) {
        if !message.mediaEndpoints.isEmpty { announce(message) }
        next.deliver(message)
    }

    public func report(_ diagnostic: Diagnostic) { next.report(diagnostic) }

    /// An RTP-like datagram (the caller checked the first byte).
    @inline(__always)
    public func datagram(_ packet: TransportPacket) {
        datagram(to: packet.destination, from: packet.source, bytes: packet.payload.count, stamp: packet.stamp)
    }

    /// An RTP-like datagram given by its endpoints and payload length (read from the headers alone).
    @inline(__always)
    public func datagram(to destination: Endpoint, from source: Endpoint, bytes: Int, stamp: PacketStamp) {
        guard let slot = watches.slot(of: destination) else { return }
        let watch = watches[valueAt: slot]
        let capture = stamp.source.capture
        if watch.lastPath >= 0 {
            let counted = paths.withUnsafeMutableBufferPointer { buffer in
                guard buffer[watch.lastPath].sender == source, buffer[watch.lastPath].capture == capture else {
                    return false
                }
                buffer[watch.lastPath].segments.add(stamp, outbound: false, bytes: bytes)
                return true
            }
            if counted { return }
        }
        if let path = count(watch, from: source, capture: capture, bytes: bytes, stamp: stamp) {
            watches[valueAt: slot].lastPath = path
        }
    }

    /// Counts a packet the watch's last path did not match: in the call's path from `source`, or a
    /// new one. Returns the path, or nil when the call has all the paths it may have.
    private func count(_ watch: Watch, from source: Endpoint, capture: Int, bytes: Int, stamp: PacketStamp) -> Int? {
        let call = watch.call.takeUnretainedValue()
        for index in call.paths
        where paths[index].receiver == watch.receiver && paths[index].sender == source
            && paths[index].capture == capture
        {
            paths[index].segments.add(stamp, outbound: false, bytes: bytes)
            return index
        }
        guard call.paths.count < Self.maxPathsPerCall else { return nil }
        let path = Path(
            capture: capture, receiver: watch.receiver, sender: source,
            segments: MediaSegments(stamp, outbound: false, bytes: bytes))
        let index: Int
        if let free = freePaths.popLast() {
            index = free
            paths[index] = path
        } else {
            index = paths.count
            paths.append(path)
        }
        call.paths.append(index)
        return index
    }

    private func announce(_ message: SignalingMessage) {
        let call: CallMedia
        if let known = calls[message.call] {
            call = known
        } else {
            call = CallMedia(key: message.call, callID: message.callID)
            calls[message.call] = call
        }
        for endpoint in message.mediaEndpoints {
            if let watch = watches[endpoint], watch.belongs(to: call) { continue }
            // A new announcement of an endpoint another call used takes it over: ports are reused
            // from call to call.
            let receiver: Int
            if let index = call.receivers.firstIndex(where: { $0.endpoint == endpoint }) {
                receiver = index
            } else {
                receiver = call.receivers.count
                call.receivers.append((endpoint, message.sender))
            }
            if watches.updateValue(Watch(call: Unmanaged.passUnretained(call), receiver: receiver), for: endpoint)
                == nil
            {
                order.append(endpoint)
            }
        }
        while watches.count > Self.maxEndpoints, orderStart < order.count {
            watches.removeValue(for: order[orderStart])
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
    public func finish(call messages: [SignalingMessage]) -> [SignalingMessage] {
        guard let first = messages.first, let call = calls.removeValue(forKey: first.call) else { return [] }
        let callPaths = call.paths.map { paths[$0] }
        for index in call.paths {
            // Drops the closed segments now rather than when the slot is reused.
            paths[index].segments = MediaSegments(paths[index].segments.first, outbound: false, bytes: 0)
            freePaths.append(index)
        }
        for receiver in call.receivers {
            if watches[receiver.endpoint]?.belongs(to: call) == true { watches.removeValue(for: receiver.endpoint) }
        }
        isTracking = !watches.isEmpty
        if watches.isEmpty {
            order.removeAll()
            orderStart = 0
        }
        return Self.steps(call, paths: callPaths, messages: messages)
    }

    /// `RTP starts` and `RTP stops` per segment, in order of first packet.
    static func steps(_ call: CallMedia, paths: [Path], messages: [SignalingMessage]) -> [SignalingMessage] {
        var steps: [SignalingMessage] = []
        for path in paths.sorted(by: { $0.segments.first.time < $1.segments.first.time }) {
            let receiver = call.receivers[path.receiver]
            // The lifelines are the signaling parties; the endpoints are those the packets used, so
            // JSON's `src` and `dst` show the RTP addresses as Wireshark does.
            var sender = senderParty(path.sender, receiver: receiver.party, call: call, messages: messages)
            sender.endpoint = path.sender
            var receiverParty = receiver.party
            receiverParty.endpoint = receiver.endpoint
            for (index, segment) in path.segments.all.enumerated() {
                func step(_ event: MediaDetail.Event, stamp: PacketStamp) -> SignalingMessage {
                    var identity = KeyHasher(seed: 0x6d65_6469_61)
                    identity.combine(path.sender)
                    identity.combine(receiver.endpoint)
                    identity.combine(UInt64(index * 2 + (event == .start ? 0 : 1)))
                    return SignalingMessage(
                        call: call.key, callID: call.callID, kind: .media, sender: sender, receiver: receiverParty,
                        stamp: stamp, transport: .udp, confidence: .observed, identity: MessageKey(identity.finalize()),
                        detail: MediaDetail(
                            event: event, from: path.sender, to: receiver.endpoint, packets: segment.packetsIn,
                            bytes: segment.bytes, duration: segment.durationText))
                }
                steps.append(step(.start, stamp: segment.first))
                steps.append(step(.stop, stamp: segment.last))
            }
        }
        return steps
    }

    /// Who sent a path's packets: the party that announced the sending endpoint (symmetric RTP), or
    /// else the party of the call at the sender's address other than the receiver, or else the
    /// endpoint itself as a lifeline of its own.
    static func senderParty(
        _ sender: Endpoint, receiver: Party, call: CallMedia, messages: [SignalingMessage]
    ) -> Party {
        if let announced = call.receivers.first(where: { $0.endpoint == sender }) { return announced.party }
        // Searched message by message: most paths are announced, and listing every message's two
        // parties up front cost more than building the media steps.
        for message in messages {
            for party in [message.sender, message.receiver]
            where party.endpoint?.address == sender.address && party.key != receiver.key {
                return party
            }
        }
        return Party(endpoint: sender)
    }
}
