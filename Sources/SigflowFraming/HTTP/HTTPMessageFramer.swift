import SigflowCore

/// Cuts one direction of an HTTP/1.x connection into messages: start line and headers, then a body
/// framed by Content-Length, chunked transfer coding, or the end of the connection (RFC 9112 §6).
/// After a gap, or on a connection picked up mid-way, bytes are skipped up to the next start line.
struct HTTPMessageFramer {
    struct Head {
        /// The start line split at its first two spaces.
        var parts: [String]
        var headers: HTTPHeaders
        var line: String
    }

    enum BodyFraming: Equatable {
        case none
        case length(Int)
        case chunked
        case untilClose
    }

    enum Event {
        case message(Head, body: [UInt8], truncated: Bool)
        case skipped(Int, reason: String)
    }

    private enum State {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
    }

    let isResponse: Bool
    let limits: HTTPLimits
    private var buffer: [UInt8] = []
    private var start = 0
    private var scanned = 0
    private var state = State.head
    private var head: Head?
    private var body: [UInt8] = []
    /// The body grew past the limit: keep framing, stop storing.
    private var discarding = false
    private var synchronised: Bool

    init(isResponse: Bool, limits: HTTPLimits, synchronised: Bool) {
        self.isResponse = isResponse
        self.limits = limits
        self.synchronised = synchronised
    }

    var isIdle: Bool {
        if case .head = state { return start >= buffer.count }
        return false
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Bytes held for the message in progress: unframed input and the body so far.
    var bufferedBytes: Int { buffer.count - start + body.count }

    mutating func gap() {
        buffer = []
        start = 0
        scanned = 0
        state = .head
        head = nil
        body = []
        discarding = false
        synchronised = false
    }

    /// Bytes buffered past the last message, handed to the WebSocket framer after an upgrade.
    mutating func takeRemaining() -> [UInt8] {
        defer {
            buffer.removeAll()
            start = 0
        }
        return Array(buffer[start...])
    }

    /// The next complete message, a skip, or nil when more bytes are needed. `framing` decides how a
    /// message's body is delimited once its head is known.
    mutating func next(framing: (Head) -> BodyFraming) -> Event? {
        while true {
            switch state {
            case .head:
                if !synchronised {
                    if let skipped = resynchronise() { return skipped }
                    if !synchronised { return nil }
                }
                while start < buffer.count, buffer[start] == UInt8(ascii: "\r") || buffer[start] == UInt8(ascii: "\n") {
                    start += 1
                }
                guard start < buffer.count else { return nil }
                guard let end = headEnd() else {
                    if buffer.count - start > limits.maxHeaderBytes {
                        let count = buffer.count - start
                        gap()
                        return .skipped(count, reason: "header block larger than \(limits.maxHeaderBytes) bytes")
                    }
                    return nil
                }
                guard let parsed = Self.parseHead(buffer[start..<end.headersEnd]) else {
                    let count = end.bodyStart - start
                    start = end.bodyStart
                    synchronised = false
                    return .skipped(count, reason: "not an HTTP message")
                }
                start = end.bodyStart
                scanned = 0
                head = parsed
                body = []
                discarding = false
                switch framing(parsed) {
                case .none: return finishMessage()
                case .length(let count):
                    if count == 0 { return finishMessage() }
                    state = .fixed(remaining: count)
                case .chunked: state = .chunkSize
                case .untilClose: state = .untilClose
                }
            case .fixed(let remaining):
                let available = min(remaining, buffer.count - start)
                take(available)
                if available < remaining {
                    state = .fixed(remaining: remaining - available)
                    return nil
                }
                state = .head
                return finishMessage()
            case .chunkSize:
                guard let line = nextLine() else { return nil }
                let sizeText = line.split(separator: ";").first.map { String($0).trimmingWhitespace } ?? ""
                guard let size = Int(sizeText, radix: 16), size >= 0 else {
                    let skipped = body.count
                    gap()
                    return .skipped(skipped, reason: "malformed chunk size '\(sizeText.prefix(20))'")
                }
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let available = min(remaining, buffer.count - start)
                take(available)
                if available < remaining {
                    state = .chunkData(remaining: remaining - available)
                    return nil
                }
                state = .chunkDataEnd
            case .chunkDataEnd:
                guard nextLine() != nil else { return nil }
                state = .chunkSize
            case .trailers:
                guard let line = nextLine() else { return nil }
                if line.isEmpty {
                    state = .head
                    return finishMessage()
                }
            case .untilClose:
                take(buffer.count - start)
                return nil
            }
        }
    }

    /// The connection ended: a body delimited by the close is complete now; anything else is cut.
    mutating func finish() -> Event? {
        guard let head else { return nil }
        if case .untilClose = state {
            state = .head
            return finishMessage()
        }
        self.head = nil
        state = .head
        return .message(head, body: body, truncated: true)
    }

    private mutating func take(_ count: Int) {
        guard count > 0 else { return }
        if !discarding {
            if body.count + count > limits.maxBodyBytes {
                discarding = true
                body = []
            } else {
                body.append(contentsOf: buffer[start..<(start + count)])
            }
        }
        start += count
    }

    private mutating func finishMessage() -> Event {
        let finished = head!
        head = nil
        if discarding {
            discarding = false
            return .skipped(0, reason: "\(finished.line.prefix(60)): body larger than \(limits.maxBodyBytes) bytes")
        }
        return .message(finished, body: body, truncated: false)
    }

    /// A CRLF-terminated line (without its terminator), consumed; nil if not yet complete.
    private mutating func nextLine() -> String? {
        guard let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        var end = newline
        if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let line = String(decoding: buffer[start..<end], as: UTF8.self)
        start = newline + 1
        return line
    }

    private mutating func headEnd() -> (headersEnd: Int, bodyStart: Int)? {
        var index = max(start, start + scanned - 3)
        let newline = UInt8(ascii: "\n")
        while index < buffer.count {
            if buffer[index] == newline {
                if index + 1 < buffer.count, buffer[index + 1] == newline { return (index, index + 2) }
                if index + 2 < buffer.count, buffer[index + 1] == UInt8(ascii: "\r"), buffer[index + 2] == newline {
                    return (index + 1, index + 3)
                }
            }
            index += 1
        }
        scanned = buffer.count - start
        return nil
    }

    static func parseHead(_ bytes: ArraySlice<UInt8>) -> Head? {
        var lines: [String] = []
        var lineStart = bytes.startIndex
        while lineStart < bytes.endIndex {
            let newline = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
            var end = newline
            if end > lineStart, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            lines.append(String(decoding: bytes[lineStart..<end], as: UTF8.self))
            lineStart = newline + 1
        }
        guard let line = lines.first, HTTPSniffer.isStartLine(line) else { return nil }
        var fields: [(name: String, value: String)] = []
        for raw in lines.dropFirst() where !raw.isEmpty {
            if raw.first == " " || raw.first == "\t", !fields.isEmpty {
                fields[fields.count - 1].value += " " + raw.trimmingWhitespace
                continue
            }
            guard let colon = raw.firstIndex(of: ":") else { continue }
            fields.append(
                (String(raw[..<colon]).trimmingWhitespace, String(raw[raw.index(after: colon)...]).trimmingWhitespace))
        }
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).map(String.init)
        return Head(parts: parts, headers: HTTPHeaders(fields), line: line)
    }

