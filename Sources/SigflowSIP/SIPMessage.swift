import SigflowCore

/// A parsed SIP request or response (RFC 3261 §7). The message's bytes are copied once; its headers
/// are ranges into them, turned into text only when asked for: most of a message is never read.
public struct SIPMessage: Sendable {
    public enum StartLine: Hashable, Sendable {
        case request(method: String, uri: String)
        case response(code: Int, reason: String)
    }

    /// One header line: its name, when it is one sigflow reads, and where its value lies in `bytes`
    /// (without surrounding spaces; a folded value is unfolded after the message's own bytes).
    struct Field: Sendable {
        var name: SIPHeaderName?
        var value: Range<Int>
    }

    public var startLine: StartLine
    /// The start line exactly as received.
    public var startLineText: String
    /// The message up to the end of its body, then the unfolded values of folded headers.
    public let bytes: [UInt8]
    let fields: [Field]
    var bodyRange: Range<Int>
    /// Bytes Content-Length promised that the datagram did not hold (RFC 3261 §18.3: an error).
    public var bodyShortBy: Int
    /// The datagram ended inside the headers (a snapshot length, a damaged frame): the message holds
    /// the header lines up to the last whole one.
    public var truncatedHeaders = false

    public var body: ArraySlice<UInt8> { bytes[bodyRange] }

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

    /// The bytes of the first value of a header.
    func headerBytes(_ name: SIPHeaderName) -> ArraySlice<UInt8>? {
        for field in fields where field.name == name { return bytes[field.value] }
        return nil
    }

    /// The first value of a header.
    public func header(_ name: SIPHeaderName) -> String? {
        headerBytes(name).map { String(decoding: $0, as: UTF8.self) }
    }

    /// All values of a header, with comma-joined values split apart (commas inside quotes or angle
    /// brackets do not split).
    public func headerValues(_ name: SIPHeaderName) -> [String] {
        fields.lazy.filter { $0.name == name }.flatMap { SIPHeaderSyntax.listItems(bytes[$0.value]) }.map {
            String(decoding: $0, as: UTF8.self)
        }
    }

    public var callID: String? { header(.callID) }

    /// `CSeq: 1 INVITE` as its number and method.
    public var cseq: (number: UInt32, method: String)? {
        guard let value = headerBytes(.cseq) else { return nil }
        // `1*DIGIT LWS Method` (RFC 3261 §20.16): the value is trimmed already.
        guard let space = value.firstIndex(where: { $0 == 0x20 || $0 == 0x09 }),
            let digits = ASCIIDecimal.value(value[..<space], maxDigits: 10), let number = UInt32(exactly: digits)
        else { return nil }
        let method = SIPHeaderSyntax.trimmed(value[space...])
        guard !method.isEmpty, !method.contains(where: { $0 == 0x20 || $0 == 0x09 }) else { return nil }
        return (
            number,
            String(unsafeUninitializedCapacity: method.count) { buffer in
                for (offset, byte) in method.enumerated() {
                    buffer[offset] = byte >= 97 && byte <= 122 ? byte - 32 : byte
                }
                return method.count
            }
        )
    }

    /// How many Via values the message carries (one per hop it has passed).
    public var viaCount: Int {
        fields.reduce(0) { $0 + ($1.name == .via ? SIPHeaderSyntax.listItems(bytes[$1.value]).count : 0) }
    }

    /// The branch parameter of the topmost Via: the transaction key (RFC 3261 §17.2.3).
    public var topViaBranch: String? {
        headerBytes(.via).flatMap { SIPHeaderSyntax.nextListItem($0, from: $0.startIndex)?.item }.flatMap {
            SIPHeaderSyntax.parameter("branch", in: $0)
        }
    }

    public var fromTag: String? { headerBytes(.from).flatMap { SIPHeaderSyntax.parameter("tag", in: $0) } }

    public var toTag: String? { headerBytes(.to).flatMap { SIPHeaderSyntax.parameter("tag", in: $0) } }

    /// The bytes of a parameter's value in a header (`tag` of From), quotes included.
    func parameterBytes(_ parameter: String, of name: SIPHeaderName) -> ArraySlice<UInt8>? {
        guard let value = headerBytes(name), let range = SIPHeaderSyntax.parameterRange(parameter, in: value) else {
            return nil
        }
        return bytes[range]
    }

