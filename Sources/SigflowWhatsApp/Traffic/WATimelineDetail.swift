import SigflowCore

/// One step of a capture's encrypted-traffic timeline (`WhatsAppTimeline`): what the capture shows
/// of a client's signaling connection or call socket, every step inferred.
public struct WATimelineDetail: Equatable, Sendable {
    /// A burst of frames on the signaling connection.
    public struct Burst: Equatable, Sendable {
        public var framesUp: Int
        public var framesDown: Int
        public var bytes: Int
        public var server: Endpoint
        /// When its last frame was seen.
        public var until: CaptureTime
    }

    /// A media segment on a call socket, seen at its first or last packet: a step of kind `.media`,
    /// drawn as media like other protocols' (its label and fields are WhatsApp's own).
    public struct Media: Equatable, Sendable {
        public var event: MediaDetail.Event
        public var remote: Endpoint
        public var socket: Endpoint
        public var packetsOut: Int
        public var packetsIn: Int
        public var bytes: Int
    }

    public enum Event: Equatable, Sendable {
        /// The connection's first burst, its opening.
        case connect(Burst)
        case burst(Burst)
        case close
        /// STUN to the call relays.
        case allocation(socket: Endpoint, relays: Int)
        /// Connectivity checks with a media peer.
        case peerCheck(remote: Endpoint)
        case media(Media)
        /// WhatsApp's own STUN method 0x0800 to the relays.
        case relayRelease

        /// The name JSON's `pcap-event` gives it.
        public var name: String {
            switch self {
            case .connect: return "connect"
            case .burst: return "burst"
            case .close: return "close"
            case .allocation: return "allocation"
            case .peerCheck: return "peer-check"
            case .media(let media): return media.event == .start ? "media-start" : "media-stop"
            case .relayRelease: return "relay-0800"
            }
        }

        /// The connection's burst, for a connect or a burst.
        public var burst: Burst? {
            switch self {
            case .connect(let burst), .burst(let burst): return burst
            default: return nil
            }
        }

        public var media: Media? {
            guard case .media(let media) = self else { return nil }
            return media
        }
    }

    /// The client's address, which names its timeline.
    public var client: String
    public var event: Event
    public var label: String
    public var notes: [String]

    public var attributes: [(key: String, value: String)] {
        var fields: [(key: String, value: String)] = [("wa-timeline", client), ("pcap-event", event.name)]
        switch event {
        case .connect(let burst), .burst(let burst):
            fields += [
                ("frames-up", String(burst.framesUp)), ("frames-down", String(burst.framesDown)),
                ("bytes", String(burst.bytes)), ("server", burst.server.description),
                ("until", burst.until.epochString),
            ]
        case .allocation(let socket, let relays):
            fields += [("socket", socket.description), ("relays", String(relays))]
        case .peerCheck(let remote):
            fields.append(("remote", remote.description))
        case .media(let media):
            fields += [
                ("remote", media.remote.description), ("socket", media.socket.description),
                ("packets-out", String(media.packetsOut)), ("packets-in", String(media.packetsIn)),
                ("bytes", String(media.bytes)), ("media-event", media.event.rawValue),
            ]
        case .close, .relayRelease:
            break
        }
        return fields
    }
}
