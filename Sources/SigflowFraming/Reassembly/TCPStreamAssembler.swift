import SigflowCore

/// Reassembles one direction of a TCP connection.
///
/// Policy, where copies disagree: **the first copy seen wins**. Bytes once delivered are final, so a
/// retransmission of delivered data is counted and dropped; a segment overlapping buffered
/// out-of-order data only contributes the bytes nobody sent before it (conflicting bytes are counted).
/// This is the policy of Linux and most IDSs, and the only one that never has to take back what an
/// upper layer already parsed.
///
/// Positions are kept as 64-bit offsets from the start of the stream, so sequence-number wraparound
/// only matters when comparing a new segment with the next expected sequence number.
struct TCPStreamAssembler {
    enum Output {
        case bytes(UnsafeRawBufferPointer, PacketStamp)
        case gap(Int?, PacketStamp)
        case end(StreamEndReason, PacketStamp)
        /// A memory cap made the holes in front of buffered data gaps (reported once per packet).
        case limitHit(MemoryCap, PacketStamp)
    }

    /// The two caps on out-of-order bytes (`ReassemblyLimits`).
    enum MemoryCap {
        case perDirection
        case total
    }

    private struct Segment {
        var position: Int64
        /// The captured bytes when kept; empty in tracking-only mode.
        var bytes: [UInt8]
        /// Captured bytes at the front of the segment (whether kept or not).
        var available: Int
        /// Bytes of sequence space covered: `available` plus any the snapshot length cut.
        var length: Int
        var stamp: PacketStamp

        var end: Int64 { position + Int64(length) }
    }

    struct Statistics: Hashable, Sendable {
        var deliveredBytes: Int64 = 0
        var gaps = 0
        var gapBytes: Int64 = 0
        /// Segments whose bytes had all been delivered already.
        var retransmissions = 0
        /// Bytes that arrived again where a copy was already held, with different content.
        var conflictingBytes = 0
        var pickedUpMidway = false
        var endReason: StreamEndReason?
    }

    private(set) var statistics = Statistics()
    private var started = false
    private var nextSequence: UInt32 = 0
    /// Stream offset of `nextSequence`.
    private var delivered: Int64 = 0
    private var pending: [Segment] = []
    private(set) var pendingBytes = 0
    private var finPosition: Int64?
    /// The packet that carried the FIN at `finPosition`.
    private var finStamp: PacketStamp?
    private(set) var ended = false

    var hasPending: Bool { !pending.isEmpty }

    /// Stamp of the oldest buffered segment, to age holes out.
    var oldestPendingTime: CaptureTime? { pending.map(\.stamp.time).min() }

    /// Feeds one segment. `keepBytes` is false for connections tracked for statistics only.
    /// `budget` is the byte allowance shared by all connections; it is charged and refunded here.
    mutating func add(
        sequence: UInt32, flags: TCPFields, payload: UnsafeRawBufferPointer, missingBytes: Int,
        stamp: PacketStamp, keepBytes: Bool, limits: ReassemblyLimits, budget: inout Int,
        emit: (Output) -> Void
    ) {
        guard !ended else {
            if !payload.isEmpty { statistics.retransmissions += 1 }
            return
        }
        if flags.isRST {
            flush(reason: .reset, stamp: stamp, budget: &budget, emit: emit)
            return
        }
        var dataSequence = sequence
        if flags.isSYN {
            dataSequence = sequence &+ 1
            if !started {
                started = true
                nextSequence = dataSequence
            }
        }
        if !started {
            started = true
            statistics.pickedUpMidway = true
            nextSequence = dataSequence
        }
        let length = payload.count + missingBytes
        let offset = Int64(Int32(bitPattern: dataSequence &- nextSequence))
        let position = delivered + offset
        if length > 0 {
            if position + Int64(length) <= delivered {
                statistics.retransmissions += 1
            } else if position <= delivered {
                deliver(
                    payload: keepBytes ? payload : nil, available: payload.count, skipping: Int(delivered - position),
                    missing: missingBytes, stamp: stamp, emit: emit)
                drain(stamp: stamp, budget: &budget, emit: emit)
            } else {
                insert(
                    Segment(
                        position: position, bytes: keepBytes ? Array(payload) : [], available: payload.count,
                        length: length, stamp: stamp),
                    budget: &budget)
            }
        }
        if flags.isFIN {
            finPosition = position + Int64(length)
            finStamp = stamp
        }
        enforceLimits(now: stamp, limits: limits, budget: &budget, emit: emit)
        if let fin = finPosition, delivered >= fin, pending.isEmpty {
            finish(.fin, stamp: stamp, emit: emit)
        }
    }

    /// Ends the direction, turning every remaining hole into a gap. When a FIN was seen (and no reset
    /// came), the bytes up to it are accounted for by the gaps and the direction ends with `.fin` at
    /// the FIN's packet, whatever made the caller flush.
    mutating func flush(
        reason: StreamEndReason, stamp: PacketStamp, budget: inout Int, emit: (Output) -> Void
    ) {
        guard !ended else { return }
        while let first = pending.first {
            declareGap(upTo: first.position, stamp: first.stamp, emit: emit)
            drain(stamp: nil, budget: &budget, emit: emit)
        }
        if reason != .reset, let fin = finPosition, let finStamp {
            declareGap(upTo: fin, stamp: finStamp, emit: emit)
            finish(.fin, stamp: finStamp, emit: emit)
            return
        }
        finish(reason, stamp: stamp, emit: emit)
    }

    private mutating func finish(_ reason: StreamEndReason, stamp: PacketStamp, emit: (Output) -> Void) {
        ended = true
        statistics.endReason = reason
        emit(.end(reason, stamp))
    }