    /// The bytes of the top Via's branch.
    var topViaBranchBytes: ArraySlice<UInt8>? { viaBranchBytes(0) }

    /// The bytes of the branch of the `position`-th Via value (0 the top), across Via headers and
    /// the comma-separated values of one.
    func viaBranchBytes(_ position: Int) -> ArraySlice<UInt8>? {
        var remaining = position
        for field in fields where field.name == .via {
            let value = bytes[field.value]
            var start = value.startIndex
            while let (item, next) = SIPHeaderSyntax.nextListItem(value, from: start) {
                if remaining == 0 {
                    guard let range = SIPHeaderSyntax.parameterRange("branch", in: item) else { return nil }
                    return bytes[range]
                }
                remaining -= 1
                start = next
            }
        }
        return nil
    }

    /// The URI of a name-addr header (From, To, Contact).
    public func uri(_ name: SIPHeaderName) -> String? {
        headerBytes(name).map { String(decoding: SIPHeaderSyntax.uri(in: $0), as: UTF8.self) }
    }

    /// The display name of a name-addr header (`"Alice" <sip:alice@a.example>` gives `Alice`), nil
    /// when it has none.
    public func displayName(_ name: SIPHeaderName) -> String? {
        headerBytes(name).flatMap(SIPHeaderSyntax.displayName)
    }

    /// The address of record (`user@host`) of a name-addr header.
    public func addressOfRecord(_ name: SIPHeaderName) -> String? {
        headerBytes(name).map { SIPHeaderSyntax.addressOfRecord(SIPHeaderSyntax.uri(in: $0)) }
    }

    public var contentLength: Int? { headerBytes(.contentLength).flatMap { ASCIIDecimal.value($0) } }
}

/// The headers sigflow reads, by lower-case long name. Compact forms (RFC 3261 §7.3.3 and later RFCs)
/// parse to their long names, and names are matched ignoring case.
public enum SIPHeaderName: String, CaseIterable, Sendable {
    case callID = "call-id"
    case contact
    case contentEncoding = "content-encoding"
    case contentLength = "content-length"
    case contentType = "content-type"
    case from
    case subject
    case supported
    case to
    case via
    case event
    case allowEvents = "allow-events"
    case referTo = "refer-to"
    case referredBy = "referred-by"
    case sessionExpires = "session-expires"
    case acceptContact = "accept-contact"
    case rejectContact = "reject-contact"
    case requestDisposition = "request-disposition"
    case identity
    case cseq
    case userAgent = "user-agent"
    case server
    case reason
    case warning
    case recordRoute = "record-route"
    case xCallID = "x-call-id"
    case xCID = "x-cid"
    case xOriginalCallID = "x-original-call-id"
    case sessionID = "session-id"
    case replaces

    /// The long name a compact form's letter stands for.
    private static func compactForm(_ letter: UInt8) -> SIPHeaderName? {
        switch letter | 0x20 {
        case UInt8(ascii: "i"): return .callID
        case UInt8(ascii: "m"): return .contact
        case UInt8(ascii: "e"): return .contentEncoding
        case UInt8(ascii: "l"): return .contentLength
        case UInt8(ascii: "c"): return .contentType
        case UInt8(ascii: "f"): return .from
        case UInt8(ascii: "s"): return .subject
        case UInt8(ascii: "k"): return .supported
        case UInt8(ascii: "t"): return .to
        case UInt8(ascii: "v"): return .via
        case UInt8(ascii: "o"): return .event
        case UInt8(ascii: "u"): return .allowEvents
        case UInt8(ascii: "r"): return .referTo
        case UInt8(ascii: "b"): return .referredBy
        case UInt8(ascii: "x"): return .sessionExpires
        case UInt8(ascii: "a"): return .acceptContact
        case UInt8(ascii: "j"): return .rejectContact
        case UInt8(ascii: "d"): return .requestDisposition
        case UInt8(ascii: "y"): return .identity
        default: return nil
        }
    }

