import Testing

@testable import SigflowXMPP

/// The framer cuts a stream into the same elements however the bytes arrive.
struct XMPPStreamFramerTests {
    typealias Event = XMPPStreamFramer.Event

    static let header =
        "<stream:stream to='example.com' xmlns='jabber:client' "
        + "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"

    /// What a client writes: a declaration, a header, SASL, the restart, keep-alives, a comment,
    /// packed stanzas, awkward quoting and text, and the end.
    static let stanzas = [
        "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGFsaWNlAHNlY3JldA==</auth>",
        "<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>phone</resource></bind></iq>",
        "<message to='bob@example.com' id=\"m1\" type='chat'><body>a &lt; b &amp; c ]]&gt; "
            + "<![CDATA[<not a tag> ]] >]]></body><propose xmlns='urn:xmpp:jingle-message:0' id='c1'>"
            + "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio' /></propose></message>",
        "<presence/>",
        "<r xmlns='urn:xmpp:sm:3'/>",
        "<message id='q\"uote' to=\"x'y@example.com\"><body note='a > b / c'>x/>y</body><?pi inside?></message>",
    ]

    static let stream =
        "<?xml version='1.0' ?>\n" + header + stanzas[0] + header + " \n\t " + stanzas[1] + "<!-- a <comment> -->"
        + stanzas[2] + stanzas[3] + stanzas[4] + " " + stanzas[5] + "</stream:stream>"

    static let expected: [Event] =
        [
            .streamHeader(Array(header.utf8)), .element(Array(stanzas[0].utf8)), .streamHeader(Array(header.utf8)),
        ] + stanzas.dropFirst().map { .element(Array($0.utf8)) } + [.streamEnd]

    static func events(_ bytes: [UInt8], chunks: [Int], synchronised: Bool = true) -> [Event] {
        var framer = XMPPStreamFramer(synchronised: synchronised)
        var events: [Event] = []
        var offset = 0
        var index = 0
        while offset < bytes.count {
            let size = chunks[index % chunks.count]
            framer.append(Array(bytes[offset..<min(offset + size, bytes.count)]))
            while let event = framer.next() { events.append(event) }
            offset += size
            index += 1
        }
        if let last = framer.finish() { events.append(last) }
        return events
    }

    @Test(arguments: [1, 2, 7, 4096])
    func sameElementsWhateverTheChunkSize(chunkSize: Int) {
        #expect(Self.events(Array(Self.stream.utf8), chunks: [chunkSize]) == Self.expected)
    }

    @Test func sameElementsSplitAtEveryByteBoundary() {
        let bytes = Array(Self.stream.utf8)
        for split in 1..<bytes.count {
            let events = Self.events(bytes, chunks: [split, bytes.count])
            #expect(events == Self.expected, "split after byte \(split)")
            if events != Self.expected { return }
        }
    }

    @Test func packedIntoOneSegment() {
        let packed = Self.header + Self.stanzas[1] + Self.stanzas[2] + Self.stanzas[3]
        let events = Self.events(Array(packed.utf8), chunks: [packed.utf8.count])
        #expect(events.count == 4)
        #expect(events.dropFirst().allSatisfy { if case .element = $0 { true } else { false } })
    }

    @Test func midwayPickupResynchronisesAtTheNextStanza() {
        let tail = "ent'>x</body></message></iq><message id='2'><body>ok</body></message>"
        let events = Self.events(Array(tail.utf8), chunks: [5], synchronised: false)
        #expect(
            events == [
                .skipped(28, reason: "bytes before the next stanza"),
                .element(Array("<message id='2'><body>ok</body></message>".utf8)),
            ])
    }

    @Test func gapDropsThePartialStanza() {
        var framer = XMPPStreamFramer()
        framer.append(Array((Self.header + "<message id='1'><body>lost").utf8))
        #expect(framer.next() == .streamHeader(Array(Self.header.utf8)))
        #expect(framer.next() == nil)
        framer.gap()
        framer.append(Array("ing</body></message><presence/>".utf8))
        #expect(framer.next() == .skipped(20, reason: "bytes before the next stanza"))
        #expect(framer.next() == .element(Array("<presence/>".utf8)))
    }

    @Test func strayEndTagIsSkippedNotFatal() {
        let events = Self.events(Array("</body></message><presence/>".utf8), chunks: [3])
        #expect(events.count == 3)
        #expect(events.last == .element(Array("<presence/>".utf8)))
    }

    @Test func tlsAfterStartTLSStopsTheFramer() {
        var framer = XMPPStreamFramer()
        framer.append(Array("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>".utf8))
        #expect(framer.next() == .element(Array("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>".utf8)))
        framer.append([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
        #expect(framer.next() == .tls)
        framer.append(Array("<presence/>".utf8))
        #expect(framer.next() == nil)
    }

    @Test func endOfStreamInsideAStanzaIsReported() {
        var framer = XMPPStreamFramer()
        framer.append(Array("<message><body>cut".utf8))
        #expect(framer.next() == nil)
        #expect(framer.finish() == .skipped(18, reason: "the stream ends inside a stanza"))
    }
}
