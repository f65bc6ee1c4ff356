import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowWhatsApp

/// The hostile fixture (CRLF, ANSI colour, binary garbage, a fake tag in a WARN line, values full of
/// quotes, `<script>`, `-->>` and an escaped newline, a truncated last line) reads without a crash,
/// with diagnostics for what it skips; so does damage made on purpose.
struct HostileLogTests {
    let decoder = WhatsAppLogDecoder()

    @Test func callerLogWithCRLFGarbageAndFakeTags() throws {
        let sink = try decoder.run("hostile/caller.log")
        #expect(sink.messages.count == 4)
        #expect(sink.messages.allSatisfy { $0.callID == "DEADBEEF;#|-->>%%`id`<script>x</script>" })
        #expect(sink.messages[2].waLog?.stanzaID == "1.2-->>3")
        #expect(sink.diagnostics.filter { $0.name == "whatsapp_log_junk_line" }.map { $0.source?.frame } == [2])
    }

    @Test func pinoLogWithEscapedNewlineAndTruncatedLastLine() throws {
        let sink = try decoder.run("hostile/callee.jsonl")
        #expect(sink.messages.map(\.stamp.source.frame) == [1, 3, 4, 5])
        #expect(sink.messages[0].waLog?.root.platform == "web;#-->>")
        #expect(sink.messages[0].waLog?.root.version == "2.26.1|%%`uname -a`")
        #expect(sink.messages[2].waLog?.logDevice == "447700900123:12@s.whatsapp.net")
        #expect(sink.diagnostics.map(\.name) == ["whatsapp_log_truncated"])
        #expect(sink.diagnostics.first?.source?.frame == 6)
    }

    @Test(arguments: [
        "seed-reject/caller.log", "seed-reject/callee-phone.jsonl", "timeout/callee-phone.log",
        "w13-baileys-ringing/callee-web.log", "hostile/caller.log", "hostile/callee.jsonl",
    ])
    func cutAnywhereNeverCrashes(file: String) throws {
        let bytes = try Fixture.bytes(file)
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
            let sink = CollectingSink()
            decoder.decode(bytes: Array(bytes[..<cut]), fileName: "cut.log", captureIndex: 0, into: sink)
            #expect(sink.messages.allSatisfy { $0.stamp.source.frame >= 1 })
        }
    }

    @Test func garbageNeverCrashes() {
        var generator = SeededGenerator(seed: 7)
        let pieces = [
            "\r\n", "\n", "{", "}", "\"xml\":\"<call", "\"msg\":\"recv xml\"", "12:00:00.000 [Client/Recv DEBUG] ",
            "<call from='a' id='1'>", "<offer call-id=\"", "</call>", "\u{1b}[0m", "\\n", "\\\"", "\u{0}", "\u{fffd}",
            "recv call event [", "status: 'ringing'", "]", "<ack class=\"call\" id=\"1\"/>",
        ]
        for _ in 0..<300 {
            var text = ""
            for _ in 0..<Int.random(in: 0..<60, using: &generator) { text += pieces.randomElement(using: &generator)! }
            let sink = CollectingSink()
            decoder.decode(bytes: Array(text.utf8), fileName: "fuzz.log", captureIndex: 0, into: sink)
        }
    }
}
