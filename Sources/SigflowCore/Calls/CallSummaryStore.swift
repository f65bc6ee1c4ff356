#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Every call summary of a run, read back in list order (start time, then call id) as often as
/// needed.
///
/// A busy proxy's capture lists hundreds of thousands of calls; held as values, their summaries
/// would outgrow everything else sigflow keeps. They are kept as sorted runs of compact records
/// instead, each run written to an unlinked temporary file once full, and the runs are merged
/// whenever the summaries are read. Memory then stays at one run plus a read buffer per run,
/// whatever the number of calls. A run that cannot be written stays in memory as records, about
/// half the size of the values.
public final class CallSummaryStore: Sequence {
    public static let defaultRunLength = 8192

    private let runLength: Int
    private let spillDirectory: String
    /// The newest summaries, not yet a run; sorted when read (the sort is linear on sorted input).
    private var pending: [CallSummary] = []
    private var runs: [Run] = []
    private var file: SpillFile?
    private var fileUnavailable = false
    public private(set) var count = 0
    /// Exact: lets `Array(store)` allocate once.
    public var underestimatedCount: Int { count }
    /// Other legs of listed calls by position in list order, applied as the summaries are read; set
    /// once every call is in (calls with no other leg have no entry).
    public var linkedCallIDs: [Int: [String]] = [:]

    private enum Run {
        case file(offset: Int, length: Int)
        case memory([UInt8])
    }

    /// - Parameter spillDirectory: where the temporary file goes; by default `$TMPDIR`, else `/tmp`.
    public init(runLength: Int = defaultRunLength, spillDirectory: String? = nil) {
        self.runLength = Swift.max(1, runLength)
        self.spillDirectory =
            spillDirectory ?? getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }

    public func append(_ summary: CallSummary) {
        pending.append(summary)
        count += 1
        if pending.count >= runLength { writeRun() }
    }

    /// Ties in start time keep the order calls were added, within a run (a stable sort) and across
    /// runs (the merge prefers the older run).
    private static func inListOrder(_ lhs: CallSummary, _ rhs: CallSummary) -> Bool {
        (lhs.start, lhs.callID) < (rhs.start, rhs.callID)
    }

    private func writeRun() {
        pending.sort(by: Self.inListOrder)
        var records = RecordWriter()
        for summary in pending { records.append(summary) }
        pending.removeAll(keepingCapacity: true)
        if file == nil && !fileUnavailable {
            file = SpillFile(directory: spillDirectory)
            fileUnavailable = file == nil
        }
        if let file, let offset = file.append(records.bytes) {
            runs.append(.file(offset: offset, length: records.bytes.count))
        } else {
            runs.append(.memory(records.bytes))
        }
    }

    public func makeIterator() -> Iterator {
        pending.sort(by: Self.inListOrder)
        return Iterator(store: self)
    }

    /// Merges the runs and the pending summaries, smallest head first.
    public struct Iterator: IteratorProtocol {
        private let store: CallSummaryStore
        private var sources: [Source]
        /// Indices into `sources` whose head is waiting, as a binary min-heap.
        private var heap: [Int] = []
        private var position = 0

        private struct Source {
            var head: CallSummary?
            var reader: RunReader?
            var pendingIndex = 0
        }

        init(store: CallSummaryStore) {
            self.store = store
            sources = store.runs.map { Source(head: nil, reader: RunReader($0, file: store.file)) }
            sources.append(Source(head: nil, reader: nil))
            for index in sources.indices {
                advance(index)
                if sources[index].head != nil { push(index) }
            }
        }

        public mutating func next() -> CallSummary? {
            guard let top = heap.first, var summary = sources[top].head else { return nil }
            advance(top)
            if sources[top].head != nil {
                siftDown(from: 0)
            } else {
                heap[0] = heap[heap.count - 1]
                heap.removeLast()
                if !heap.isEmpty { siftDown(from: 0) }
            }
            summary.linkedCallIDs = store.linkedCallIDs[position] ?? []
            position += 1
            return summary
        }

