import SigflowCore
import SigflowSIP
import Testing

/// The SIP parser keeps headers as ranges into the message and reads them on demand: what each
/// accessor gives back for the grammar's corners (RFC 3261 §7.3 and §25.1).
struct SIPParserTests {
    static func parse(_ lines: [String], body: String = "") throws -> SIPMessage {
        let text = lines.joined(separator: "\r\n") + "\r\n\r\n" + body
        return try Array(text.utf8).withUnsafeBytes { try SIPParser.parse($0) }
    }

    static let invite = [
        "INVITE sip:bob@b.example SIP/2.0",
        "v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-1, SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK-0",
        "VIA: SIP/2.0/UDP 10.0.0.8;branch=z9hG4bK-x",
        "f: \"Alice, A.\" <sip:alice@a.example:5070;transport=udp>;tag=\"a\\\"1\"",
        "To:   <tel:+15551234>  ",
        "i: abc@10.0.0.1",
        "CSeq:  7   invite",
        "User-Agent: phone/1.0",
        "X-Padding: one",
        "  two,",
        "\tthree",
        "l: 4",
    ]

    @Test func headerNamesMatchIgnoringCaseAndCompactFormsAreTheirLongNames() throws {
        let message = try Self.parse(Self.invite, body: "v=0\r\n")
        #expect(message.callID == "abc@10.0.0.1")
        #expect(message.header(.userAgent) == "phone/1.0")
        #expect(message.header(.to) == "<tel:+15551234>")
        #expect(message.contentLength == 4)
        #expect(Array(message.body) == Array("v=0\r".utf8))
        #expect(message.bodyShortBy == 0)
    }

