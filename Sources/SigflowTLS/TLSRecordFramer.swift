/// TLS record content types (RFC 8446 §5.1, RFC 5246 §6.2.1).
public enum TLSContentType: UInt8, Sendable {
    case changeCipherSpec = 20
    case alert = 21
    case handshake = 22
    case applicationData = 23
}

/// One TLS record as it crossed the wire.
public struct TLSRecord: Sendable {
    /// The five header bytes: type, version, length (the additional data of TLS 1.3's AEAD).
    public var header: ArraySlice<UInt8>
    public var fragment: ArraySlice<UInt8>

    public var contentType: UInt8 { header[header.startIndex] }
    public var version: UInt16 { UInt16(header[header.startIndex + 1]) << 8 | UInt16(header[header.startIndex + 2]) }
}

/// Cuts one direction of a TCP connection into TLS records: records split over segments, several
/// records in a segment. A stream picked up mid-way, or one that lost bytes, resynchronises at the
/// next plausible record header, one whose record is followed by another plausible header (or ends
/// exactly where the bytes so far end). Resumable, like the other framers: nil means more bytes are
/// needed, and nothing is scanned twice except a candidate header waiting for its record.
public struct TLSRecordFramer {
    public enum Event: Sendable {
        case record(TLSRecord)
        /// Bytes dropped while looking for a record header.
        case skipped(Int)
    }

    /// The longest fragment a record may carry: 2^14 bytes of plaintext plus the 2,048 a TLS 1.2
    /// cipher may add (RFC 5246 §6.2.3).
    public static let maxFragmentLength = 16_384 + 2_048
    static let headerLength = 5

    private var buffer: [UInt8] = []
    /// The first byte not yet handed out or dropped.
    private var start = 0
    private var synchronised: Bool

    public init(synchronised: Bool) {
        self.synchronised = synchronised
    }

    /// Bytes held for a record not yet complete.
    public var bufferedBytes: Int { buffer.count - start }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0 && (start == buffer.count || start >= 4096) {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Bytes were lost: what is held cannot be completed; look for the next record.
    public mutating func gap() {
        buffer = []
        start = 0
        synchronised = false
    }

    public mutating func next() -> Event? {
        if !synchronised {
            if let skipped = resynchronise() { return skipped }
            guard synchronised else { return nil }
        }
        guard buffer.count - start >= Self.headerLength else { return nil }
        guard let length = plausibleLength(at: start, strict: false) else {
            synchronised = false
            return resynchronise()
        }
        let end = start + Self.headerLength + length
        guard end <= buffer.count else { return nil }
        let record = TLSRecord(
            header: buffer[start..<(start + Self.headerLength)], fragment: buffer[(start + Self.headerLength)..<end])
        start = end
        return .record(record)
    }

    /// Moves `start` to the next record header it can trust; reports what it dropped (nil when it
    /// dropped nothing: then it either found a header or waits for more bytes).
    private mutating func resynchronise() -> Event? {
        var index = start
        while index + Self.headerLength <= buffer.count {
            if let length = plausibleLength(at: index, strict: true) {
                let end = index + Self.headerLength + length
                if end == buffer.count
                    || (end + Self.headerLength <= buffer.count && plausibleLength(at: end, strict: true) != nil)
                {
                    synchronised = true
                    return drop(upTo: index)
                }
                if end + Self.headerLength > buffer.count {
                    // The candidate's record (or the header after it) is not all here yet.
                    return drop(upTo: index)
                }
            }
            index += 1
        }
        return drop(upTo: max(start, buffer.count - (Self.headerLength - 1)))
    }

    private mutating func drop(upTo index: Int) -> Event? {
        guard index > start else { return nil }
        defer { start = index }
        return .skipped(index - start)
    }

    /// The fragment length of a record header at `index`, nil when no record starts there. `strict`
    /// (while resynchronising) also wants a change-cipher-spec to be one byte, as it always is.
    private func plausibleLength(at index: Int, strict: Bool) -> Int? {
        let type = buffer[index]
        guard (20...23).contains(type), buffer[index + 1] == 3, buffer[index + 2] <= 4 else { return nil }
        let length = Int(buffer[index + 3]) << 8 | Int(buffer[index + 4])
        guard length > 0, length <= Self.maxFragmentLength else { return nil }
        if strict && type == TLSContentType.changeCipherSpec.rawValue && length != 1 { return nil }
        return length
    }
}