        private mutating func advance(_ index: Int) {
            if sources[index].reader != nil {
                sources[index].head = sources[index].reader!.next()
            } else {
                let pendingIndex = sources[index].pendingIndex
                sources[index].head = pendingIndex < store.pending.count ? store.pending[pendingIndex] : nil
                sources[index].pendingIndex += 1
            }
        }

        /// Source order breaks ties: an older run's summary was added first.
        private func less(_ a: Int, _ b: Int) -> Bool {
            let (x, y) = (sources[a].head!, sources[b].head!)
            if CallSummaryStore.inListOrder(x, y) { return true }
            if CallSummaryStore.inListOrder(y, x) { return false }
            return a < b
        }

        private mutating func push(_ index: Int) {
            heap.append(index)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard less(heap[child], heap[parent]) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        }

        private mutating func siftDown(from start: Int) {
            var parent = start
            while true {
                let left = 2 * parent + 1
                guard left < heap.count else { return }
                var smallest = left
                if left + 1 < heap.count && less(heap[left + 1], heap[left]) { smallest = left + 1 }
                guard less(heap[smallest], heap[parent]) else { return }
                heap.swapAt(smallest, parent)
                parent = smallest
            }
        }
    }

    /// Reads one run's records back, a chunk at a time for runs on disk.
    private struct RunReader {
        private let file: SpillFile?
        private var buffer: [UInt8]
        /// Where in `buffer` the next record starts.
        private var cursor = 0
        /// File bytes of the run not yet read into `buffer`.
        private var fileOffset = 0
        private var fileRemaining = 0

        static let chunkSize = 1 << 15

        init(_ run: Run, file: SpillFile?) {
            switch run {
            case .memory(let bytes):
                self.file = nil
                buffer = bytes
            case .file(let offset, let length):
                self.file = file
                buffer = []
                fileOffset = offset
                fileRemaining = length
            }
        }

        mutating func next() -> CallSummary? {
            guard let length = recordLength() else { return nil }
            if buffer.count - cursor < length { fill(atLeast: length) }
            guard buffer.count - cursor >= length else { return nil }
            var record = RecordReader(buffer[cursor..<(cursor + length)])
            cursor += length
            return record.summary()
        }

        private mutating func recordLength() -> Int? {
            if buffer.count - cursor < 4 { fill(atLeast: 4) }
            guard buffer.count - cursor >= 4 else { return nil }
            var record = RecordReader(buffer[cursor..<(cursor + 4)])
            cursor += 4
            return Int(record.word32())
        }

        /// Moves the unread bytes to the front and reads at least `count` more from the file, when
        /// it has them.
        private mutating func fill(atLeast count: Int) {
            guard let file, fileRemaining > 0 else { return }
            buffer.removeFirst(cursor)
            cursor = 0
            let wanted = Swift.min(fileRemaining, Swift.max(Self.chunkSize, count - buffer.count))
            let read = file.read(count: wanted, at: fileOffset, appendingTo: &buffer)
            fileOffset += read
            fileRemaining = read == wanted ? fileRemaining - read : 0
        }
    }
}

/// The bytes of one summary: a length, fixed-width numbers, then length-prefixed strings.
private struct RecordWriter {
    var bytes: [UInt8] = []

    mutating func append(_ summary: CallSummary) {
        let lengthAt = bytes.count
        word32(0)
        word64(UInt64(bitPattern: summary.start.nanoseconds))
        word64(UInt64(bitPattern: summary.duration))
        bytes.append(summary.signalingProtocol.rank)
        word64(summary.key.high)
        word64(summary.key.low)
        bytes.append(UInt8(CallOutcome.allCases.firstIndex(of: summary.outcome)!))
        bytes.append(summary.isCall ? 1 : 0)
        word32(UInt32(summary.finalStatus ?? 0))
        optionalString(summary.finalReason)
        word64(UInt64(summary.stepCount))
        word64(UInt64(summary.deviceCount))
        string(summary.callID)
        string(summary.method)
        optionalString(summary.fromUser)
        optionalString(summary.toUser)
        word32(UInt32(summary.carriedLinkTokens.count))
        for token in summary.carriedLinkTokens {
            switch token {
            case .callID(let high, let low):
                bytes.append(0)
                word64(high)
                word64(low)
            case .shared(let key):
                bytes.append(1)
                word64(key.value)
            }
        }
        let length = UInt32(bytes.count - lengthAt - 4)
        for shift in 0..<4 { bytes[lengthAt + shift] = UInt8(truncatingIfNeeded: length >> (8 * shift)) }
    }

