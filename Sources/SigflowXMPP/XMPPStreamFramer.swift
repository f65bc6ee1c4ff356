/// Cuts one direction of an XMPP stream (RFC 6120 §4) into top-level elements: the stream header
/// `<stream:stream ...>` (again after each restart), each stanza or nonza below it, and the closing
/// `</stream:stream>`. Whitespace keep-alives, XML declarations and comments between stanzas are
/// consumed. The stream element itself never closes until the end, so the framer tracks depth below
/// it rather than parsing the document.
///
/// Resumable: every call scans only bytes it has not seen (quote state and depth are kept between
/// calls), so feeding one byte at a time costs what feeding all at once does. After a gap, when
/// picked up mid-way, or after an oversized stanza, it drops bytes up to the next `<` that starts a
/// known top-level element.
public struct XMPPStreamFramer {
    public enum Event: Equatable, Sendable {
        /// A stream header's start tag (`<stream:stream ...>`), as written.
        case streamHeader([UInt8])
        case streamEnd
        /// One complete top-level element, as written.
        case element([UInt8])
        /// Bytes dropped: junk between stanzas, a stanza too large, a stray end tag.
        case skipped(Int, reason: String)
        /// A TLS record where XML should be: the stream is encrypted from here on.
        case tls
    }

    private enum State: Equatable {
        case text
        case lessThan
        case startTag(quote: UInt8?)
        case endTag
        case processingInstruction(sawQuestionMark: Bool)
        case markupDeclaration
        case comment(dashes: Int)
        case characterData(brackets: Int)
        case declaration
        case resync
        case stopped
    }

    private let limits: XMPPLimits
    private var buffer: [UInt8] = []
    /// The first byte not yet handed out or dropped.
    private var start = 0
    /// The next byte to scan.
    private var position = 0
    private var state: State
    /// Open elements below the stream element.
    private var depth = 0
    private var elementStart: Int?
    private var tagStart = 0
    /// The scan stopped at bytes it cannot judge yet (a `<` too close to the end while resynchronising).
    private var waitingForBytes = false

