import Testing

@testable import SigflowXMPP

struct XMLStanzaParserTests {
    static func parse(_ text: String, scope: XMLNamespaceScope = .client) throws -> XMLElement {
        try XMLStanzaParser.parse(Array(text.utf8), scope: scope).element
    }

    @Test func namespacesFromDeclarationsAndTheStreamScope() throws {
        let message = try Self.parse(
            "<message type='chat' to='bob@example.com/desktop' from='bob@example.com'>"
                + "<sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>"
                + "<message type='chat' from='bob@example.com/phone' xmlns='jabber:client' id='r1'>"
                + "<reject xmlns='urn:xmpp:jingle-message:0' id='c1'><reason xmlns='urn:xmpp:jingle:1'>"
                + "<decline/></reason></reject></message></forwarded></sent></message>")
        #expect(message.namespace == "jabber:client")
        let sent = try #require(message.child("sent"))
        #expect(sent.namespace == "urn:xmpp:carbons:2")
        let inner = try #require(sent.child("forwarded")?.child("message"))
        #expect(inner.namespace == "jabber:client")
        #expect(inner["id"] == "r1")
        let reject = try #require(inner.child("reject"))
        #expect(reject.namespace == "urn:xmpp:jingle-message:0")
        #expect(reject.child("reason")?.child("decline")?.namespace == "urn:xmpp:jingle:1")
    }

    @Test func prefixesAndTheXMLNamespace() throws {
        let features = try Self.parse(
            "<stream:features xml:lang='en'><x:c xmlns:x='urn:x' x:attr='1' plain='2'/><mechanisms "
                + "xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/></stream:features>")
        #expect(features.prefix == "stream" && features.name == "features")
        #expect(features.namespace == "http://etherx.jabber.org/streams")
        #expect(features.attributes.first?.prefix == "xml")
        let child = try #require(features.children.first)
        #expect(child.qualifiedName == "x:c" && child.namespace == "urn:x")
        #expect(child["plain"] == "2" && child["attr"] == nil)
        #expect(features.children[1].namespace == "urn:ietf:params:xml:ns:xmpp-sasl")
    }

    @Test func entitiesAndCharacterReferences() throws {
        let body = try Self.parse(
            "<body a=\"&quot;&apos;&lt;&gt;&amp;\" b='&#65;&#x42;'>x &lt;y&gt; &amp;amp; &#x263A; &#9731;</body>")
        #expect(body["a"] == "\"'<>&")
        #expect(body["b"] == "AB")
        #expect(body.text == "x <y> &amp; ☺ ☃")
    }

    @Test func eitherQuoteAndSpacesAroundEquals() throws {
        let iq = try Self.parse("<iq  type = \"result\"\n id='a\"b' to=\"c'd\" />")
        #expect(iq["type"] == "result")
        #expect(iq["id"] == "a\"b")
        #expect(iq["to"] == "c'd")
        #expect(iq.children.isEmpty)
    }

    @Test func repeatedAttributeKeepsTheFirst() throws {
        #expect(try Self.parse("<a id='1' id='2'/>")["id"] == "1")
    }

    @Test func noElementIsAnError() {
        #expect(throws: XMLParseError.noElement) { try Self.parse("just text") }
        #expect(throws: XMLParseError.noElement) { try Self.parse("") }
    }
}
