import SigflowCore

/// A capture under construction: IP packets framed in one link layer, each stamped a fixed step after
/// the previous one unless a time is given. Frame numbers are 1-based, as Wireshark counts them.
public struct Fixture {
    public let framing: LinkFraming
    /// The clock of the next frame.
    public var clock: CaptureTime
    /// Time between consecutive frames when none is given: 1 ms.
    public var step: Int64 = 1_000_000
    private var writer: PcapWriter

    /// A Monday in 2023, a round number of seconds after the epoch.
    public static let start = CaptureTime(seconds: 1_700_000_000, nanoseconds: 0)

    public init(
        _ framing: LinkFraming = .ethernet, ipv6: Bool = false, snaplen: Int = 262_144,
        precision: PcapWriter.Precision = .microseconds, start: CaptureTime = Fixture.start
    ) {
        self.framing = framing
        self.clock = start
        self.writer = PcapWriter(
            linkType: framing.linkType(ipv6: ipv6), snaplen: snaplen, precision: precision)
    }

    /// Frames written so far.
    public var frameCount: Int { writer.recordCount }

    /// Appends `packet` (an IP packet) in the fixture's framing; returns its frame number.
    @discardableResult
    public mutating func add(_ packet: [UInt8], at time: CaptureTime? = nil) -> Int {
        addFrame(framing.frame(packet), at: time)
    }

    /// Appends an already framed frame; returns its frame number.
    @discardableResult
    public mutating func addFrame(_ frame: [UInt8], at time: CaptureTime? = nil) -> Int {
        if let time { clock = time }
        writer.add(frame, at: clock)
        clock = clock.adding(nanoseconds: step)
        return writer.recordCount
    }

    /// Appends an already framed frame of which only the first `keeping` bytes were captured, as if
    /// the snapshot length had cut it there; returns its frame number.
    @discardableResult
    public mutating func addFrame(_ frame: [UInt8], keeping: Int, at time: CaptureTime? = nil) -> Int {
        if let time { clock = time }
        writer.addRecord(Array(frame.prefix(keeping)), capturedLength: keeping, originalLength: frame.count, at: clock)
        clock = clock.adding(nanoseconds: step)
        return writer.recordCount
    }

    /// Moves the clock on by `seconds` without writing anything.
    public mutating func wait(seconds: Double) {
        clock = clock.adding(nanoseconds: Int64(seconds * 1e9))
    }

    /// The pcap file's bytes.
    public var bytes: [UInt8] { writer.bytes }

    /// The time of frame `number` when every frame took the default step from `start`.
    public static func time(
        ofFrame number: Int, start: CaptureTime = Fixture.start, step: Int64 = 1_000_000
    )
        -> CaptureTime
    {
        start.adding(nanoseconds: Int64(number - 1) * step)
    }
}
