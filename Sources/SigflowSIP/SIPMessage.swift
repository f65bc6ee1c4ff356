import SigflowCore

/// A parsed SIP request or response (RFC 3261 §7).
public struct SIPMessage: Hashable, Sendable {
    public enum StartLine: Hashable, Sendable {
        case request(method: String, uri: String)
        case response(code: Int, reason: String)
    }

    public struct Header: Hashable, Sendable {
        /// Lower-case long form: compact forms are expanded (`i` becomes `call-id`).
        public var name: String
        /// As written on the wire, for display.
        public var rawName: String
        public var value: String
    }

    public var startLine: StartLine
    /// The start line exactly as received.
    public var startLineText: String
    public var headers: [Header]
    public var body: [UInt8]
    /// Bytes Content-Length promised that the datagram did not hold (RFC 3261 §18.3: an error).
    public var bodyShortBy: Int

    public var isRequest: Bool {
        if case .request = startLine { return true }
        return false
    }

    public var method: String? {
        if case .request(let method, _) = startLine { return method }
        return nil
    }

    public var statusCode: Int? {
        if case .response(let code, _) = startLine { return code }
        return nil
    }

    /// The first value of a header. `name` is the lower-case long form (`call-id`, not `Call-ID` or
    /// `i`): stored names are canonical already, so lookups compare without converting.
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    /// All values of a header (lower-case long form), with comma-joined values split apart (commas
    /// inside quotes or angle brackets do not split).
    public func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name == name }.flatMap { SIPHeaderSyntax.splitList($0.value) }
    }

    public var callID: String? { header("call-id") }

    /// `CSeq: 1 INVITE` as its number and method.
    public var cseq: (number: UInt32, method: String)? {
        guard var value = header("cseq") else { return nil }
        return value.withUTF8 { bytes -> (UInt32, String)? in
            let parts = bytes.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 })
            guard parts.count == 2, parts[0].count <= 10, parts[0].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let number = UInt32(exactly: parts[0].reduce(UInt64(0)) { $0 * 10 + UInt64($1 - 0x30) })
            else { return nil }
            return (number, String(decoding: parts[1].map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }, as: UTF8.self))
        }
    }

    /// The Via headers, topmost first.
    public var vias: [String] { headerValues("via") }

    public var topViaBranch: String? { vias.first.flatMap { SIPHeaderSyntax.parameter("branch", in: $0) } }

    public var fromTag: String? { header("from").flatMap { SIPHeaderSyntax.parameter("tag", in: $0) } }

    public var toTag: String? { header("to").flatMap { SIPHeaderSyntax.parameter("tag", in: $0) } }

    public var contentLength: Int? { header("content-length").flatMap { ASCIIDecimal.value($0.trimmingSpaces.utf8) } }
}

/// The grammar pieces of SIP header values that several headers share (RFC 3261 §25.1).
public enum SIPHeaderSyntax {
    /// Compact forms (RFC 3261 §7.3.3 and later RFCs) to long names.
    static let compactForms: [String: String] = [
        "i": "call-id", "m": "contact", "e": "content-encoding", "l": "content-length", "c": "content-type",
        "f": "from", "s": "subject", "k": "supported", "t": "to", "v": "via", "o": "event", "u": "allow-events",
        "r": "refer-to", "b": "referred-by", "x": "session-expires", "a": "accept-contact", "j": "reject-contact",
        "d": "request-disposition", "y": "identity",
    ]

    /// Headers whose values may be comma-joined lists (RFC 3261 §7.3.1). Others (Call-ID, CSeq,
    /// From, To, dates, User-Agent, Subject ...) may contain commas that do not separate values.
    static let listHeaders: Set<String> = [
        "via", "contact", "route", "record-route", "allow", "supported", "require", "proxy-require",
        "unsupported", "accept", "accept-encoding", "accept-language", "allow-events", "reason", "warning",
        "content-encoding", "in-reply-to", "path", "service-route",
    ]