    private mutating func word32(_ value: UInt32) {
        for shift in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * shift))) }
    }

    private mutating func word64(_ value: UInt64) {
        for shift in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * shift))) }
    }

    private mutating func string(_ text: String) {
        word32(UInt32(text.utf8.count))
        bytes.append(contentsOf: text.utf8)
    }

    private mutating func optionalString(_ text: String?) {
        bytes.append(text == nil ? 0 : 1)
        if let text { string(text) }
    }
}

/// Reads what `RecordWriter` wrote.
private struct RecordReader {
    private let bytes: ArraySlice<UInt8>
    private var cursor: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        cursor = bytes.startIndex
    }

    mutating func summary() -> CallSummary {
        let start = CaptureTime(nanoseconds: Int64(bitPattern: word64()))
        let duration = Int64(bitPattern: word64())
        // The writer held the protocol, so it was defined in this process.
        let signalingProtocol = SignalingProtocol.defined(rank: byte())!
        let key = CallKey(signalingProtocol, high: word64(), low: word64())
        let outcome = CallOutcome.allCases[Int(byte())]
        let isCall = byte() == 1
        let status = Int(word32())
        let finalReason = optionalString()
        let stepCount = Int(word64())
        let deviceCount = Int(word64())
        let callID = string()
        let method = string()
        let fromUser = optionalString()
        let toUser = optionalString()
        let tokens = (0..<word32()).map { _ -> LinkToken in
            byte() == 0 ? .callID(high: word64(), low: word64()) : .shared(MessageKey(word64()))
        }
        return CallSummary(
            signalingProtocol: signalingProtocol, callID: callID, key: key, method: method, isCall: isCall,
            fromUser: fromUser,
            toUser: toUser, start: start, duration: duration, outcome: outcome,
            finalStatus: status == 0 ? nil : status, finalReason: finalReason, stepCount: stepCount,
            deviceCount: deviceCount, carriedLinkTokens: tokens)
    }

    mutating func byte() -> UInt8 {
        defer { cursor += 1 }
        return bytes[cursor]
    }

    mutating func word32() -> UInt32 {
        var value: UInt32 = 0
        for shift in 0..<4 { value |= UInt32(byte()) << (8 * shift) }
        return value
    }

    mutating func word64() -> UInt64 {
        var value: UInt64 = 0
        for shift in 0..<8 { value |= UInt64(byte()) << (8 * shift) }
        return value
    }

    private mutating func string() -> String {
        let count = Int(word32())
        defer { cursor += count }
        return String(decoding: bytes[cursor..<(cursor + count)], as: UTF8.self)
    }

    private mutating func optionalString() -> String? {
        byte() == 1 ? string() : nil
    }
}

/// An unlinked temporary file: nothing to clean up, whatever way the process ends.
private final class SpillFile {
    private let descriptor: Int32
    private var size = 0

    init?(directory: String) {
        var template = Array("\(directory)/sigflow-calls-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { return nil }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Appends `bytes`; returns where they start, or nil when they could not all be written (the
    /// file then ends where it did).
    func append(_ bytes: [UInt8]) -> Int? {
        let offset = size
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes {
                pwrite(descriptor, $0.baseAddress! + written, bytes.count - written, off_t(offset + written))
            }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { return nil }
            written += result
        }
        size += bytes.count
        return offset
    }

    /// Reads up to `count` bytes at `offset` onto the end of `buffer`; returns how many it read.
    func read(count: Int, at offset: Int, appendingTo buffer: inout [UInt8]) -> Int {
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: count))
        var read = 0
        while read < count {
            let result = buffer.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress! + start + read, count - read, off_t(offset + read))
            }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { break }
            read += result
        }
        buffer.removeLast(count - read)
        return read
    }
}
