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

    /// The first value of a header (by long name, case-insensitive).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name == wanted }?.value
    }

    /// All values of a header, with comma-joined values split apart (commas inside quotes or angle
    /// brackets do not split).
    public func headerValues(_ name: String) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { $0.name == wanted }.flatMap { SIPHeaderSyntax.splitList($0.value) }
    }

    public var callID: String? { header("call-id") }

    /// `CSeq: 1 INVITE` as its number and method.
    public var cseq: (number: UInt32, method: String)? {
        guard let value = header("cseq") else { return nil }
        let parts = value.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 2, let number = UInt32(parts[0]) else { return nil }
        return (number, String(parts[1]).uppercased())
    }

    /// The Via headers, topmost first.
    public var vias: [String] { headerValues("via") }

    public var topViaBranch: String? { vias.first.flatMap { SIPHeaderSyntax.parameter("branch", in: $0) } }

    public var fromTag: String? { header("from").flatMap { SIPHeaderSyntax.parameter("tag", in: $0) } }

    public var toTag: String? { header("to").flatMap { SIPHeaderSyntax.parameter("tag", in: $0) } }

    public var contentLength: Int? { header("content-length").flatMap { Int($0.trimmingSpaces) } }
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

    public static func canonicalName(_ raw: Substring) -> String {
        let lower = raw.lowercased()
        return compactForms[lower] ?? lower
    }

    /// Splits a list value at commas outside quotes and angle brackets.
    public static func splitList(_ value: String) -> [String] {
        var items: [String] = []
        var current = ""
        var inQuotes = false
        var angle = 0
        var escaped = false
        for character in value {
            if escaped {
                current.append(character)
                escaped = false
                continue
            }
            switch character {
            case "\\" where inQuotes:
                escaped = true
                current.append(character)
            case "\"":
                inQuotes.toggle()
                current.append(character)
            case "<" where !inQuotes:
                angle += 1
                current.append(character)
            case ">" where !inQuotes:
                angle = max(0, angle - 1)
                current.append(character)
            case "," where !inQuotes && angle == 0:
                items.append(current.trimmingSpaces)
                current = ""
            default:
                current.append(character)
            }
        }
        let last = current.trimmingSpaces
        if !last.isEmpty || items.isEmpty { items.append(last) }
        return items.filter { !$0.isEmpty }
    }

    /// A `;name=value` parameter of a header value (outside the `<...>` URI), case-insensitive name.
    public static func parameter(_ name: String, in value: String) -> String? {
        let afterURI: Substring
        if let close = value.lastIndex(of: ">") {
            afterURI = value[value.index(after: close)...]
        } else {
            afterURI = value[...]
        }
        for piece in afterURI.split(separator: ";").dropFirst(afterURI.hasPrefix(";") ? 0 : 1) {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard let key = pair.first, key.trimmingSpaces.lowercased() == name else { continue }
            return pair.count == 2 ? String(pair[1]).trimmingSpaces.unquoted : ""
        }
        return nil
    }

    /// The URI of a name-addr or addr-spec (`"Bob" <sip:bob@b.example>;tag=1` gives `sip:bob@b.example`).
    public static func uri(in value: String) -> String {
        if let open = value.firstIndex(of: "<"), let close = value[open...].firstIndex(of: ">") {
            return String(value[value.index(after: open)..<close])
        }
        let bare = value.split(separator: ";", maxSplits: 1).first.map(String.init) ?? value
        return bare.trimmingSpaces
    }

    /// The display name of a name-addr, unquoted (`"Bob" <sip:...>` gives `Bob`).
    public static func displayName(in value: String) -> String? {
        guard let open = value.firstIndex(of: "<") else { return nil }
        let name = String(value[..<open]).trimmingSpaces.unquoted
        return name.isEmpty ? nil : name
    }

    /// `user@host` of a SIP URI without scheme, parameters or port: the address of record.
    public static func addressOfRecord(_ uri: String) -> String {
        var text = Substring(uri)
        for scheme in ["sips:", "sip:", "tel:"] where text.lowercased().hasPrefix(scheme) {
            text = text.dropFirst(scheme.count)
            break
        }
        if let cut = text.firstIndex(where: { $0 == ";" || $0 == "?" || $0 == ">" }) { text = text[..<cut] }
        if let at = text.lastIndex(of: "@") {
            let host = text[text.index(after: at)...]
            let hostWithoutPort: Substring
            if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
                hostWithoutPort = host[...close]
            } else {
                hostWithoutPort = host.split(separator: ":").first ?? host
            }
            return String(text[...at]) + hostWithoutPort
        }
        return String(text)
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        guard let start = firstIndex(where: { $0 != " " && $0 != "\t" }),
            let end = lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return String(self[start...end])
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
