/// An IPv4 or IPv6 address held by value, cheap to hash and compare.
public enum IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    case v4(UInt32)
    case v6(high: UInt64, low: UInt64)

    public var isIPv6: Bool {
        if case .v6 = self { return true }
        return false
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        switch (lhs, rhs) {
        case (.v4(let a), .v4(let b)): return a < b
        case (.v4, .v6): return true
        case (.v6, .v4): return false
        case (.v6(let ah, let al), .v6(let bh, let bl)): return (ah, al) < (bh, bl)
        }
    }

    /// Dotted quad for IPv4; RFC 5952 canonical text for IPv6 (lower case, longest zero run as `::`).
    public var description: String {
        switch self {
        case .v4(let value):
            // Written digit by digit: every signaling message names two endpoints, and string
            // interpolation of four integers costs ten times as much.
            var bytes: [UInt8] = []
            bytes.reserveCapacity(21)
            appendDottedQuad(value, to: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        case .v6(let high, let low):
            let groups = (0..<8).map { index -> UInt16 in
                let word = index < 4 ? high : low
                return UInt16(truncatingIfNeeded: word >> (UInt64(3 - index % 4) * 16))
            }
            var bestStart = -1
            var bestLength = 0
            var runStart = -1
            for index in 0...8 {
                if index < 8 && groups[index] == 0 {
                    if runStart < 0 { runStart = index }
                } else if runStart >= 0 {
                    if index - runStart > bestLength && index - runStart >= 2 {
                        bestStart = runStart
                        bestLength = index - runStart
                    }
                    runStart = -1
                }
            }
            func hex(_ range: Range<Int>) -> String {
                range.map { String(groups[$0], radix: 16) }.joined(separator: ":")
            }
            if bestStart < 0 { return hex(0..<8) }
            return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
        }
    }

    /// Parses an address from ASCII bytes: dotted quads in place, anything else through its text.
    public init?<Bytes: Collection<UInt8>>(ascii bytes: Bytes) {
        if !bytes.contains(UInt8(ascii: ":")) {
            guard let value = Self.dottedQuad(bytes) else { return nil }
            self = .v4(value)
            return
        }
        self.init(Substring(String(decoding: bytes, as: UTF8.self)))
    }

    /// The value of a dotted quad, nil for anything else.
    static func dottedQuad<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt32? {
        var value: UInt32 = 0
        var octet: UInt32 = 0
        var digits = 0
        var dots = 0
        for byte in bytes {
            if byte == UInt8(ascii: "."), digits > 0, dots < 3 {
                value = value << 8 | octet
                (octet, digits, dots) = (0, 0, dots + 1)
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 3 {
                octet = octet * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                guard octet <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, dots == 3 else { return nil }
        return value << 8 | octet
    }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (with `::` and an optional embedded IPv4 tail).
    public init?(_ text: Substring) {
        if !text.utf8.contains(UInt8(ascii: ":")) {
            // Dotted quad on bytes: every SDP c= line and Via comes through here.
            guard let value = Self.dottedQuad(text.utf8) else { return nil }
            self = .v4(value)
            return
        }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        var rest = text
        if rest.hasPrefix("::") {
            sawGap = true
            rest = rest.dropFirst(2)
        }
        // Split on bytes, like the check above: a ':' followed by a combining mark is one Character,
        // which a split on Characters would leave inside a piece that then recursed forever.
        for bytes in rest.utf8.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false) {
            let piece = Substring(bytes)
            if piece.isEmpty {
                guard !sawGap else {
                    if piece.isEmpty && rest.hasSuffix("::") { continue }
                    return nil
                }
                sawGap = true
                continue
            }
            var words: [UInt16]
            if piece.contains("."), case .v4(let embedded)? = IPAddress(piece) {
                words = [UInt16(embedded >> 16), UInt16(embedded & 0xffff)]
            } else {
                guard piece.count <= 4, let word = UInt16(piece, radix: 16) else { return nil }
                words = [word]
            }
            if sawGap { tail += words } else { head += words }
        }
        guard head.count + tail.count <= 8, sawGap || head.count == 8 else { return nil }
        let groups = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<4 { high = high << 16 | UInt64(groups[index]) }
        for index in 4..<8 { low = low << 16 | UInt64(groups[index]) }
        self = .v6(high: high, low: low)
    }
}

/// Appends the decimal text of `value` (0...65535).
@inline(__always)
func appendDecimal(_ value: UInt32, to bytes: inout [UInt8]) {
    if value >= 10_000 { bytes.append(UInt8(ascii: "0") + UInt8(value / 10_000)) }
    if value >= 1_000 { bytes.append(UInt8(ascii: "0") + UInt8(value / 1_000 % 10)) }
    if value >= 100 { bytes.append(UInt8(ascii: "0") + UInt8(value / 100 % 10)) }
    if value >= 10 { bytes.append(UInt8(ascii: "0") + UInt8(value / 10 % 10)) }
    bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
}

func appendDottedQuad(_ value: UInt32, to bytes: inout [UInt8]) {
    appendDecimal(value >> 24, to: &bytes)
    bytes.append(UInt8(ascii: "."))
    appendDecimal(value >> 16 & 0xff, to: &bytes)
    bytes.append(UInt8(ascii: "."))
    appendDecimal(value >> 8 & 0xff, to: &bytes)
    bytes.append(UInt8(ascii: "."))
    appendDecimal(value & 0xff, to: &bytes)
}

/// A transport endpoint: address and port.
public struct Endpoint: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var port: UInt16

    public init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    public static func < (lhs: Endpoint, rhs: Endpoint) -> Bool {
        (lhs.address, lhs.port) < (rhs.address, rhs.port)
    }

    /// `10.0.0.1:5060`, or `[2001:db8::1]:5060` for IPv6, as tshark writes endpoints.
    public var description: String {
        guard case .v4(let value) = address else { return "[\(address)]:\(port)" }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(21)
        appendDottedQuad(value, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDecimal(UInt32(port), to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses `ip:port` or `[v6]:port`.
    public init?(_ text: Substring) {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":"),
                let address = IPAddress(text[text.index(after: text.startIndex)..<close]),
                let port = UInt16(text[text.index(close, offsetBy: 2)...])
            else { return nil }
            self.init(address: address, port: port)
        } else {
            guard let colon = text.lastIndex(of: ":"), let address = IPAddress(text[..<colon]),
                let port = UInt16(text[text.index(after: colon)...])
            else { return nil }
            self.init(address: address, port: port)
        }
    }
}