    /// The lower-case long name of the header name in `bytes[start..<end]`.
    static func canonicalName(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> String {
        // Written straight into the string: most names fit a small string, so no allocation at all.
        let name = String(unsafeUninitializedCapacity: end - start) { buffer in
            for index in start..<end {
                let byte = bytes[index]
                buffer[index - start] = byte >= 65 && byte <= 90 ? byte + 32 : byte
            }
            return end - start
        }
        return end - start == 1 ? compactForms[name] ?? name : name
    }

    /// Splits a list value at commas outside quotes and angle brackets.
    public static func splitList(_ value: String) -> [String] {
        let bytes = Array(value.utf8)
        guard bytes.contains(UInt8(ascii: ",")) else {
            let trimmed = value.trimmingSpaces
            return trimmed.isEmpty ? [] : [trimmed]
        }
        var items: [String] = []
        var itemStart = 0
        var inQuotes = false
        var angle = 0
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\") where inQuotes: index += 1
            case UInt8(ascii: "\""): inQuotes.toggle()
            case UInt8(ascii: "<") where !inQuotes: angle += 1
            case UInt8(ascii: ">") where !inQuotes: angle = max(0, angle - 1)
            case UInt8(ascii: ",") where !inQuotes && angle == 0:
                items.append(String(decoding: bytes[itemStart..<index], as: UTF8.self).trimmingSpaces)
                itemStart = index + 1
            default: break
            }
            index += 1
        }
        items.append(String(decoding: bytes[min(itemStart, bytes.count)...], as: UTF8.self).trimmingSpaces)
        return items.filter { !$0.isEmpty }
    }

    /// A `;name=value` parameter of a header value (outside the `<...>` URI); `name` in lower case,
    /// matched case-insensitively.
    public static func parameter(_ name: String, in value: String) -> String? {
        var value = value
        var name = name
        return value.withUTF8 { bytes in name.withUTF8 { parameter($0, in: bytes) } }
    }

    private static func parameter(_ wanted: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>) -> String?
    {
        var index = (bytes.lastIndex(of: UInt8(ascii: ">")) ?? -1) + 1
        // Parameters start at the first ';' after the URI (a bare addr-spec's own ';' included).
        while index < bytes.count, bytes[index] != UInt8(ascii: ";") { index += 1 }
        while index < bytes.count {
            index += 1
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") {
                index += 1
            }
            let keyStart = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "="), bytes[index] != UInt8(ascii: ";") {
                index += 1
            }
            var keyEnd = index
            while keyEnd > keyStart, bytes[keyEnd - 1] == UInt8(ascii: " ") { keyEnd -= 1 }
            let matches =
                keyEnd - keyStart == wanted.count
                && zip(bytes[keyStart..<keyEnd], wanted).allSatisfy { ($0 >= 65 && $0 <= 90 ? $0 + 32 : $0) == $1 }
            var valueRange: Range<Int>?
            if index < bytes.count, bytes[index] == UInt8(ascii: "=") {
                index += 1
                let valueStart = index
                var inQuotes = false
                while index < bytes.count, inQuotes || bytes[index] != UInt8(ascii: ";") {
                    if bytes[index] == UInt8(ascii: "\"") { inQuotes.toggle() }
                    index += 1
                }
                valueRange = valueStart..<index
            }
            if matches {
                guard let valueRange else { return "" }
                return String(decoding: bytes[valueRange], as: UTF8.self).trimmingSpaces.unquoted
            }
        }
        return nil
    }

    /// Whether `text` starts with `prefix` (lower-case ASCII), ignoring ASCII case.
    public static func hasPrefix(_ text: String, caseInsensitive prefix: String) -> Bool {
        var text = text
        return text.withUTF8 { hasPrefix($0[...], caseInsensitive: prefix) }
    }

    static func hasPrefix(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, caseInsensitive prefix: String) -> Bool {
        bytes.count >= prefix.utf8.count
            && zip(bytes, prefix.utf8).allSatisfy { ($0 >= 65 && $0 <= 90 ? $0 + 32 : $0) == $1 }
    }

    /// The URI of a name-addr or addr-spec (`"Bob" <sip:bob@b.example>;tag=1` gives `sip:bob@b.example`).
    public static func uri(in value: String) -> String {
        var value = value
        return value.withUTF8 { uri(in: $0) }
    }

    private static func uri(in bytes: UnsafeBufferPointer<UInt8>) -> String {
        if let open = bytes.firstIndex(of: UInt8(ascii: "<")),
            let close = bytes[open...].firstIndex(of: UInt8(ascii: ">"))
        {
            return String(decoding: bytes[(open + 1)..<close], as: UTF8.self)
        }
        var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.endIndex
        var start = 0
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// The display name of a name-addr, unquoted (`"Bob" <sip:...>` gives `Bob`).
    public static func displayName(in value: String) -> String? {
        let bytes = Array(value.utf8)
        guard let open = bytes.firstIndex(of: UInt8(ascii: "<")) else { return nil }
        let name = String(decoding: bytes[..<open], as: UTF8.self).trimmingSpaces.unquoted
        return name.isEmpty ? nil : name
    }

    /// `user@host` of a SIP URI without scheme, parameters or port: the address of record.
    public static func addressOfRecord(_ uri: String) -> String {
        var uri = uri
        return uri.withUTF8 { addressOfRecord($0) }
    }

    private static func addressOfRecord(_ all: UnsafeBufferPointer<UInt8>) -> String {
        var bytes = all[...]
        for scheme in ["sip:", "sips:", "tel:"] where hasPrefix(bytes, caseInsensitive: scheme) {
            bytes = bytes.dropFirst(scheme.utf8.count)
            break
        }
        if let cut = bytes.firstIndex(where: {
            $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: ">")
        }) {
            bytes = bytes[..<cut]
        }
        guard let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return String(decoding: bytes, as: UTF8.self) }
        var host = bytes[(at + 1)...]
        if host.first == UInt8(ascii: "[") {
            if let close = host.firstIndex(of: UInt8(ascii: "]")) { host = host[...close] }
        } else if let colon = host.firstIndex(of: UInt8(ascii: ":")) {
            host = host[..<colon]
        }
        return String(decoding: bytes[...at], as: UTF8.self) + String(decoding: host, as: UTF8.self)
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (byte-level: header text is mostly ASCII, and
    /// Character-level scanning costs grapheme breaking on every call).
    var trimmingSpaces: String {
        let bytes = Array(utf8)
        guard let start = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
            let end = bytes.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })
        else { return "" }
        if start == 0 && end == bytes.count - 1 { return String(self) }
        return String(decoding: bytes[start...end], as: UTF8.self)
    }

    /// Without one pair of surrounding double quotes, with `\"` and `\\` unescaped.
    var unquoted: String {
        guard count >= 2, first == "\"", last == "\"" else { return String(self) }
        var result = ""
        var escaped = false
        for character in dropFirst().dropLast() {
            if escaped {
                result.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        return result
    }
}
