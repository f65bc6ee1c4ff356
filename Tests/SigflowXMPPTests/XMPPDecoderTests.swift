import SigflowCore
import SigflowFraming
import Testing

@testable import SigflowXMPP

/// Decoder behaviour on hand-written streams: what the lab captures do not show.
struct XMPPDecoderTests {
    static let server = Endpoint(Substring("192.0.2.1:5222"))!

    /// Frame numbers (and times, one second apart) shared by the connections of one test.
    final class Clock {
        var frame = 0
    }

    /// One client connection: feeds stanzas in either direction, one frame each.
    final class Connection {
        let consumer: any StreamConsumer
        let clock: Clock

        init(decoder: XMPPDecoder, client: String, jid: String?, clock: Clock = Clock()) {
            self.clock = clock
            let connection = XMPPConnection(
                client: Endpoint(Substring(client))!, server: XMPPDecoderTests.server, transport: .tcp)
            consumer = decoder.streamConsumer(on: connection, synchronised: true)
            send(XMPPStreamFramerTests.header)
            receive(
                "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                    + "xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='example.com' version='1.0'>")
            if let jid {
                receive(
                    "<iq type='result' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>\(jid)</jid></bind></iq>"
                )
            }
        }

        func send(_ text: String) { feed(text, .fromClient) }
        func receive(_ text: String) { feed(text, .fromServer) }

        func feed(_ text: String, _ direction: StreamDirection) {
            clock.frame += 1
            let frame = clock.frame
            let stamp = PacketStamp(
                time: CaptureTime(seconds: Double(frame)), source: SourceRef(capture: 0, frame: frame))
            Array(text.utf8).withUnsafeBytes { consumer.receive($0, direction: direction, stamp: stamp) }
        }
    }

    @Test func startTLSStopsDecodingAndSaysSo() {
        let sink = RecordingSink()
        let alice = Connection(decoder: XMPPDecoder(sink: sink), client: "192.0.2.10:40000", jid: nil)
        alice.receive(
            "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>"
        )
        alice.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        alice.receive("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        alice.send("\u{16}\u{03}\u{01}\u{00}\u{05}hello")
        alice.send(
            "<message to='bob@example.com' id='p'><propose xmlns='urn:xmpp:jingle-message:0' id='c1'/></message>")
        #expect(sink.messages.isEmpty)
        #expect(sink.diagnostics.map(\.name) == ["xmpp_encrypted"])
        #expect(sink.diagnostics.first?.severity == .warning)
    }

    @Test func directTLSIsReportedOnce() {
        let sink = RecordingSink()
        let connection = XMPPConnection(
            client: Endpoint(Substring("192.0.2.10:40000"))!, server: Endpoint(Substring("192.0.2.1:5223"))!,
            transport: .tcp)
        let consumer = XMPPDecoder(sink: sink).streamConsumer(on: connection, synchronised: true)
        let stamp = PacketStamp(time: .zero, source: SourceRef(capture: 0, frame: 1))
        for _ in 0..<3 {
            ([0x16, 0x03, 0x01, 0x00, 0x20, 0x01] as [UInt8]).withUnsafeBytes {
                consumer.receive($0, direction: .fromClient, stamp: stamp)
            }
        }
        #expect(sink.diagnostics.map(\.name) == ["xmpp_encrypted"])
    }

    @Test func jingleMessageNamespacesAndLegacyAccept() throws {
        let sink = RecordingSink()
        let decoder = XMPPDecoder(sink: sink)
        let phone = Connection(decoder: decoder, client: "192.0.2.11:40001", jid: "bob@example.com/phone")
        let desktop = Connection(decoder: decoder, client: "192.0.2.12:40002", jid: "bob@example.com/desktop")
        let propose =
            "<message from='alice@example.com/laptop' to='bob@example.com' id='p1' type='chat'>"
            + "<propose xmlns='urn:xmpp:jingle:jingle-message:0' id='c1'>"
            + "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='video'/></propose></message>"
        phone.receive(propose)
        desktop.receive(propose)
        // Version 0.4 clients accept by telling their own bare JID.
        phone.send(
            "<message to='bob@example.com' id='a1' type='chat'><accept xmlns='urn:xmpp:jingle:jingle-message:1' id='c1'/></message>"
        )
        desktop.receive(
            "<message from='bob@example.com/phone' to='bob@example.com' id='a1' type='chat'>"
                + "<accept xmlns='urn:xmpp:jingle:jingle-message:1' id='c1'/></message>")
        let kinds = sink.messages.map { "\($0.kind) \($0.label) \($0.sender.key) -> \($0.receiver.key)" }
        #expect(
            kinds == [
                "offer propose xmpp server 192.0.2.1:5222 -> bob@example.com/phone",
                "offer propose xmpp server 192.0.2.1:5222 -> bob@example.com/desktop",
                "other accept bob@example.com/phone -> xmpp server 192.0.2.1:5222",
                "other accept xmpp server 192.0.2.1:5222 -> bob@example.com/desktop",
            ])
        #expect(sink.messages.allSatisfy { $0.callID == "c1" })
        #expect(sink.messages[3].elsewhere == .answered)
        #expect(sink.messages[0].xmpp?.media == ["video"])
        #expect(sink.messages[0].identity != sink.messages[1].identity)
    }