    /// A name of up to 24 bytes, lower-cased and packed into three words, so that matching one
    /// against every known name is a few integer comparisons.
    private struct PackedName: Equatable {
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)

        init?<Name: Collection<UInt8>>(_ name: Name) {
            guard name.count <= 24 else { return nil }
            for (offset, byte) in name.enumerated() {
                let lower = UInt64(byte >= 65 && byte <= 90 ? byte + 32 : byte) << (8 * UInt64(offset % 8))
                switch offset / 8 {
                case 0: words.0 |= lower
                case 1: words.1 |= lower
                default: words.2 |= lower
                }
            }
        }

        static func == (lhs: PackedName, rhs: PackedName) -> Bool { lhs.words == rhs.words }
    }

    private static let packedNames: [(packed: PackedName, name: SIPHeaderName)] = allCases.map {
        (PackedName($0.rawValue.utf8)!, $0)
    }

    /// The header a name on the wire stands for, ignoring case; nil for headers sigflow does not read.
    init?<Name: Collection<UInt8>>(wire name: Name) {
        if name.count == 1 {
            guard let known = Self.compactForm(name.first!) else { return nil }
            self = known
            return
        }
        guard let packed = PackedName(name) else { return nil }
        for entry in Self.packedNames where entry.packed == packed {
            self = entry.name
            return
        }
        return nil
    }
}

/// The grammar pieces of SIP header values that several headers share (RFC 3261 §25.1).
public enum SIPHeaderSyntax {
    /// The items of a list value, split at commas outside quotes and angle brackets, without
    /// surrounding spaces; empty items are dropped.
    static func listItems(_ bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var items: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        while let (item, next) = nextListItem(bytes, from: start) {
            items.append(item)
            start = next
        }
        return items
    }

    /// The first non-empty list item at or after `start`, and where the search for the next begins.
    static func nextListItem(_ bytes: ArraySlice<UInt8>, from start: Int) -> (item: ArraySlice<UInt8>, next: Int)? {
        var start = start
        while start <= bytes.endIndex {
            let end = itemEnd(bytes, from: start)
            let item = trimmed(bytes[start..<end])
            if !item.isEmpty { return (item, end + 1) }
            start = end + 1
        }
        return nil
    }

    /// Where the list item starting at `start` ends: the next comma outside quotes and angle
    /// brackets, or the end.
    private static func itemEnd(_ bytes: ArraySlice<UInt8>, from start: Int) -> Int {
        var inQuotes = false
        var angle = 0
        var index = start
        while index < bytes.endIndex {
            switch bytes[index] {
            case UInt8(ascii: "\\") where inQuotes: index += 1
            case UInt8(ascii: "\""): inQuotes.toggle()
            case UInt8(ascii: "<") where !inQuotes: angle += 1
            case UInt8(ascii: ">") where !inQuotes: angle = max(0, angle - 1)
            case UInt8(ascii: ",") where !inQuotes && angle == 0: return index
            default: break
            }
            index += 1
        }
        return bytes.endIndex
    }

    /// Without leading and trailing spaces and tabs.
    static func trimmed<Bytes: BidirectionalCollection<UInt8>>(_ bytes: Bytes) -> Bytes.SubSequence {
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { bytes.formIndex(after: &start) }
        while start < end, bytes[bytes.index(before: end)] == 0x20 || bytes[bytes.index(before: end)] == 0x09 {
            bytes.formIndex(before: &end)
        }
        return bytes[start..<end]
    }

    /// A `;name=value` parameter of a header value (outside the `<...>` URI); `name` in lower case,
    /// matched case-insensitively.
    public static func parameter(_ name: String, in value: String) -> String? {
        parameter(name, in: ArraySlice(value.utf8))
    }

    static func parameter(_ name: String, in value: ArraySlice<UInt8>) -> String? {
        guard let range = parameterRange(name, in: value) else { return nil }
        return value.withUnsafeBufferPointer { buffer in
            unquoted(buffer[(range.lowerBound - value.startIndex)..<(range.upperBound - value.startIndex)])
        }
    }

