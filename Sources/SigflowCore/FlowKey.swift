/// The transport protocols sigflow tracks conversations for, with their IP protocol numbers.
public enum TransportProtocol: UInt8, Hashable, Sendable, CustomStringConvertible {
    case tcp = 6
    case udp = 17
    /// GRE between two hosts (ports 0): listed by `flows` when sigflow could not open the tunnel.
    case gre = 47

    public var description: String {
        switch self {
        case .tcp: return "tcp"
        case .udp: return "udp"
        case .gre: return "gre"
        }
    }

    /// Whether the protocol has ports.
    public var hasPorts: Bool { self != .gre }
}

/// One conversation: a transport and its two endpoints in a canonical order, so both directions of
/// a conversation map to the same key.
public struct FlowKey: Hashable, Sendable, CustomStringConvertible {
    public let transport: TransportProtocol
    /// The lower of the two endpoints.
    public let low: Endpoint
    /// The higher of the two endpoints.
    public let high: Endpoint

    /// The key of the conversation a packet from `source` to `destination` belongs to, and whether the
    /// packet travels from `low` to `high`.
    public static func of(
        _ transport: TransportProtocol, from source: Endpoint, to destination: Endpoint
    ) -> (key: FlowKey, lowToHigh: Bool) {
        if source <= destination {
            return (FlowKey(transport: transport, low: source, high: destination), true)
        }
        return (FlowKey(transport: transport, low: destination, high: source), false)
    }

    private init(transport: TransportProtocol, low: Endpoint, high: Endpoint) {
        self.transport = transport
        self.low = low
        self.high = high
    }

    public var description: String { "\(transport) \(low) <-> \(high)" }
}

/// Where a packet or message came from: which capture file given on the command line (0-based) and
/// the 1-based frame number inside it, as Wireshark numbers frames.
public struct SourceRef: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var capture: Int
    public var frame: Int

    public init(capture: Int, frame: Int) {
        self.capture = capture
        self.frame = frame
    }

    public static func < (lhs: SourceRef, rhs: SourceRef) -> Bool {
        (lhs.capture, lhs.frame) < (rhs.capture, rhs.frame)
    }

    public var description: String { "\(capture):\(frame)" }
}

/// The packet that carried (or completed) some bytes: its time, where it is in the captures, and
/// the tunnel or HEP agent it came through.
public struct PacketStamp: Hashable, Sendable {
    public var time: CaptureTime
    public var source: SourceRef
    /// Nil for a packet read as it was sent (no tunnel, no HEP).
    public var encapsulation: Encapsulation?

    public init(time: CaptureTime, source: SourceRef, encapsulation: Encapsulation? = nil) {
        self.time = time
        self.source = source
        self.encapsulation = encapsulation
    }

    /// The point of view that saw the packet: its capture and, for a HEP copy, the agent that made
    /// it. Copies of one message from two vantage points are two sightings of it, not a retransmission.
    public var vantage: Vantage { Vantage(capture: source.capture, hepAgent: encapsulation?.hepAgent) }
}

/// One point of view on the traffic: a capture, or one HEP agent's copies within a capture.
public struct Vantage: Hashable, Comparable, Sendable {
    public var capture: Int
    public var hepAgent: UInt32?

    public init(capture: Int, hepAgent: UInt32? = nil) {
        self.capture = capture
        self.hepAgent = hepAgent
    }

    public static func < (lhs: Vantage, rhs: Vantage) -> Bool {
        (lhs.capture, lhs.hepAgent.map { Int64($0) } ?? -1) < (rhs.capture, rhs.hepAgent.map { Int64($0) } ?? -1)
    }
}