    @Test func listsSplitOutsideQuotesAndTheTopViaNamesTheTransaction() throws {
        let message = try Self.parse(Self.invite)
        #expect(
            message.headerValues(.via) == [
                "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-1", "SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK-0",
                "SIP/2.0/UDP 10.0.0.8;branch=z9hG4bK-x",
            ])
        #expect(message.viaCount == 3)
        #expect(message.topViaBranch == "z9hG4bK-1")
    }

    @Test func nameAddressesGiveTheirURIAddressOfRecordAndUnquotedTag() throws {
        let message = try Self.parse(Self.invite)
        #expect(message.uri(.from) == "sip:alice@a.example:5070;transport=udp")
        #expect(message.addressOfRecord(.from) == "alice@a.example")
        #expect(message.fromTag == "a\"1")
        #expect(message.addressOfRecord(.to) == "+15551234")
        #expect(message.toTag == nil)
    }

    /// A quoted display name is unquoted, a token display name taken as written; a `<` inside the
    /// quotes is text, not the start of the URI (hostile-headers.pcap's Eve).
    @Test func displayNamesAreQuotedStringsOrTokensBeforeTheURI() throws {
        #expect(try Self.parse(Self.invite).displayName(.from) == "Alice, A.")
        #expect(try Self.parse(Self.invite).displayName(.to) == nil)
        let cases: [(header: String, display: String?, aor: String)] = [
            ("From: Bob Smith <sip:bob@b.example>;tag=1", "Bob Smith", "bob@b.example"),
            ("From: \"Eve <script>\\\" x\" <sip:eve@e.example>", "Eve <script>\" x", "eve@e.example"),
            ("From: \"\" <sip:anon@a.example>", nil, "anon@a.example"),
            ("From: sip:carol@c.example;tag=2", nil, "carol@c.example"),
            // An unclosed quote is no quoted string: the name is what stands before the URI.
            ("From: \"unclosed <sip:dave@d.example>", "\"unclosed", "dave@d.example"),
        ]
        for (header, display, aor) in cases {
            let message = try Self.parse(["OPTIONS sip:b SIP/2.0", header])
            #expect(message.displayName(.from) == display, "\(header)")
            #expect(message.addressOfRecord(.from) == aor, "\(header)")
        }
    }

    @Test func cseqIsANumberAndAnUpperCaseMethod() throws {
        let message = try Self.parse(Self.invite)
        #expect(message.cseq?.number == 7)
        #expect(message.cseq?.method == "INVITE")
        for bad in ["CSeq: 7", "CSeq: -1 INVITE", "CSeq: 99999999999 INVITE", "CSeq: 1 INVITE extra"] {
            #expect(try Self.parse(["OPTIONS sip:b SIP/2.0", bad]).cseq == nil, "\(bad)")
        }
    }

    @Test func foldedLinesContinueTheirHeader() throws {
        let lines = [
            "SIP/2.0 486 Busy Here", "Call-ID: x", "Reason: SIP;cause=486", " ;text=\"Busy\"", "Content-Length:", "  0",
            "   ",
        ]
        let message = try Self.parse(lines, body: "ignored")
        #expect(message.header(.reason) == "SIP;cause=486 ;text=\"Busy\"")
        #expect(message.contentLength == 0)
        #expect(message.body.isEmpty)
        #expect(message.statusCode == 486)
    }

    @Test func aBodyShorterThanItsContentLengthIsMeasured() throws {
        let message = try Self.parse(["MESSAGE sip:b SIP/2.0", "Call-ID: x", "Content-Length: 10"], body: "abc")
        #expect(Array(message.body) == Array("abc".utf8))
        #expect(message.bodyShortBy == 7)
    }

    @Test func startLinesGiveMethodAndURIOrCodeAndReason() throws {
        #expect(try Self.parse(Self.invite).startLine == .request(method: "INVITE", uri: "sip:bob@b.example"))
        let response = try Self.parse(["SIP/2.0 183 Session  Progress ", "Call-ID: x"])
        #expect(response.startLine == .response(code: 183, reason: "Session  Progress"))
        #expect(response.startLineText == "SIP/2.0 183 Session  Progress ")
        #expect(try Self.parse(["SIP/2.0 200", "Call-ID: x"]).startLine == .response(code: 200, reason: ""))
    }

    @Test func startLinesOutsideTheGrammarAreRefused() {
        #expect(throws: SIPParseError.badStartLine("SIP/2.0 700 Beyond")) {
            try Self.parse(["SIP/2.0 700 Beyond", "Call-ID: x"])
        }
        #expect(throws: SIPParseError.notSIP) { try Self.parse(["GET / HTTP/1.1", "Host: x"]) }
        #expect(throws: SIPParseError.notSIP) { try Self.parse(["INVITE sip:b SIP/3.0", "Call-ID: x"]) }
        #expect(throws: SIPParseError.notSIP) { try Self.parse(["invite sip:b SIP/2.0", "Call-ID: x"]) }
    }

    /// A datagram cut inside its last header line keeps the lines before it; on a stream the
    /// message is incomplete until its blank line.
    @Test func aDatagramCutInsideItsHeadersKeepsTheWholeLines() throws {
        let text = "SIP/2.0 603 Decline\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Len"
        let message = try Array(text.utf8).withUnsafeBytes { try SIPParser.parse($0) }
        #expect(message.truncatedHeaders)
        #expect(message.callID == "x")
        #expect(message.cseq?.method == "INVITE")
        #expect(throws: SIPParseError.missingHeaderEnd) {
            try Array(text.utf8).withUnsafeBytes { try SIPParser.parse($0, requireHeaderEnd: true) }
        }
    }

    @Test func malformedHeaderLinesAreRefused() {
        #expect(throws: SIPParseError.badHeaderLine(2)) {
            try Self.parse(["OPTIONS sip:b SIP/2.0", "No colon here"])
        }
        #expect(throws: SIPParseError.badHeaderLine(3)) {
            try Self.parse(["OPTIONS sip:b SIP/2.0", "Call-ID: x", "Bad Name: y"])
        }
    }
}
