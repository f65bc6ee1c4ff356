/// A stretch of media packets on one path with no silence longer than `MediaSegment.gap`: what a
/// media tracker keeps per path instead of the packets, so memory does not grow with call length.
/// Shared by every tracker so that media looks the same in every protocol's calls.
public struct MediaSegment: Hashable, Sendable {
    /// Silence that ends a segment: audio sends a packet every 20-60 ms, so three seconds without
    /// one is a stop, not jitter.
    public static let gap: Int64 = 3_000_000_000
    /// Segments remembered per path; later packets after the last one are dropped.
    public static let maxSegments = 256
    /// The attribute naming a media step's event: `start` (first packet of a segment) or `stop`
    /// (its last). Rules find media steps by it.
    public static let eventAttribute = "media-event"

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

extension Array where Element == MediaSegment {
    /// Counts a media packet into the current segment, or opens a new one after a silence.
    public mutating func add(_ stamp: PacketStamp, outbound: Bool, bytes: Int) {
        if let last = self.last, stamp.time.nanoseconds(since: last.last.time) <= MediaSegment.gap {
            self[count - 1].last = stamp
        } else if count < MediaSegment.maxSegments {
            append(MediaSegment(first: stamp, last: stamp))
        } else {
            return
        }
        if outbound { self[count - 1].packetsOut += 1 } else { self[count - 1].packetsIn += 1 }
        self[count - 1].bytes += bytes
    }
}
