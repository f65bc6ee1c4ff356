/// Recognises XMPP from the first bytes of a TCP connection.
public enum XMPPSniffer {
    /// A stream header, possibly after an XML declaration and whitespace: `<?xml ...?><stream:stream`
    /// or `<stream:stream`. A lone XML declaration is not enough (any XML protocol starts so).
    public static func looksLikeXMPP(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = skipSpace(bytes, from: 0)
        if hasPrefix(bytes, "<?xml", at: index) {
            guard let end = find(bytes, Array("?>".utf8), from: index) else { return false }
            index = skipSpace(bytes, from: end + 2)
        }
        return hasPrefix(bytes, "<stream:stream", at: index)
    }

    /// Whether the bytes begin (after whitespace) at a top-level element a stream may hold, so a
    /// connection picked up on an XMPP port needs no resynchronisation.
    public static func startsAtStanza(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let index = skipSpace(bytes, from: 0)
        guard index < bytes.count else { return false }
        let tail = Array(bytes[index...].prefix(24))
        return XMPPStreamFramer.startsTopLevelElement(tail, at: 0) == .yes
    }

    /// Ports where XMPP is worth decoding when the content does not say: client-to-server (5222)
    /// and server-to-server (5269). Direct TLS ports (5223, 5270) only when the bytes are TLS.
    public static let plaintextPorts: Set<UInt16> = [5222, 5269]
    public static let tlsPorts: Set<UInt16> = [5223, 5270]

    static func skipSpace(_ bytes: UnsafeRawBufferPointer, from index: Int) -> Int {
        var index = index
        while index < bytes.count, XMPPStreamFramer.isSpace(bytes[index]) { index += 1 }
        return index
    }

    static func hasPrefix(_ bytes: UnsafeRawBufferPointer, _ text: String, at index: Int) -> Bool {
        let needle = Array(text.utf8)
        return index + needle.count <= bytes.count && bytes[index..<(index + needle.count)].elementsEqual(needle)
    }

    static func find(_ bytes: UnsafeRawBufferPointer, _ needle: [UInt8], from index: Int) -> Int? {
        var at = index
        while at + needle.count <= bytes.count {
            if bytes[at..<(at + needle.count)].elementsEqual(needle) { return at }
            at += 1
        }
        return nil
    }
}