    /// Skips to the next line that starts an HTTP message of this direction.
    private mutating func resynchronise() -> Event? {
        var lineStart = start
        while lineStart < buffer.count {
            let lineEnd = buffer[lineStart...].firstIndex(of: UInt8(ascii: "\n"))
            let line = String(decoding: buffer[lineStart..<(lineEnd ?? buffer.count)], as: UTF8.self)
            if HTTPSniffer.isStartLine(line.trimmingWhitespace), HTTPSniffer.isResponseLine(line) == isResponse {
                synchronised = true
                let skipped = lineStart - start
                start = lineStart
                return skipped > 0 ? .skipped(skipped, reason: "bytes before the first HTTP start line") : nil
            }
            guard let lineEnd else { break }
            lineStart = lineEnd + 1
        }
        let keepFrom = buffer[start...].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? start
        let skipped = keepFrom - start
        start = keepFrom
        return skipped > 0 ? .skipped(skipped, reason: "bytes before the first HTTP start line") : nil
    }
}

/// Recognises HTTP/1.x by its start line.
public enum HTTPSniffer {
    static let methods: Set<String> = ["GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE"]

    /// True when the bytes begin with an HTTP/1.x request or status line.
    public static func looksLikeHTTP(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let prefix = bytes.prefix(256)
        let end = prefix.firstIndex(of: UInt8(ascii: "\n")) ?? prefix.endIndex
        return isStartLine(String(decoding: prefix[..<end], as: UTF8.self).trimmingWhitespace)
    }

    static func isResponseLine(_ line: String) -> Bool { line.hasPrefix("HTTP/1.") }

    static func isStartLine(_ line: String) -> Bool {
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        if line.hasPrefix("HTTP/1.") {
            return parts.count >= 2 && parts[1].count == 3 && Int(parts[1]) != nil
        }
        return parts.count == 3 && methods.contains(String(parts[0])) && parts[2].hasPrefix("HTTP/1.")
    }
}
