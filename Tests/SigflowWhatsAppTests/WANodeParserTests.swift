import SigflowTestSupport
import Testing

@testable import SigflowWhatsApp

struct WANodeParserTests {
    let parser = WANodeParser()

    @Test func whatsmeowNodeWithChildrenAndContent() throws {
        let result = parser.parse(
            #"<call id="3EB0" to="447700900123@s.whatsapp.net"><offer call-creator="4915112345678:7@s.whatsapp.net" "#
                + #"call-id="C4E3"><privacy>994fe4</privacy><audio enc="opus" rate="8000"/>"#
                + #"<enc count="0" type="pkmsg" v="2"><!-- 302 bytes --></enc></offer></call>"#)
        let node = try #require(result.node)
        #expect(!result.truncated)
        #expect(node.tag == "call")
        #expect(node.attributes.map(\.name) == ["id", "to"])
        #expect(node["to"] == "447700900123@s.whatsapp.net")
        let offer = try #require(node.child("offer"))
        #expect(offer["call-id"] == "C4E3")
        #expect(offer.children.map(\.tag) == ["privacy", "audio", "enc"])
        #expect(offer.child("privacy")?.content == "994fe4")
        #expect(offer.child("enc")?.content == "<!-- 302 bytes -->")
        #expect(offer.child("audio")?["rate"] == "8000")
    }

    @Test func baileysSingleQuotesTabsAndEmptyAttributeLists() throws {
        let xml =
            "<call from='a@s.whatsapp.net' id='41238.20561-9'>\n\t\t<privacy >\n\t\t\tce77\n\t\t</privacy>\n"
            + "\t\t<reject call-id='C4' call-creator='b:7@s.whatsapp.net' count='0'/>\n\t\t<ping />\n</call>"
        let node = try #require(parser.parse(xml).node)
        #expect(node["id"] == "41238.20561-9")
        #expect(node.children.map(\.tag) == ["privacy", "reject", "ping"])
        #expect(node.children[0].attributes.isEmpty)
        #expect(node.children[0].content == "ce77")
        #expect(node.children[1]["count"] == "0")
    }

    @Test func unescapedValuesEndOnlyBeforeTheNextAttributeOrTheTagEnd() throws {
        let xml =
            #"<call from="447700900123:12@s.whatsapp.net" id="1.2-->>3" notify="Bob "the" <script>alert(1)</script> `rm -rf` 100%% | ;#" t="1774483202">"#
            + #"<reject call-creator="4915112345678:7@s.whatsapp.net" call-id="DEADBEEF;#|-->>%%`id`<script>x</script>" count="0"/></call>"#
        let node = try #require(parser.parse(xml).node)
        #expect(node["id"] == "1.2-->>3")
        #expect(node["notify"] == #"Bob "the" <script>alert(1)</script> `rm -rf` 100%% | ;#"#)
        #expect(node["t"] == "1774483202")
        #expect(node.child("reject")?["call-id"] == "DEADBEEF;#|-->>%%`id`<script>x</script>")
        #expect(node.child("reject")?["count"] == "0")
    }

    @Test func newlineInsideAValue() throws {
        let node = try #require(parser.parse("<call notify='Alice\nline2 -->> Bob: <b>x</b>' t='1'/>").node)
        #expect(node["notify"] == "Alice\nline2 -->> Bob: <b>x</b>")
        #expect(node["t"] == "1")
    }

    @Test func indentedHexIsJoinedBackIntoOneContent() throws {
        let xml = "<enc count=\"0\" type=\"msg\" v=\"2\">\n          3da0f18e\n          4087696a\n        </enc>"
        #expect(parser.parse(xml).node?.content == "3da0f18e4087696a")
    }

    @Test(arguments: [
        "<call id=\"3EB0\" to=\"44@s.whatsapp.net\"><offer call-id=\"C4\" call-creator=\"x\"><privacy>99",
        "<call id=\"3EB0\" to=\"44@s.whatsa", "<call id='3EB0' to=", "<call", "<call ", "<call id=\"x\">",
        "<call><offer call-id=\"C\"></offer", "<call><!-- 12 by",
    ])
    func truncatedTextGivesWhatIsThereAndSaysSo(text: String) {
        let result = parser.parse(text)
        #expect(result.node?.tag == "call")
        #expect(result.truncated)
    }

    @Test func truncatedOfferKeepsItsCallID() throws {
        let result = parser.parse("<call id=\"3EB0\"><offer call-creator=\"a\" call-id=\"C4E3\"><privacy>99")
        #expect(result.truncated)
        #expect(result.node?.child("offer")?["call-id"] == "C4E3")
    }

    @Test(arguments: ["", "   ", "hello", "<", "<1abc>", "<!-- x -->", "\u{0}\u{1}WA", "></call>"])
    func notANode(text: String) {
        #expect(parser.parse(text).node == nil)
    }

    @Test func nestingIsCapped() {
        let deep = String(repeating: "<a>", count: 10_000)
        let result = parser.parse(deep)
        #expect(result.node?.tag == "a")
        #expect(result.truncated)
    }

    @Test func attributesAreCapped() {
        let many = "<a " + (0..<500).map { "k\($0)=\"v\"" }.joined(separator: " ") + "/>"
        let result = parser.parse(many)
        #expect(result.node?.attributes.count == 64)
        #expect(result.truncated)
    }

    @Test func inputIsCapped() {
        var limits = WANodeParser.Limits()
        limits.maxBytes = 64
        let result = WANodeParser(limits: limits).parse("<call id=\"" + String(repeating: "x", count: 1000) + "\"/>")
        #expect(result.node?.tag == "call")
        #expect(result.truncated)
    }

    @Test func randomBytesNeverCrash() {
        var generator = SeededGenerator(seed: 42)
        let alphabet = Array("<>/=\"' \t\nabc-!:.@0123456789".utf8) + [0xff, 0x00, 0xe2, 0x80]
        for _ in 0..<2000 {
            let count = Int.random(in: 0..<200, using: &generator)
            let bytes = (0..<count).map { _ in alphabet.randomElement(using: &generator)! }
            _ = parser.parse(String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test func startTagRendersAttributesInOrder() {
        let node = WANode(tag: "ack", attributes: [("id", "1"), ("class", "call")])
        #expect(node.startTag == #"<ack id="1" class="call"/>"#)
    }
}
