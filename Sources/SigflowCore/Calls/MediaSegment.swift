/// A stretch of media packets on one path with no silence longer than `MediaSegment.gap`: what a
/// media tracker keeps per path instead of the packets, so memory does not grow with call length.
/// Shared by every tracker so that media looks the same in every protocol's calls.
public struct MediaSegment: Hashable, Sendable {
    /// Silence that ends a segment: audio sends a packet every 20-60 ms, so three seconds without
    /// one is a stop, not jitter.
    public static let gap: Int64 = 3_000_000_000
    /// Segments remembered per path; later packets after the last one are dropped.
    public static let maxSegments = 256

    public var first: PacketStamp
    public var last: PacketStamp
    public var packetsOut = 0
    public var packetsIn = 0
    public var bytes = 0

    public init(first: PacketStamp, last: PacketStamp) {
        self.first = first
        self.last = last
    }

    /// `4.9 s`: the segment's length to a tenth of a second, as step labels show it.
    public var durationText: String {
        let seconds = Double(last.time.nanoseconds(since: first.time)) / 1e9
        let tenths = Int((seconds * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) s"
    }
}

/// The segments of one media path, counted packet by packet. The current segment is held inline so
/// that counting a packet updates a few integers and touches no array; a silence longer than
/// `MediaSegment.gap` closes it.
public struct MediaSegments: Sendable {
    @usableFromInline var current: MediaSegment
    @usableFromInline var closed: [MediaSegment] = []

    /// A path's first packet.
    public init(_ stamp: PacketStamp, outbound: Bool, bytes: Int) {
        current = MediaSegment(first: stamp, last: stamp)
        current.count(stamp, outbound: outbound, bytes: bytes)
    }

    /// Counts a packet into the current segment, or opens a new one after a silence; packets after
    /// the last of `MediaSegment.maxSegments` segments are dropped.
    @inlinable @inline(__always)
    public mutating func add(_ stamp: PacketStamp, outbound: Bool, bytes: Int) {
        if stamp.time.nanoseconds &- current.last.time.nanoseconds <= MediaSegment.gap {
            current.count(stamp, outbound: outbound, bytes: bytes)
        } else {
            openSegment(stamp, outbound: outbound, bytes: bytes)
        }
    }

    @usableFromInline mutating func openSegment(_ stamp: PacketStamp, outbound: Bool, bytes: Int) {
        guard closed.count + 1 < MediaSegment.maxSegments else { return }
        closed.append(current)
        current = MediaSegment(first: stamp, last: stamp)
        current.count(stamp, outbound: outbound, bytes: bytes)
    }

    /// Every segment, in order.
    public var all: [MediaSegment] { closed + [current] }

    /// When the path's first packet was seen.
    public var first: PacketStamp { closed.first?.first ?? current.first }
}

extension MediaSegment {
    @inlinable @inline(__always)
    mutating func count(_ stamp: PacketStamp, outbound: Bool, bytes: Int) {
        last = stamp
        if outbound { packetsOut += 1 } else { packetsIn += 1 }
        self.bytes += bytes
    }
}

/// A media step: the first (`start`) or last (`stop`) packet of a segment of one media path, drawn
/// between the sending party and the party that announced where it receives.
public struct MediaDetail: MessageDetail, Hashable {
    public enum Event: String, Hashable, Sendable {
        case start, stop
    }

    public var event: Event
    /// The RTP endpoints the packets used.
    public var from: Endpoint
    public var to: Endpoint
    /// Packets and bytes of the whole segment.
    public var packets: Int
    public var bytes: Int
    /// The segment's length, as `durationText` writes it.
    public var duration: String

    public init(event: Event, from: Endpoint, to: Endpoint, packets: Int, bytes: Int, duration: String) {
        self.event = event
        self.from = from
        self.to = to
        self.packets = packets
        self.bytes = bytes
        self.duration = duration
    }

    public var route: String { "\(from) -> \(to)" }

    public var label: String {
        switch event {
        case .start: return "RTP starts"
        case .stop: return "RTP stops: \(packets) packet\(packets == 1 ? "" : "s") in \(duration)"
        }
    }

    public var headline: String { "RTP \(route)" }
    public var notes: [String] { event == .start ? [route] : [] }

    public var attributes: [(key: String, value: String)] {
        [
            ("media-from", from.description), ("media-to", to.description), ("packets", String(packets)),
            ("bytes", String(bytes)), ("media-event", event.rawValue),
        ]
    }
}

extension SignalingMessage {
    /// The media step's fields, when this is one.
    public var media: MediaDetail? { kind == .media ? detail as? MediaDetail : nil }
}
