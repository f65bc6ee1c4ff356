import SigflowCore

/// Puts IPv4 and IPv6 fragments back together, in whatever order they arrive.
///
/// Where fragments overlap, the bytes that arrived first win (the same policy as the TCP reassembler,
/// and what Linux does for IPv4). Incomplete datagrams are dropped after `fragmentTimeoutSeconds` or
/// when the caps are hit.
struct IPFragmentReassembler {
    struct Key: Hashable {
        var source: IPAddress
        var destination: IPAddress
        var identification: UInt32
        var nextProtocol: UInt8
    }

    private struct Piece {
        var offset: Int
        var bytes: [UInt8]
    }

    private struct Pending {
        var pieces: [Piece] = []
        /// Known once the fragment without "more fragments" arrived.
        var totalLength: Int?
        var heldBytes = 0
        var frames = 0
        var firstSeen: CaptureTime
    }

    /// A reassembled datagram, in storage the caller owns and must deallocate.
    struct Datagram {
        var bytes: UnsafeMutableRawBufferPointer
        /// How many fragments carried it.
        var frames: Int
    }

    private var pending: [Key: Pending] = [:]
    private var heldBytes = 0
    private var lastExpiry: CaptureTime?
    private let limits: ReassemblyLimits
    private(set) var droppedDatagrams = 0

    init(limits: ReassemblyLimits) {
        self.limits = limits
    }

    /// Adds one fragment; returns the datagram when this fragment completed it.
    mutating func add(_ fragment: IPHeader.Fragment, of header: IPHeader, at time: CaptureTime) -> Datagram? {
        let payload = header.payload
        let end = fragment.offset + payload.count
        guard end <= 65_535 + 65_535, !payload.isEmpty || !fragment.moreFragments else { return nil }
        let key = Key(
            source: header.source, destination: header.destination, identification: fragment.identification,
            nextProtocol: header.nextProtocol)
        expire(before: time)
        // Taken out while it grows, so appending a piece does not copy the ones before it.
        var entry: Pending
        if let existing = pending.removeValue(forKey: key) {
            entry = existing
        } else {
            if pending.count >= limits.maxPendingDatagrams { evictOldest() }
            entry = Pending(firstSeen: time)
        }
        entry.frames += 1
        if !fragment.moreFragments { entry.totalLength = end }
        // Keep only the parts of this fragment no earlier fragment covered: first copy wins.
        var uncovered = [fragment.offset..<end]
        for piece in entry.pieces {
            let covered = piece.offset..<(piece.offset + piece.bytes.count)
            uncovered = uncovered.flatMap { range -> [Range<Int>] in
                guard range.overlaps(covered) else { return [range] }
                var rest: [Range<Int>] = []
                if range.lowerBound < covered.lowerBound { rest.append(range.lowerBound..<covered.lowerBound) }
                if covered.upperBound < range.upperBound { rest.append(covered.upperBound..<range.upperBound) }
                return rest
            }
        }
        for range in uncovered where !range.isEmpty {
            let start = range.lowerBound - fragment.offset
            let bytes = Array(payload[start..<(start + range.count)])
            entry.pieces.append(Piece(offset: range.lowerBound, bytes: bytes))
            entry.heldBytes += bytes.count
            heldBytes += bytes.count
        }
        if heldBytes > limits.maxPendingFragmentBytes {
            pending[key] = entry
            while heldBytes > limits.maxPendingFragmentBytes, !pending.isEmpty { evictOldest() }
            return nil
        }
        if let total = entry.totalLength, isComplete(entry, total: total) {
            pending[key] = nil
            heldBytes -= entry.heldBytes
            let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: total, alignment: 8)
            for piece in entry.pieces where piece.offset < total {
                let count = min(piece.bytes.count, total - piece.offset)
                piece.bytes.withUnsafeBytes { source in
                    storage.baseAddress!.advanced(by: piece.offset).copyMemory(
                        from: source.baseAddress!, byteCount: count)
                }
            }
            return Datagram(bytes: storage, frames: entry.frames)
        }
        pending[key] = entry
        return nil
    }

    /// Pieces never overlap (first copy wins), so the datagram is whole when the bytes they hold
    /// below its end add up to it: no sorting per fragment.
    private func isComplete(_ entry: Pending, total: Int) -> Bool {
        var covered = 0
        for piece in entry.pieces where piece.offset < total {
            covered += min(piece.bytes.count, total - piece.offset)
        }
        return covered >= total
    }

    /// Drops datagrams older than the timeout, looking at most once per second of capture time: a
    /// look at every fragment made a flood of incomplete datagrams cost the whole table per packet.
    private mutating func expire(before time: CaptureTime) {
        guard !pending.isEmpty else { return }
        if let lastExpiry, time.nanoseconds(since: lastExpiry) < 1_000_000_000 { return }
        lastExpiry = time
        let timeout = Int64(limits.fragmentTimeoutSeconds * 1e9)
        for (key, entry) in pending where time.nanoseconds(since: entry.firstSeen) > timeout {
            drop(key, entry)
        }
    }

    /// Drops the oldest eighth of the table at once, so a full table costs one sort per batch
    /// rather than a scan per new datagram.
    private mutating func evictOldest() {
        let victims = pending.sorted { $0.value.firstSeen < $1.value.firstSeen }
            .prefix(max(1, limits.maxPendingDatagrams / 8))
        for (key, entry) in victims { drop(key, entry) }
    }

    private mutating func drop(_ key: Key, _ entry: Pending) {
        pending[key] = nil
        heldBytes -= entry.heldBytes
        droppedDatagrams += 1
    }
}
