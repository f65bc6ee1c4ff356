import SigflowCore
import SigflowFraming

/// Turns what `WhatsAppTrafficTracker` saw into a call-like record per client address, every step
/// `.inferred` (nothing inside is readable):
/// - the signaling connection: its opening (prologue or TLS server name) and each burst of frames
///   (frames less than a second apart), with counts each way;
/// - per call socket: the relay allocation (STUN to the relays), connectivity checks with a peer,
///   each media segment's start and stop (via a relay or peer to peer), and WhatsApp's own STUN
///   method 0x0800 to the relays, which the real captures show as the call ends.
/// The record's call id is `encrypted <client address>`; lifelines are the client, the WhatsApp
/// server (the key logs use, so a log of the same device joins it), the relays, and a media peer.
/// The peer lifeline is marked as a server so that a record without an offer still gets distinct
/// participant ids (see the report: the correlator names a non-call's peers `server` too).
struct WhatsAppTimeline {
    let connections: [WAStreamConsumer]
    let sockets: [WhatsAppTrafficTracker.CallSocket]

    /// Frames closer than this belong to one burst.
    static let burstGap: Int64 = 1_000_000_000

    func messages() -> [SignalingMessage] {
        var clients: [IPAddress] = []
        var firstSeen: [IPAddress: CaptureTime] = [:]
        func note(_ address: IPAddress, _ time: CaptureTime?) {
            guard let time else { return }
            if firstSeen[address] == nil { clients.append(address) }
            firstSeen[address] = min(firstSeen[address] ?? time, time)
        }
        for connection in connections { note(connection.stream.client.address, connection.frames.first?.stamp.time) }
        for socket in sockets { note(socket.local.address, socket.stun.first?.stamp.time) }
        var messages: [SignalingMessage] = []
        for client in clients.sorted(by: { firstSeen[$0]! < firstSeen[$1]! }) {
            var builder = Builder(client: client)
            for connection in connections where connection.stream.client.address == client {
                builder.add(connection)
            }
            for socket in sockets where socket.local.address == client { builder.add(socket) }
            messages += builder.messages
        }
        return messages
    }

    struct Builder {
        let client: IPAddress
        var messages: [SignalingMessage] = []

        init(client: IPAddress) {
            self.client = client
        }

        var callID: String { "encrypted \(client)" }
        var clientParty: Party { Party(name: client.description, agent: "WhatsApp client, encrypted") }

        mutating func emit(
            _ label: String, from sender: Party, to receiver: Party, stamp: PacketStamp, transport: MessageTransport,
            event: WATimelineDetail.Event, notes: [String] = []
        ) {
            let detail = WATimelineDetail(client: client.description, event: event, label: label, notes: notes)
            messages.append(
                SignalingMessage(
                    call: CallKey(.whatsapp, callID: callID), callID: callID,
                    kind: event.media == nil ? .other : .media,
                    method: "encrypted", sender: sender, receiver: receiver, stamp: stamp, transport: transport,
                    confidence: .inferred, identity: WAStanzaMapper.identity("wa-pcap|\(client)|\(messages.count)"),
                    detail: WhatsAppDetail.timeline(detail)))
        }

        mutating func add(_ connection: WAStreamConsumer) {
            let frames = connection.frames
            guard !frames.isEmpty else { return }
            var server = WAParty.server
            server.endpoint = connection.stream.server
            let name: String
            let transport: MessageTransport
            switch connection.framing {
            case .chat(let magic, let version):
                name = magic >= 5 ? "Noise, WA \(magic).\(version)" : "WA chat protocol \(magic).\(version)"
                transport = .tcp
            case .tls(let serverName):
                name = "TLS to \(serverName)"
                transport = .tls
            }
            var bursts: [[WAFrame]] = [[frames[0]]]
            for frame in frames.dropFirst() {
                if frame.stamp.time.nanoseconds(since: bursts[bursts.count - 1].last!.stamp.time)
                    > WhatsAppTimeline.burstGap
                {
                    bursts.append([frame])
                } else {
                    bursts[bursts.count - 1].append(frame)
                }
            }
            for (index, burst) in bursts.enumerated() {
                let up = burst.filter(\.fromClient)
                let down = burst.filter { !$0.fromClient }
                let bytes = burst.reduce(0) { $0 + $1.length }
                let counts = "\(up.count) up, \(down.count) down"
                let label =
                    index == 0
                    ? "connect (\(name)): \(counts)"
                    : "encrypted signaling: \(counts), \(bytes) B"
                let fromClient = burst[0].fromClient
                let facts = WATimelineDetail.Burst(
                    framesUp: up.count, framesDown: down.count, bytes: bytes, server: connection.stream.server,
                    until: burst.last!.stamp.time)
                emit(
                    label, from: fromClient ? clientParty : server, to: fromClient ? server : clientParty,
                    stamp: burst[0].stamp, transport: transport, event: index == 0 ? .connect(facts) : .burst(facts))
            }
            if let ended = connection.ended, ended.reason == .fin || ended.reason == .reset {
                emit(
                    "connection closed (\(ended.reason.rawValue))", from: clientParty, to: server, stamp: ended.stamp,
                    transport: transport, event: .close)
            }
        }

