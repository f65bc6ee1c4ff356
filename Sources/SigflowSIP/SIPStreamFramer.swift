import SigflowCore
import SigflowFraming

/// Cuts one direction of a SIP-over-TCP byte stream into messages (RFC 3261 §18.3): headers up to
/// the blank line, then exactly Content-Length body bytes. CRLF keep-alives between messages
/// (RFC 5626 §4.4.1) are skipped. After a gap, or when a stream is picked up mid-way, bytes are
/// dropped up to the next line that starts a SIP message.
struct SIPStreamFramer: StreamMessageFramer {
    /// Larger messages are dropped (with a diagnostic) and the framer resynchronises: no SIP message
    /// needs a megabyte, and a hostile stream must not make sigflow buffer without end.
    static let maxMessageSize = 1 << 20

    private var buffer: [UInt8] = []
    /// Bytes at the front of `buffer` already consumed.
    private var start = 0
    /// Bytes after `start` known not to contain the end of the headers.
    private var scanned = 0
    private var synchronised: Bool

    init(synchronised: Bool = true) {
        self.synchronised = synchronised
    }

    enum Event {
        case message(ArraySlice<UInt8>)
        /// Bytes that were skipped: a message too large, or junk before a start line.
        case skipped(Int, reason: String)
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Bytes held for the message in progress.
    var bufferedBytes: Int { buffer.count - start }

    /// A message cut off by the end of the stream is not one.
    mutating func finish() -> Event? { nil }

    /// The stream lost bytes: whatever is buffered cannot be completed.
    mutating func gap() {
        buffer = []
        start = 0
        scanned = 0
        synchronised = false
    }

    /// The next complete message or skip, or nil when more bytes are needed.
    mutating func next() -> Event? {
        if !synchronised {
            if let skipped = resynchronise() { return skipped }
            if !synchronised { return nil }
        }
        // Keep-alive CRLFs between messages.
        while start < buffer.count, buffer[start] == UInt8(ascii: "\r") || buffer[start] == UInt8(ascii: "\n") {
            start += 1
        }
        guard start < buffer.count else {
            // Everything is consumed: an idle connection (a registered phone's, between calls) keeps
            // no buffer, so thousands of them cost only their flow state.
            buffer = []
            start = 0
            return nil
        }
        let pending = buffer.count - start
        let found: (headersEnd: Int, bodyStart: Int)? = buffer.withUnsafeBytes { raw in
            let view = UnsafeRawBufferPointer(rebasing: raw[start...])
            return SIPSniffer.headerEnd(in: view, from: max(0, scanned - 3))
        }
        guard let found else {
            scanned = pending
            if pending > Self.maxMessageSize { return dropOversized(pending) }
            return nil
        }
        let contentLength: Int
        switch Self.contentLength(in: buffer[start..<(start + found.headersEnd)]) {
        case .absent: contentLength = 0
        case .value(let value): contentLength = value
        case .malformed:
            // Where the body ends is unknown: pass the headers on and look for the next start line.
            let message = buffer[start..<(start + found.bodyStart)]
            start += found.bodyStart
            scanned = 0
            synchronised = false
            return .message(message)
        }
        let total = found.bodyStart + contentLength
        if total > Self.maxMessageSize { return dropOversized(min(pending, total)) }
        guard pending >= total else { return nil }
        let message = buffer[start..<(start + total)]
        start += total
        scanned = 0
        return .message(message)
    }

    private mutating func dropOversized(_ count: Int) -> Event {
        gap()
        return .skipped(count, reason: "message larger than \(Self.maxMessageSize) bytes")
    }

    /// Drops bytes up to the first line that starts a SIP message.
    private mutating func resynchronise() -> Event? {
        var lineStart = start
        while lineStart < buffer.count {
            let isStart = buffer.withUnsafeBytes { raw in
                SIPSniffer.looksLikeSIP(UnsafeRawBufferPointer(rebasing: raw[lineStart...]))
            }
            if isStart {
                synchronised = true
                let skipped = lineStart - start
                start = lineStart
                scanned = 0
                return skipped > 0 ? .skipped(skipped, reason: "bytes before the first SIP start line") : nil
            }
            guard let newline = buffer[lineStart...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            lineStart = newline + 1
        }
        // Keep a possible partial start line at the end; drop the rest.
        let keepFrom = buffer[start...].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? start
        let skipped = keepFrom - start
        start = keepFrom
        return skipped > 0 ? .skipped(skipped, reason: "bytes before the first SIP start line") : nil
    }

    enum ContentLength: Equatable {
        case absent
        case value(Int)
        /// Not `1*DIGIT` (a sign, letters, or too many digits to be a real length).
        case malformed
    }

    /// The `Content-Length` (or compact `l`) of a header block.
    static func contentLength(in headers: ArraySlice<UInt8>) -> ContentLength {
        var lineStart = headers.startIndex
        while lineStart < headers.endIndex {
            let lineEnd = headers[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? headers.endIndex
            let line = headers[lineStart..<lineEnd]
            if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
                if SIPHeaderName(wire: SIPHeaderSyntax.trimmed(line[lineStart..<colon])) == .contentLength {
                    var value = line[(colon + 1)...]
                    if value.last == UInt8(ascii: "\r") { value = value.dropLast() }
                    return ASCIIDecimal.value(SIPHeaderSyntax.trimmed(value)).map(ContentLength.value) ?? .malformed
                }
            }
            lineStart = lineEnd + 1
        }
        return .absent
    }
}
