import SigflowCore

/// Why bytes could not be read as a SIP message.
public enum SIPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    case notSIP
    case badStartLine(String)
    case badHeaderLine(Int)
    case missingHeaderEnd

    public var description: String {
        switch self {
        case .notSIP: return "not a SIP message"
        case .badStartLine(let line): return "malformed start line '\(line.prefix(80))'"
        case .badHeaderLine(let number): return "malformed header on line \(number)"
        case .missingHeaderEnd: return "headers do not end with an empty line"
        }
    }
}

/// Parses one SIP message from bytes (RFC 3261 §7): start line, headers (folded lines unfolded,
/// compact forms expanded, names case-insensitive), and a body of Content-Length bytes.
public enum SIPParser {
    /// - Parameter bytes: exactly one message (a UDP datagram, a framed TCP message, a WebSocket message).
    /// - Parameter requireHeaderEnd: true for stream framing, where a message without the blank line is
    ///   incomplete; a datagram may end right after its last header.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, requireHeaderEnd: Bool = false
    ) throws(SIPParseError)
        -> SIPMessage
    {
        guard SIPSniffer.looksLikeSIP(bytes) else { throw .notSIP }
        let headerEnd = SIPSniffer.headerEnd(in: bytes)
        if headerEnd == nil && requireHeaderEnd { throw .missingHeaderEnd }
        let limit = headerEnd?.headersEnd ?? bytes.count
        // Lines are found on bytes: in Swift "\r\n" is one Character, and Character-level scanning
        // costs grapheme breaking on every byte of every message.
        var startLineText: String?
        var fields: [SIPMessage.Field] = []
        fields.reserveCapacity(16)
        // Folded values are unfolded after the message's bytes: ranges into `unfolded` until then.
        var unfolded: [UInt8] = []
        var foldedFields: [Int] = []
        var lineStart = 0
        var lineNumber = 0
        var truncatedHeaders = false
        while lineStart < limit {
            var lineEnd = lineStart
            while lineEnd < limit, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            var contentEnd = lineEnd
            if contentEnd > lineStart, bytes[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
            defer { lineStart = lineEnd + 1 }
            lineNumber += 1
            guard contentEnd > lineStart else { continue }
            guard startLineText != nil else {
                startLineText = String(
                    decoding: UnsafeRawBufferPointer(rebasing: bytes[lineStart..<contentEnd]), as: UTF8.self)
                continue
            }
            let first = bytes[lineStart]
            if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t"), !fields.isEmpty {
                // A folded line continues the previous header's value (RFC 3261 §7.3.1).
                let continuation = trimmed(bytes, lineStart, contentEnd)
                guard !continuation.isEmpty else { continue }
                let last = fields.count - 1
                if foldedFields.last != last {
                    let value = fields[last].value
                    fields[last].value = unfolded.count..<(unfolded.count + value.count)
                    unfolded += UnsafeRawBufferPointer(rebasing: bytes[value])
                    foldedFields.append(last)
                }
                // The fold is one space (RFC 3261 §7.3.1), except before the first word of a value.
                if !fields[last].value.isEmpty { unfolded.append(UInt8(ascii: " ")) }
                unfolded += UnsafeRawBufferPointer(rebasing: bytes[continuation])
                fields[last].value = fields[last].value.lowerBound..<unfolded.count
                continue
            }
            var colon = lineStart
            while colon < contentEnd, bytes[colon] != UInt8(ascii: ":") { colon += 1 }
            var nameEnd = colon
            while nameEnd > lineStart,
                bytes[nameEnd - 1] == UInt8(ascii: " ") || bytes[nameEnd - 1] == UInt8(ascii: "\t")
            {
                nameEnd -= 1
            }
            guard colon < contentEnd, nameEnd > lineStart,
                !bytes[lineStart..<nameEnd].contains(UInt8(ascii: " "))
            else {
                // A datagram cut inside its last header line keeps the lines before it.
                if headerEnd == nil && lineEnd >= limit && startLineText != nil {
                    truncatedHeaders = true
                    break
                }
                throw .badHeaderLine(lineNumber)
            }
            fields.append(
                SIPMessage.Field(
                    name: SIPHeaderName(wire: bytes[lineStart..<nameEnd]),
                    value: trimmed(bytes, colon + 1, contentEnd)))
        }
        guard let startLineText else { throw .badStartLine("") }
        let bodyStart = headerEnd?.bodyStart ?? bytes.count
        for index in foldedFields {
            fields[index].value =
                (fields[index].value.lowerBound + bytes.count)..<(fields[index].value.upperBound + bytes.count)
        }
        var all = Array(bytes)
        all += unfolded
        var message = SIPMessage(
            startLine: try parseStartLine(startLineText), startLineText: startLineText, bytes: all, fields: fields,
            bodyRange: bodyStart..<bodyStart, bodyShortBy: 0)
        message.truncatedHeaders = truncatedHeaders
        let available = bytes.count - bodyStart
        // Without Content-Length (allowed on UDP) the body runs to the end of the datagram.
        let declared = message.contentLength ?? available
        message.bodyRange = bodyStart..<(bodyStart + min(max(0, declared), available))
        message.bodyShortBy = max(0, declared - available)
        return message
    }

    /// Where the bytes from `start` to `end` lie without surrounding spaces and tabs. The same as
    /// `SIPHeaderSyntax.trimmed`, on raw indices: run for every header line, where the generic one
    /// over buffer slices made a signaling-only capture 10% slower.
    @inline(__always)
    static func trimmed(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Range<Int> {
        var start = start
        var end = end
        while start < end, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") { start += 1 }
        while end > start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") { end -= 1 }
        return start..<end
    }

    static func parseStartLine(_ line: String) throws(SIPParseError) -> SIPMessage.StartLine {
        var text = line
        // On bytes: the grammar is ASCII (RFC 3261 §25.1), and splitting Characters costs grapheme
        // breaking on every message.
        let parsed = text.withUTF8 { bytes -> SIPMessage.StartLine? in
            if bytes.starts(with: "SIP/2.0 ".utf8) {
                guard bytes.count >= 11, bytes[8..<11].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
                let code = bytes[8..<11].reduce(0) { $0 * 10 + Int($1 - 0x30) }
                guard (100...699).contains(code) else { return nil }
                return .response(code: code, reason: String(decoding: bytes[11...], as: UTF8.self).trimmingSpaces)
            }
            let parts = bytes.split(separator: 0x20)
            guard parts.count == 3, parts[2].elementsEqual("SIP/2.0".utf8) else { return nil }
            return .request(
                method: String(decoding: parts[0], as: UTF8.self), uri: String(decoding: parts[1], as: UTF8.self))
        }
        guard let parsed else { throw .badStartLine(line) }
        return parsed
    }
}