        mutating func add(_ socket: WhatsAppTrafficTracker.CallSocket) {
            let relayRemotes = orderedUnique(socket.stun.filter { $0.remote.port == 3478 }.map(\.remote))
            let mediaRelay = socket.mediaOrder.first { relayRemotes.contains($0) }
            var relays = Party(name: "relays", isServer: true, agent: "WhatsApp relays")
            relays.endpoint = mediaRelay ?? relayRemotes.first
            func party(for remote: Endpoint) -> Party {
                if relayRemotes.contains(remote) || remote.port == 3478 { return relays }
                return Party(name: "peer \(remote)", endpoint: remote, isServer: true, agent: "Media peer")
            }
            let requests = socket.stun.filter { $0.outbound && $0.messageClass == 0 }
            if let first = requests.first(where: { $0.remote.port == 3478 }) {
                let answered = Set(
                    socket.stun.filter { !$0.outbound && $0.messageClass == 2 && $0.remote.port == 3478 }.map(\.remote))
                emit(
                    "relay allocation: STUN to \(relayRemotes.count) relay\(relayRemotes.count == 1 ? "" : "s")",
                    from: clientParty, to: relays, stamp: first.stamp, transport: .udp,
                    event: .allocation(socket: socket.local, relays: relayRemotes.count),
                    notes: ["\(answered.count) answered; call socket \(socket.local)"])
            }
            let peers = orderedUnique(requests.filter { $0.remote.port != 3478 && $0.method == 1 }.map(\.remote))
            for peer in peers {
                guard let first = requests.first(where: { $0.remote == peer }) else { continue }
                let answered = socket.stun.contains { !$0.outbound && $0.remote == peer && $0.messageClass == 2 }
                emit(
                    "connectivity checks with \(peer): \(answered ? "answered" : "no answer")", from: clientParty,
                    to: party(for: peer), stamp: first.stamp, transport: .udp, event: .peerCheck(remote: peer))
            }
            for remote in socket.mediaOrder {
                let via =
                    party(for: remote).isServer && party(for: remote).key == .name("relays")
                    ? "via relay" : "peer to peer"
                for segment in socket.media[remote]?.all ?? [] {
                    let packets = segment.packetsOut + segment.packetsIn
                    func media(_ event: MediaDetail.Event) -> WATimelineDetail.Event {
                        .media(
                            WATimelineDetail.Media(
                                event: event, remote: remote, socket: socket.local, packetsOut: segment.packetsOut,
                                packetsIn: segment.packetsIn, bytes: segment.bytes))
                    }
                    emit(
                        "media starts \(via) \(remote)", from: clientParty, to: party(for: remote),
                        stamp: segment.first, transport: .udp, event: media(.start))
                    emit(
                        "media stops \(via) \(remote): \(packets) packets in \(segment.durationText)",
                        from: clientParty, to: party(for: remote), stamp: segment.last, transport: .udp,
                        event: media(.stop), notes: ["\(segment.packetsOut) sent, \(segment.packetsIn) received"])
                }
            }
            let releases = socket.stun.filter { $0.outbound && $0.type == 0x0800 }
            if let first = releases.first {
                let count = Set(releases.map(\.remote)).count
                emit(
                    "STUN 0x0800 to \(count) relay\(count == 1 ? "" : "s")", from: clientParty, to: relays,
                    stamp: first.stamp, transport: .udp, event: .relayRelease,
                    notes: ["a WhatsApp-specific STUN method; in these captures it comes as the call ends"])
            }
        }

        func orderedUnique(_ endpoints: [Endpoint]) -> [Endpoint] {
            var seen: Set<Endpoint> = []
            return endpoints.filter { seen.insert($0).inserted }
        }
    }
}