    @Test func archiveResultsAreUnwrappedAndMarked() throws {
        let sink = RecordingSink()
        let phone = Connection(
            decoder: XMPPDecoder(sink: sink), client: "192.0.2.11:40001", jid: "bob@example.com/phone")
        phone.send("<iq type='set' id='q1'><query xmlns='urn:xmpp:mam:2' queryid='f1'/></iq>")
        phone.receive(
            "<message to='bob@example.com/phone' from='bob@example.com'><result xmlns='urn:xmpp:mam:2' queryid='f1' "
                + "id='arch1'><forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' "
                + "stamp='2026-01-01T10:00:00Z'/><message xmlns='jabber:client' from='alice@example.com/laptop' "
                + "to='bob@example.com' id='p1' type='chat'><propose xmlns='urn:xmpp:jingle-message:0' id='c2'/>"
                + "</message></forwarded></result></message>")
        let message = try #require(sink.messages.first)
        #expect(message.kind == .offer)
        #expect(message.senderDevice?.name == "alice@example.com/laptop")
        #expect(message.xmpp?.archived == "2026-01-01T10:00:00Z")
        #expect(message.xmpp?.connectionCaughtUp == true)
        #expect(message.notes.contains("from the message archive (MAM), sent 2026-01-01T10:00:00Z"))
    }

    @Test func spoofedCarbonIsAttributedToItsRealSender() throws {
        let sink = RecordingSink()
        let desktop = Connection(
            decoder: XMPPDecoder(sink: sink), client: "192.0.2.12:40002", jid: "bob@example.com/desktop")
        desktop.receive(
            "<message from='mallory@evil.example/x' to='bob@example.com/desktop' type='chat'>"
                + "<received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>"
                + "<message xmlns='jabber:client' from='bob@example.com/phone' to='alice@example.com/laptop' "
                + "id='r1' type='chat'><reject xmlns='urn:xmpp:jingle-message:0' id='c3'/></message></forwarded>"
                + "</received></message>")
        let message = try #require(sink.messages.first)
        #expect(message.kind == .other)
        #expect(message.label == "reject (spoofed carbon)")
        #expect(message.senderDevice?.name == "mallory@evil.example/x")
        #expect(message.elsewhere == nil)
        #expect(message.xmpp?.spoofedCarbon == true)
    }