    public init(synchronised: Bool = true, limits: XMPPLimits = XMPPLimits()) {
        self.limits = limits
        self.state = synchronised ? .text : .resync
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard state != .stopped else { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Bytes held for the stanza in progress.
    public var bufferedBytes: Int { buffer.count - start }

    /// Bytes were lost: whatever is buffered cannot be completed; look for the next stanza.
    public mutating func gap() {
        guard state != .stopped else { return }
        buffer = []
        start = 0
        position = 0
        depth = 0
        elementStart = nil
        state = .resync
    }

    /// The stream ends: a stanza still open is reported as skipped.
    public mutating func finish() -> Event? {
        defer {
            buffer.removeAll()
            start = 0
            position = 0
            elementStart = nil
            depth = 0
        }
        guard state != .stopped, let elementStart else { return nil }
        return .skipped(buffer.count - elementStart, reason: "the stream ends inside a stanza")
    }

    /// Stops for good and gives back the bytes after the last event (the stream switched to TLS:
    /// they are its first records).
    public mutating func stopTakingRest() -> [UInt8] {
        let rest = Array(buffer[min(start, buffer.count)...])
        stop()
        return rest
    }

    /// Stops for good (the stream switched to TLS): later bytes are ignored.
    private mutating func stop() {
        state = .stopped
        buffer.removeAll()
        start = 0
        position = 0
    }

    /// The next event, or nil when more bytes are needed.
    public mutating func next() -> Event? {
        while position < buffer.count {
            waitingForBytes = false
            if let event = step() { return event }
            if waitingForBytes { return nil }
            if let event = enforceSizeLimit() { return event }
        }
        return nil
    }

    /// Scans one byte (or a run of them) and returns an event when one completes.
    private mutating func step() -> Event? {
        let byte = buffer[position]
        switch state {
        case .stopped:
            position = buffer.count
        case .resync:
            return resync()
        case .text:
            if byte == Self.lessThan {
                tagStart = position
                state = .lessThan
                position += 1
            } else if depth == 0 {
                if Self.isSpace(byte) {
                    position += 1
                    start = position
                } else if Self.looksLikeTLS(buffer, at: position) {
                    stop()
                    return .tls
                } else {
                    state = .resync
                }
            } else if let next = buffer[position...].firstIndex(of: Self.lessThan) {
                position = next
            } else {
                position = buffer.count
            }
        case .lessThan:
            switch byte {
            case UInt8(ascii: "/"): state = .endTag
            case UInt8(ascii: "?"): state = .processingInstruction(sawQuestionMark: false)
            case UInt8(ascii: "!"): state = .markupDeclaration
            default: state = .startTag(quote: nil)
            }
            position += 1
        case .startTag(let quote):
            position += 1
            if let quote {
                if byte == quote { state = .startTag(quote: nil) }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                state = .startTag(quote: byte)
            } else if byte == Self.greaterThan {
                state = .text
                return startTagEnded(selfClosing: buffer[position - 2] == UInt8(ascii: "/"))
            }
        case .endTag:
            position += 1
            if byte == Self.greaterThan {
                state = .text
                return endTagEnded()
            }
        case .processingInstruction(let sawQuestionMark):
            position += 1
            if sawQuestionMark && byte == Self.greaterThan {
                state = .text
                if depth == 0 && elementStart == nil { start = position }
            } else {
                state = .processingInstruction(sawQuestionMark: byte == UInt8(ascii: "?"))
            }
        case .markupDeclaration:
            // `<!--`, `<![CDATA[` or another declaration: decide once enough bytes are here.
            let available = buffer.count - tagStart
            if matches("<!--", at: tagStart) {
                state = .comment(dashes: 0)
                position = tagStart + 4
            } else if matches("<![CDATA[", at: tagStart) {
                state = .characterData(brackets: 0)
                position = tagStart + 9
            } else if available < 9
                && (Self.prefix("<!--", of: buffer, at: tagStart, count: available)
                    || Self.prefix("<![CDATA[", of: buffer, at: tagStart, count: available))
            {
                position = buffer.count
            } else {
                state = .declaration
            }
        case .comment(let dashes):
            position += 1
            if byte == Self.greaterThan && dashes >= 2 {
                state = .text
                if depth == 0 && elementStart == nil { start = position }
            } else {
                state = .comment(dashes: byte == UInt8(ascii: "-") ? dashes + 1 : 0)
            }
        case .characterData(let brackets):
            position += 1
            if byte == Self.greaterThan && brackets >= 2 {
                state = .text
            } else {
                state = .characterData(brackets: byte == UInt8(ascii: "]") ? brackets + 1 : 0)
            }
        case .declaration:
            position += 1
            if byte == Self.greaterThan {
                state = .text
                if depth == 0 && elementStart == nil { start = position }
            }
        }
        return nil
    }

    private mutating func startTagEnded(selfClosing: Bool) -> Event? {
        guard depth == 0 else {
            if !selfClosing { depth += 1 }
            return nil
        }
        if isStreamHeader(at: tagStart) {
            let header = Array(buffer[tagStart..<position])
            start = position
            return .streamHeader(header)
        }
        if selfClosing {
            let element = Array(buffer[tagStart..<position])
            start = position
            return .element(element)
        }
        elementStart = tagStart
        depth = 1
        return nil
    }

    private mutating func endTagEnded() -> Event? {
        guard depth > 0 else {
            let name = String(decoding: buffer[(tagStart + 2)..<(position - 1)], as: UTF8.self)
                .filter { !$0.isWhitespace }
            let skippedFrom = start
            start = position
            if name == "stream" || name.hasSuffix(":stream") { return .streamEnd }
            return .skipped(position - skippedFrom, reason: "stray end tag </\(name.prefix(40))>")
        }
        depth -= 1
        guard depth == 0, let elementStart else { return nil }
        let element = Array(buffer[elementStart..<position])
        self.elementStart = nil
        start = position
        return .element(element)
    }

    /// Looks for the next `<` that starts a top-level element; reports what was dropped on the way.
    private mutating func resync() -> Event? {
        while position < buffer.count {
            guard let open = buffer[position...].firstIndex(of: Self.lessThan) else {
                position = buffer.count
                break
            }
            position = open
            switch Self.startsTopLevelElement(buffer, at: open) {
            case .yes:
                state = .text
                depth = 0
                elementStart = nil
                let dropped = open - start
                start = open
                if dropped > 0 { return .skipped(dropped, reason: "bytes before the next stanza") }
                return nil
            case .needMoreBytes:
                waitingForBytes = true
                return nil
            case .no:
                position = open + 1
            }
        }
        // Nothing found: drop what was scanned, but keep a possible partial `<` at the end.
        let dropped = position - start
        if dropped >= limits.maxStanzaBytes {
            start = position
            return .skipped(dropped, reason: "bytes without a stanza start")
        }
        return nil
    }

    private mutating func enforceSizeLimit() -> Event? {
        let from = elementStart ?? (state == .text || state == .resync ? nil : tagStart)
        guard let from, position - from > limits.maxStanzaBytes else { return nil }
        let dropped = position - start
        start = position
        elementStart = nil
        depth = 0
        state = .resync
        return .skipped(dropped, reason: "a stanza larger than \(limits.maxStanzaBytes) bytes")
    }

    private mutating func compact() {
        guard start > 0, start >= buffer.count / 2 || start > 1 << 16 else { return }
        buffer.removeFirst(start)
        position -= start
        tagStart -= start
        if let elementStart { self.elementStart = elementStart - start }
        start = 0
    }

    // MARK: Recognising things

    private func isStreamHeader(at index: Int) -> Bool {
        var end = index + 1
        while end < buffer.count, !Self.isSpace(buffer[end]), buffer[end] != Self.greaterThan,
            buffer[end] != UInt8(ascii: "/")
        {
            end += 1
        }
        let name = String(decoding: buffer[(index + 1)..<end], as: UTF8.self)
        return name == "stream" || name.hasSuffix(":stream")
    }

    private func matches(_ text: String, at index: Int) -> Bool {
        let needle = Array(text.utf8)
        return index + needle.count <= buffer.count && buffer[index..<(index + needle.count)].elementsEqual(needle)
    }

    static func prefix(_ text: String, of buffer: [UInt8], at index: Int, count: Int) -> Bool {
        Array(text.utf8).prefix(count).elementsEqual(buffer[index..<(index + count)])
    }

    enum Recognition { case yes, no, needMoreBytes }

    /// Names that may start a top-level element of a client or server stream. Short nonzas
    /// (`<r/>`, `<a/>`) are left out: they also occur inside XHTML bodies.
    static let topLevelNames: [[UInt8]] = [
        "message", "iq", "presence", "stream:stream", "stream:features", "stream:error", "?xml", "/stream:stream",
        "success", "failure", "challenge", "response", "auth", "starttls", "proceed", "enable", "enabled", "resume",
        "resumed", "open", "close",
    ].map { Array($0.utf8) }

    static func startsTopLevelElement(_ buffer: [UInt8], at open: Int) -> Recognition {
        let available = buffer.count - open - 1
        var undecided = false
        for name in topLevelNames {
            let count = min(available, name.count)
            guard buffer[(open + 1)..<(open + 1 + count)].elementsEqual(name.prefix(count)) else { continue }
            guard available > name.count else {
                undecided = true
                continue
            }
            let after = buffer[open + 1 + name.count]
            if isSpace(after) || after == greaterThan || after == UInt8(ascii: "/") { return .yes }
        }
        return undecided ? .needMoreBytes : .no
    }

    static func looksLikeTLS(_ buffer: [UInt8], at index: Int) -> Bool {
        index + 1 < buffer.count && (20...23).contains(buffer[index]) && buffer[index + 1] == 3
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    static let lessThan = UInt8(ascii: "<")
    static let greaterThan = UInt8(ascii: ">")
}