    /// Where a parameter's value lies in `value` (quotes included), as indices of `value`; an empty
    /// range for a parameter without a value.
    static func parameterRange(_ name: String, in value: ArraySlice<UInt8>) -> Range<Int>? {
        var name = name
        return name.withUTF8 { wanted in
            value.withUnsafeBufferPointer { bytes in
                parameterRange(wanted, in: bytes).map {
                    ($0.lowerBound + value.startIndex)..<($0.upperBound + value.startIndex)
                }
            }
        }
    }

    private static func parameterRange(
        _ wanted: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>
    ) -> Range<Int>? {
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
                guard let valueRange else { return index..<index }
                let value = trimmed(bytes[valueRange])
                return value.startIndex..<value.endIndex
            }
        }
        return nil
    }

    /// A parameter's bytes as text, without its quotes.
    static func unquotedText(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.withUnsafeBufferPointer { unquoted($0[...]) }
    }

    /// Without one pair of surrounding double quotes, with `\"` and `\\` unescaped.
    private static func unquoted(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        let quote = UInt8(ascii: "\"")
        guard bytes.count >= 2, bytes.first == quote, bytes.last == quote else {
            return String(decoding: bytes, as: UTF8.self)
        }
        var result: [UInt8] = []
        var escaped = false
        for byte in bytes.dropFirst().dropLast() {
            if !escaped && byte == UInt8(ascii: "\\") {
                escaped = true
            } else {
                result.append(byte)
                escaped = false
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// Whether `text` starts with `prefix` (lower-case ASCII), ignoring ASCII case.
    public static func hasPrefix(_ text: String, caseInsensitive prefix: String) -> Bool {
        hasPrefix(text.utf8, caseInsensitive: prefix)
    }

    static func hasPrefix<Bytes: Collection<UInt8>>(_ bytes: Bytes, caseInsensitive prefix: String) -> Bool {
        bytes.count >= prefix.utf8.count
            && zip(bytes, prefix.utf8).allSatisfy { ($0 >= 65 && $0 <= 90 ? $0 + 32 : $0) == $1 }
    }

    /// The display name of a name-addr: a quoted string (RFC 3261 §25.1, its escapes undone) or the
    /// tokens before `<`; nil for an addr-spec or an empty name.
    static func displayName(_ value: ArraySlice<UInt8>) -> String? {
        let value = trimmed(value)
        let name: String
        if let end = quotedStringEnd(value) {
            name = unquotedText(value[..<end])
        } else if let open = value.firstIndex(of: UInt8(ascii: "<")) {
            name = String(decoding: trimmed(value[..<open]), as: UTF8.self)
        } else {
            return nil
        }
        return name.isEmpty ? nil : name
    }

    /// The URI of a name-addr or addr-spec (`"Bob" <sip:bob@b.example>;tag=1` gives `sip:bob@b.example`).
    /// A `<` inside a quoted display name (`"a <b>" <sip:c@d>`) is text, not the URI's start.
    static func uri(in value: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let rest = value[(quotedStringEnd(value) ?? value.startIndex)...]
        if let open = rest.firstIndex(of: UInt8(ascii: "<")),
            let close = rest[open...].firstIndex(of: UInt8(ascii: ">"))
        {
            return rest[(open + 1)..<close]
        }
        return trimmed(rest[..<(rest.firstIndex(of: UInt8(ascii: ";")) ?? rest.endIndex)])
    }

    /// The index after the quoted string `value` starts with (after blanks), nil when it starts
    /// with none or the quote is not closed.
    private static func quotedStringEnd(_ value: ArraySlice<UInt8>) -> ArraySlice<UInt8>.Index? {
        let value = trimmed(value)
        guard value.first == UInt8(ascii: "\"") else { return nil }
        var escaped = false
        for index in value.indices.dropFirst() {
            if escaped {
                escaped = false
            } else if value[index] == UInt8(ascii: "\\") {
                escaped = true
            } else if value[index] == UInt8(ascii: "\"") {
                return index + 1
            }
        }
        return nil
    }

    /// `user@host` of a SIP URI without scheme, parameters or port: the address of record.
    static func addressOfRecord(_ uri: ArraySlice<UInt8>) -> String {
        var bytes = uri
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
        guard host.endIndex < bytes.endIndex else { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: bytes[...at] + host, as: UTF8.self)
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
}
