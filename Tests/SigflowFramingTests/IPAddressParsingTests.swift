import Glibc
import SigflowCore
import SigflowTestSupport
import Testing

/// Dotted quads are parsed on bytes (SDP `c=` lines, Via hosts): the result must be what
/// `inet_pton` makes of the same text, except that an octet with leading zeros is read as decimal
/// (some SIP stacks write `010.000.000.001`) where `inet_pton` refuses it.
struct IPAddressParsingTests {
    static func systemV4(_ text: String) -> UInt32? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return UInt32(bigEndian: address.s_addr)
    }

    static func parsedV4(_ text: String) -> UInt32? {
        guard case .v4(let value)? = IPAddress(Substring(text)) else { return nil }
        return value
    }

    @Test(arguments: [
        "10.0.0.1", "0.0.0.0", "255.255.255.255", "192.168.1.254", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256",
        "1..2.3", ".1.2.3", "1.2.3.", "1.2.3.4 ", " 1.2.3.4", "+1.2.3.4", "1.2.3.-4", "1.2.3.4/24", "1234.1.1.1",
        "a.b.c.d", "", "1.2.3.٤", "999.0.0.1",
    ])
    func dottedQuadsReadLikeInetPton(_ text: String) {
        #expect(Self.parsedV4(text) == Self.systemV4(text), "\(text)")
    }

    /// A ':' with a combining mark after it is one Character but still a ':' byte: IPv6 text is split
    /// on bytes, or a piece keeps its ':' and is parsed again, without end (found by fuzzing).
    @Test(arguments: ["1.2:\u{301}3", "::1.2:\u{301}", "\u{301}:1.2.3.4", "fe80::1:\u{20DD}.2"])
    func colonsWithCombiningMarksAreNotAddresses(_ text: String) {
        #expect(IPAddress(Substring(text)) == nil, "\(text.unicodeScalars.map(\.value))")
    }

    @Test func randomTextReadsLikeInetPton() {
        var generator = SeededGenerator(seed: 7)
        let alphabet = Array("0123456789.....+-x ")
        for _ in 0..<20_000 {
            let text = String(
                (0..<Int.random(in: 0...16, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            // Leading zeros are the one intended difference.
            guard !text.split(separator: ".").contains(where: { $0.count > 1 && $0.first == "0" }) else { continue }
            #expect(Self.parsedV4(text) == Self.systemV4(text), "\(text)")
        }
    }

    @Test func leadingZerosReadAsDecimal() {
        #expect(Self.parsedV4("010.000.000.001") == 0x0A00_0001)
        #expect(Self.parsedV4("0255.0.0.1") == nil)
    }
}