    /// The JSON attributes keep the names, order and values `flow --format json` has always written
    /// (taken from the decoder before the typed seam): a session-initiate with content, a spoofed
    /// carbon, an archive result.
    @Test func attributesKeepTheirNamesAndOrder() throws {
        let sink = RecordingSink()
        let decoder = XMPPDecoder(sink: sink)
        let alice = Connection(decoder: decoder, client: "192.0.2.10:40000", jid: "alice@example.com/laptop")
        let desktop = Connection(decoder: decoder, client: "192.0.2.12:40002", jid: "bob@example.com/desktop")
        let phone = Connection(decoder: decoder, client: "192.0.2.11:40001", jid: "bob@example.com/phone")
        alice.send(
            "<iq type='set' id='c1-session-initiate' to='bob@example.com/phone'><jingle xmlns='urn:xmpp:jingle:1' "
                + "action='session-initiate' sid='c1' initiator='alice@example.com/laptop'><content name='a' "
                + "creator='initiator'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'><payload-type "
                + "id='111' name='opus' clockrate='48000'/><payload-type id='0' name='PCMU'/></description><transport "
                + "xmlns='urn:xmpp:jingle:transports:ice-udp:1'><candidate ip='192.0.2.10' port='5000' id='x'/>"
                + "<candidate ip='2001:db8::1' port='5002' id='y'/></transport></content></jingle></iq>")
        desktop.receive(
            "<message type='chat' from='mallory@evil.example/x' to='bob@example.com/desktop'><sent "
                + "xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' "
                + "type='chat' from='bob@example.com/phone' to='alice@example.com/laptop' id='fake'><reject "
                + "xmlns='urn:xmpp:jingle-message:0' id='c1'><reason xmlns='urn:xmpp:jingle:1'><decline/><text>no "
                + "thanks</text></reason></reject></message></forwarded></sent></message>")
        phone.send("<iq type='set' id='q1'><query xmlns='urn:xmpp:mam:2' queryid='f1'/></iq>")
        phone.receive(
            "<message to='bob@example.com/phone' from='bob@example.com'><result xmlns='urn:xmpp:mam:2' queryid='f1' "
                + "id='arch1'><forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' "
                + "stamp='2026-01-01T10:00:00Z'/><message xmlns='jabber:client' from='alice@example.com/laptop' "
                + "to='bob@example.com' id='p1' type='chat'><propose xmlns='urn:xmpp:jingle-message:0' id='c2'>"
                + "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'/></propose></message></forwarded>"
                + "</result></message>")
        let attributes = sink.messages.map { $0.attributes.map { "\($0.key)=\($0.value)" } }
        #expect(
            attributes == [
                [
                    "call_id=c1", "hop=send", "via=direct", "stanza=iq", "type=set", "stanza_id=c1-session-initiate",
                    "element=session-initiate", "namespace=urn:xmpp:jingle:1", "origin=alice@example.com/laptop",
                    "to=bob@example.com/phone", "initiator=alice@example.com/laptop", "media=audio",
                    "payload_types=111 opus/48000,0 PCMU", "candidates=192.0.2.10:5000,[2001:db8::1]:5002",
                    "session_before=none", "connection_seen_whole=true",
                ],
                [
                    "call_id=c1", "hop=delivery", "via=carbon-sent", "stanza=message", "type=chat", "stanza_id=fake",
                    "element=reject", "namespace=urn:xmpp:jingle-message:0", "origin=mallory@evil.example/x",
                    "to=alice@example.com/laptop", "reason=decline", "reason_text=no thanks", "carbon=sent",
                    "carbon_from=mallory@evil.example/x", "spoofed_carbon=true", "connection_seen_whole=true",
                ],
                [
                    "call_id=c2", "hop=delivery", "via=archive", "stanza=message", "type=chat", "stanza_id=p1",
                    "element=propose", "namespace=urn:xmpp:jingle-message:0", "origin=alice@example.com/laptop",
                    "to=bob@example.com", "archived=2026-01-01T10:00:00Z", "delay=2026-01-01T10:00:00Z", "media=audio",
                    "connection_seen_whole=true", "connection_caught_up=true",
                ],
            ])
    }

    @Test func iqErrorToSessionInitiateRefusesTheSession() throws {
        let sink = RecordingSink()
        let decoder = XMPPDecoder(sink: sink)
        let alice = Connection(decoder: decoder, client: "192.0.2.10:40000", jid: "alice@example.com/laptop")
        alice.send(
            "<iq type='set' id='j1' to='bob@example.com/phone'><jingle xmlns='urn:xmpp:jingle:1' "
                + "action='session-initiate' sid='s9' initiator='alice@example.com/laptop'/></iq>")
        alice.receive(
            "<iq type='error' id='j1' from='bob@example.com/phone' to='alice@example.com/laptop'><error type='cancel'>"
                + "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")
        alice.receive("<iq type='result' id='unrelated' to='alice@example.com/laptop'/>")
        #expect(sink.messages.map(\.label) == ["session-initiate", "error (session-initiate): service-unavailable"])
        #expect(sink.messages.last?.kind == .reject)
        #expect(sink.messages.last?.outcome == .rejected)
        #expect(sink.messages.allSatisfy { $0.callID == "s9" })
    }

    @Test func webSocketFramingOpenStanzaClose() throws {
        let sink = RecordingSink()
        let decoder = XMPPDecoder(sink: sink)
        let connection = XMPPConnection(
            client: Endpoint(Substring("192.0.2.10:40000"))!, server: Endpoint(Substring("192.0.2.1:443"))!,
            transport: .ws)
        let stamp = PacketStamp(time: .zero, source: SourceRef(capture: 0, frame: 1))
        for (side, text) in [
            (XMPPSide.initiator, "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='example.com' version='1.0'/>"),
            (.receiver, "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' from='example.com' id='w1' version='1.0'/>"),
            (
                .receiver,
                "<iq xmlns='jabber:client' type='result' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                    + "<jid>alice@example.com/web</jid></bind></iq>"
            ),
            (
                .initiator,
                "<message xmlns='jabber:client' to='bob@example.com' id='p' type='chat'>"
                    + "<propose xmlns='urn:xmpp:jingle-message:0' id='c4'/></message>"
            ),
            (.initiator, "<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>"),
        ] {
            decoder.decodeWebSocketMessage(Array(text.utf8), on: connection, side: side, stamp: stamp)
        }
        let message = try #require(sink.messages.first)
        #expect(sink.messages.count == 1)
        #expect(message.transport == .ws)
        #expect(message.sender.key == .name("alice@example.com/web"))
        #expect(message.receiver.key == .name("xmpp server 192.0.2.1:443"))
        #expect(message.receiver.agent == "XMPP server example.com")
        #expect(message.xmpp?.connectionSeenWhole == true)
    }
}