/// Recognises SIP by content, on any port, without taking other text protocols for it.
public enum SIPSniffer {
    /// True when the bytes start with a SIP start line: `SIP/2.0 NNN ...` or `METHOD uri SIP/2.0`.
    /// HTTP (`GET / HTTP/1.1`) and other line protocols fail the version check. The first byte check
    /// rejects RTP and binary traffic at once.
    @inline(__always)
    public static func looksLikeSIP(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 12 else { return false }
        let first = bytes[0]
        guard first >= UInt8(ascii: "A") && first <= UInt8(ascii: "Z") else { return false }
        return startLineKind(bytes) != nil
    }

    enum StartLineKind {
        case request
        case response
    }

    static func startLineKind(_ bytes: UnsafeRawBufferPointer) -> StartLineKind? {
        let limit = min(bytes.count, 2048)
        // "SIP/2.0 " followed by a three-digit status code.
        if bytes[0] == UInt8(ascii: "S"), limit >= 12,
            matches(bytes, at: 0, "SIP/2.0 "),
            (0..<3).allSatisfy({ bytes[8 + $0] >= UInt8(ascii: "0") && bytes[8 + $0] <= UInt8(ascii: "9") })
        {
            return .response
        }
        // A method token of letters, a space, a URI without spaces, " SIP/2.0" and the line end.
        var index = 0
        while index < limit, isTokenCharacter(bytes[index]) { index += 1 }
        guard index > 0, index < limit, bytes[index] == UInt8(ascii: " ") else { return nil }
        index += 1
        let uriStart = index
        while index < limit, bytes[index] != UInt8(ascii: " "), bytes[index] != UInt8(ascii: "\r"),
            bytes[index] != UInt8(ascii: "\n")
        {
            index += 1
        }
        guard index > uriStart, index + 8 <= limit, matches(bytes, at: index, " SIP/2.0") else { return nil }
        index += 8
        guard index == bytes.count || bytes[index] == UInt8(ascii: "\r") || bytes[index] == UInt8(ascii: "\n") else {
            return nil
        }
        return .request
    }

    @inline(__always)
    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "_")
    }

    private static func matches(_ bytes: UnsafeRawBufferPointer, at offset: Int, _ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard offset + count <= bytes.count else { return false }
        let pattern = UnsafeRawBufferPointer(start: text.utf8Start, count: count)
        for index in 0..<count where bytes[offset + index] != pattern[index] { return false }
        return true
    }

    /// Where the header section ends (CRLFCRLF, or LFLF from sloppy senders) and the body begins.
    public static func headerEnd(
        in bytes: UnsafeRawBufferPointer, from start: Int = 0
    ) -> (
        headersEnd: Int, bodyStart: Int
    )? {
        var index = max(0, start)
        let newline = UInt8(ascii: "\n")
        while index < bytes.count {
            guard bytes[index] == newline else {
                index += 1
                continue
            }
            if index + 1 < bytes.count, bytes[index + 1] == newline { return (index, index + 2) }
            if index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "\r"), bytes[index + 2] == newline {
                return (index + 1, index + 3)
            }
            index += 1
        }
        return nil
    }
}