    /// Delivers a segment's bytes past the first `skip` (already delivered). `payload` is nil when
    /// the bytes are not kept; `available` counts them either way.
    private mutating func deliver(
        payload: UnsafeRawBufferPointer?, available: Int, skipping skip: Int, missing: Int, stamp: PacketStamp,
        emit: (Output) -> Void
    ) {
        if skip < available {
            if let payload { emit(.bytes(UnsafeRawBufferPointer(rebasing: payload[skip..<available]), stamp)) }
            advance(by: available - skip)
        }
        let missingAfterSkip = min(missing, missing + available - skip)
        if missingAfterSkip > 0 {
            statistics.gaps += 1
            statistics.gapBytes += Int64(missingAfterSkip)
            emit(.gap(missingAfterSkip, stamp))
            advance(by: missingAfterSkip, counted: false)
        }
    }

    private mutating func advance(by count: Int, counted: Bool = true) {
        delivered += Int64(count)
        nextSequence = nextSequence &+ UInt32(truncatingIfNeeded: count)
        if counted { statistics.deliveredBytes += Int64(count) }
    }

    /// Delivers buffered segments that have become contiguous. `stamp` is the packet that filled the
    /// hole (nil when a gap was declared, and each segment keeps its own stamp).
    private mutating func drain(stamp: PacketStamp?, budget: inout Int, emit: (Output) -> Void) {
        while let first = pending.first, first.position <= delivered {
            pending.removeFirst()
            pendingBytes -= first.bytes.count
            budget += first.bytes.count
            guard first.end > delivered else {
                statistics.retransmissions += 1
                continue
            }
            let deliveredStamp = stamp.map { $0.time >= first.stamp.time ? $0 : first.stamp } ?? first.stamp
            first.bytes.withUnsafeBytes { bytes in
                deliver(
                    payload: first.bytes.isEmpty ? nil : bytes, available: first.available,
                    skipping: Int(delivered - first.position), missing: first.length - first.available,
                    stamp: deliveredStamp, emit: emit)
            }
        }
    }

    /// Buffers an out-of-order segment, keeping only the parts no earlier copy covers.
    private mutating func insert(_ segment: Segment, budget: inout Int) {
        var pieces = [(segment.position, segment.end)]
        for held in pending where held.position < segment.end && segment.position < held.end {
            countConflicts(new: segment, held: held)
            pieces = pieces.flatMap { piece -> [(Int64, Int64)] in
                guard piece.0 < held.end && held.position < piece.1 else { return [piece] }
                var rest: [(Int64, Int64)] = []
                if piece.0 < held.position { rest.append((piece.0, held.position)) }
                if held.end < piece.1 { rest.append((held.end, piece.1)) }
                return rest
            }
        }
        for (start, end) in pieces where start < end {
            let from = Int(start - segment.position)
            let to = Int(end - segment.position)
            let available = max(0, min(to, segment.available) - from)
            // A piece wholly past the captured bytes (snaplen) keeps none: `from` may lie past the end.
            let kept = segment.bytes.isEmpty || available == 0 ? [] : Array(segment.bytes[from..<(from + available)])
            let piece = Segment(
                position: start, bytes: kept, available: available, length: to - from, stamp: segment.stamp)
            let index = pending.firstIndex { $0.position > start } ?? pending.endIndex
            pending.insert(piece, at: index)
            pendingBytes += kept.count
            budget -= kept.count
        }
    }

    private mutating func countConflicts(new: Segment, held: Segment) {
        guard !new.bytes.isEmpty, !held.bytes.isEmpty else { return }
        let start = max(new.position, held.position)
        let end = min(new.position + Int64(new.bytes.count), held.position + Int64(held.bytes.count))
        guard start < end else { return }
        for position in start..<end
        where new.bytes[Int(position - new.position)] != held.bytes[Int(position - held.position)] {
            statistics.conflictingBytes += 1
        }
    }

    private mutating func enforceLimits(
        now: PacketStamp, limits: ReassemblyLimits, budget: inout Int, emit: (Output) -> Void
    ) {
        let maxAge = Int64(limits.maxHoleAgeSeconds * 1e9)
        var reported = false
        while let first = pending.first {
            let overDirectionCap = pendingBytes > limits.maxBufferedBytesPerDirection
            let overBudget = budget < 0
            guard overDirectionCap || overBudget || now.time.nanoseconds(since: first.stamp.time) > maxAge else {
                break
            }
            if (overDirectionCap || overBudget) && !reported {
                reported = true
                emit(.limitHit(overDirectionCap ? .perDirection : .total, now))
            }
            declareGap(upTo: first.position, stamp: first.stamp, emit: emit)
            drain(stamp: nil, budget: &budget, emit: emit)
        }
    }

    /// Gives up on the bytes before `position`: reports them as a gap and moves past them.
    private mutating func declareGap(upTo position: Int64, stamp: PacketStamp, emit: (Output) -> Void) {
        guard position > delivered else { return }
        let size = Int(position - delivered)
        statistics.gaps += 1
        statistics.gapBytes += Int64(size)
        emit(.gap(size, stamp))
        advance(by: size, counted: false)
    }

    /// Ages out holes when no new segment arrives in this direction (called by the flow table's sweep).
    mutating func expireHoles(
        now: PacketStamp, limits: ReassemblyLimits, budget: inout Int, emit: (Output) -> Void
    ) {
        enforceLimits(now: now, limits: limits, budget: &budget, emit: emit)
        if let fin = finPosition, delivered >= fin, pending.isEmpty, !ended {
            finish(.fin, stamp: now, emit: emit)
        }
    }
}
