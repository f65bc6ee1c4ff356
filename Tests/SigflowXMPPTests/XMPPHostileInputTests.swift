import SigflowCore
import SigflowFraming
import SigflowTestSupport
import Testing

@testable import SigflowXMPP

/// Nothing a capture holds may crash, hang or balloon the parser, the framer or the decoder.
@Suite(.timeLimit(.minutes(1)))
struct XMPPHostileInputTests {
    static func parse(_ text: String) throws -> XMLParseResult {
        try XMLStanzaParser.parse(Array(text.utf8))
    }

    @Test func unclosedTagsAreClosedAtTheEnd() throws {
        let result = try Self.parse("<message id='1'><body>hi<propose xmlns='urn:xmpp:jingle-message:0' id='c'>")
        #expect(result.repaired)
        #expect(result.element.child("body")?.child("propose")?["id"] == "c")
    }

    @Test func mismatchedEndTagsCloseTheOuterElement() throws {
        let result = try Self.parse("<message><body><b>x</message><after/>")
        #expect(result.repaired)
        #expect(result.element.child("body")?.child("b")?.text == "x")
    }

    @Test func unterminatedStartTagOrQuote() throws {
        #expect(throws: XMLParseError.noElement) { try Self.parse("<message id='1") }
        let result = try Self.parse("<message><body a='x>y</body></message>")
        #expect(result.element.name == "message")
    }

    @Test func entityTricksStayLiteral() throws {
        let text =
            "<!DOCTYPE m [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;'>]><m x='&b;'>&a;&b; &amp;lt; &#0; "
            + "&#x110000; &#xD800; &#99999999999; &#x; &lt &unknown; &#-1;</m>"
        let element = try Self.parse(text).element
        #expect(element["x"] == "&b;")
        #expect(element.text == "&a;&b; &lt; \u{FFFD} \u{FFFD} \u{FFFD} &#99999999999; &#x; &lt &unknown; &#-1;")
    }

    @Test func deepNestingIsReadPastNotBuilt() throws {
        let depth = 100_000
        let text = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        let result = try Self.parse(text)
        #expect(result.truncated)
        var level = 1
        var element = result.element
        while let child = element.children.first {
            element = child
            level += 1
        }
        #expect(level == XMPPLimits().maxDepth)
    }

    @Test func manyElementsAreCapped() throws {
        let text = "<m>" + String(repeating: "<a/>", count: 100_000) + "</m>"
        let result = try Self.parse(text)
        #expect(result.truncated)
        #expect(result.element.children.count == XMPPLimits().maxElements - 1)
    }

    @Test func hugeAttributeIsSkippedByTheFramer() {
        var framer = XMPPStreamFramer()
        let huge = "<message id='" + String(repeating: "x", count: 2 << 20) + "'/><presence/>"
        var events: [XMPPStreamFramer.Event] = []
        for chunk in Array(huge.utf8).chunked(4096) {
            framer.append(chunk)
            while let event = framer.next() { events.append(event) }
        }
        #expect(events.count == 3)
        if case .skipped(_, let reason) = events.first {
            #expect(reason.contains("larger than"))
        } else {
            Issue.record()
        }
        #expect(events.last == .element(Array("<presence/>".utf8)))
    }

    @Test func hugeAttributeOneByteAtATimeStaysLinear() {
        var framer = XMPPStreamFramer()
        framer.append(Array("<message id='".utf8))
        let length = 300 << 10
        for _ in 0..<length {
            framer.append([UInt8(ascii: "x")])
            #expect(framer.next() == nil)
        }
        framer.append(Array("'/>".utf8))
        #expect(framer.next().map { if case .element(let bytes) = $0 { bytes.count } else { 0 } } == length + 16)
    }

    @Test func lessThanStorms() throws {
        for text in ["<<<<<<<<", "<>", "</>", "<a <b <c>", "<!", "<![CDATA[", "<?", "<!--", "<a/", "<a b=>", "<:/>"] {
            _ = try? Self.parse(text)
            var framer = XMPPStreamFramer()
            framer.append(Array((text + text + "<presence/>").utf8))
            var count = 0
            while framer.next() != nil { count += 1 }
            _ = framer.finish()
            #expect(count < 10)
        }
    }

    @Test func randomBytesThroughTheDecoder() {
        var generator = SeededGenerator(seed: 7)
        let sink = RecordingSink()
        let decoder = XMPPDecoder(sink: sink)
        let alphabet = Array("<>/='\"&;#x !?-[]abcmsgiqpropose:".utf8) + [0x00, 0xFF, 0x16, 0x03]
        let stamp = PacketStamp(time: .zero, source: SourceRef(capture: 0, frame: 1))
        for round in 0..<200 {
            let connection = XMPPConnection(
                client: Endpoint(Substring("10.0.0.1:\(4000 + round)"))!, server: Endpoint(Substring("10.0.0.2:5222"))!,
                transport: .tcp)
            let consumer = decoder.streamConsumer(on: connection, synchronised: round % 2 == 0)
            var bytes = Array(XMPPStreamFramerTests.header.utf8)
            for _ in 0..<2000 { bytes.append(alphabet[Int(generator.next() % UInt64(alphabet.count))]) }
            for chunk in bytes.chunked(Int(generator.next() % 64) + 1) {
                chunk.withUnsafeBytes { consumer.receive($0, direction: .fromClient, stamp: stamp) }
                chunk.withUnsafeBytes { consumer.receive($0, direction: .fromServer, stamp: stamp) }
            }
            decoder.decodeWebSocketMessage(bytes, on: connection, side: .receiver, stamp: stamp)
        }
        #expect(sink.messages.isEmpty)
    }
}

extension Array {
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}

/// Keeps what a decoder emits.
final class RecordingSink: SignalingSink {
    var messages: [SignalingMessage] = []
    var diagnostics: [Diagnostic] = []

    func deliver(_ message: SignalingMessage) { messages.append(message) }
    func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }
}
