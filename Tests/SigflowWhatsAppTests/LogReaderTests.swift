import SigflowCore
import Testing

@testable import SigflowWhatsApp

/// The three log formats read from the fixtures, with their lines, directions, times and devices.
struct LogReaderTests {
    let decoder = WhatsAppLogDecoder()

    func summary(_ sink: CollectingSink) -> [String] {
        sink.messages.map {
            "\($0.stamp.source.frame) \($0.waLog?.direction?.rawValue ?? "?") \($0.label) \($0.stamp.time.iso8601)"
        }
    }

    @Test func whatsmeowTextWithColourAndIndentedXML() throws {
        let sink = try decoder.run("seed-reject/caller.log")
        #expect(
            summary(sink) == [
                "4 send call-offer 2026-03-12T14:07:12.104Z",
                "25 recv call-ack (offer) 2026-03-12T14:07:12.391Z",
                "31 recv call-reject 2026-03-12T14:07:17.061Z",
                "32 send call-ack (reject) 2026-03-12T14:07:17.063Z",
                "33 send call-terminate rejected_elsewhere 2026-03-12T14:07:17.071Z",
                "34 recv call-ack (terminate) 2026-03-12T14:07:17.298Z",
            ])
        let offer = sink.messages[0]
        #expect(offer.sender.key == .name("4915112345678:7@s.whatsapp.net"))
        #expect(offer.sender.agent == "whatsmeow")
        #expect(offer.receiver.key == .name("s.whatsapp.net"))
        #expect(offer.receiver.isServer)
        #expect(offer.kind == .offer)
        #expect(offer.callID == "C4E3C0E4F30BE92FA7C49FB5DC68E397")
        #expect(offer.waLog?.destinations == ["447700900123@s.whatsapp.net", "447700900123:24@s.whatsapp.net"])
        #expect(
            offer.identity
                == WAStanzaMapper.hopIdentity(.send, stanza: "call", id: "3EB0BD9F29F4A4FA23C147", action: "offer"))
        let reject = sink.messages[2]
        #expect(reject.sender.key == .name("s.whatsapp.net"))
        #expect(reject.senderDevice?.name == "447700900123@s.whatsapp.net")
        #expect(reject.kind == .reject)
        #expect(reject.outcome == .declined)
        #expect(
            reject.identity == WAStanzaMapper.hopIdentity(.recv, stanza: "call", id: "41238.20561-9", action: "reject"))
        #expect(sink.messages[5].callID == "C4E3C0E4F30BE92FA7C49FB5DC68E397")
        #expect(sink.messages[4].elsewhere == .declined)
        #expect(sink.messages[4].receiverDevice?.name == "447700900123:24@s.whatsapp.net")
    }

    @Test func baileysPinoNamesItsDeviceFromFrom() throws {
        let sink = try decoder.run("seed-reject/callee-phone.jsonl")
        #expect(
            summary(sink) == [
                "1 recv call-offer 2026-03-12T14:07:12.495Z",
                "3 send call-ack (offer) 2026-03-12T14:07:12.507Z",
                "4 send call-reject 2026-03-12T14:07:16.941Z",
                "5 recv call-ack (reject) 2026-03-12T14:07:17.018Z",
            ])
        #expect(sink.messages.allSatisfy { $0.waLog?.logDevice == "447700900123@s.whatsapp.net" })
        #expect(sink.messages[2].sender.agent == "Baileys")
    }

    @Test func zerologWithoutOwnJIDGetsAPlaceholder() throws {
        let sink = try decoder.run("seed-reject/callee-desktop.log")
        #expect(
            summary(sink) == [
                "2 recv call-offer 2026-03-12T14:07:12.410Z",
                "3 send call-ack (offer) 2026-03-12T14:07:12.416Z",
                "4 recv call-terminate rejected_elsewhere 2026-03-12T14:07:17.173Z",
                "5 send call-ack (terminate) 2026-03-12T14:07:17.180Z",
            ])
        #expect(sink.messages[0].receiver.key == .name("device of callee-desktop.log"))
        #expect(sink.messages[0].waLog?.deviceNaming == .unnamed)
    }

    @Test func zerologIndentedXMLAndOffsets() throws {
        let sink = try decoder.run("timeout/callee-phone.log")
        #expect(summary(sink).first == "1 recv call-offer 2026-03-16T07:58:20.231Z")
        #expect(sink.messages.count == 6)
        #expect(sink.messages[2].label == "call-preaccept")
        #expect(sink.messages[2].kind == .ringing)
        #expect(sink.messages[4].outcome == .timedOut)
    }

    @Test func textLogTakesItsUTCOffsetFromT() throws {
        // accept-elsewhere/caller.log runs at UTC+01:00: 10:41:05.512 local is 09:41:05.512Z.
        let sink = try decoder.run("accept-elsewhere/caller.log")
        #expect(summary(sink).first == "3 send call-offer 2026-03-14T09:41:05.512Z")
        #expect(sink.messages[2].label == "call-receipt (offer)")
        #expect(sink.messages[3].label == "receipt-ack")
        #expect(sink.messages.count == 12)
    }

    @Test func textLogRollsOverMidnight() throws {
        let sink = try decoder.run("hostile/caller.log")
        #expect(
            summary(sink) == [
                "4 send call-offer 2026-03-25T23:59:58.990Z",
                "23 recv call-ack (offer) 2026-03-25T23:59:59.234Z",
                "29 recv call-reject 2026-03-26T00:00:03.092Z",
                "30 send call-ack (reject) 2026-03-26T00:00:03.094Z",
            ])
    }

    @Test func dateOptionDatesALogWithoutT() {
        let log = """
            23:59:59.500 [Client/Send DEBUG] <call id="1" to="44@s.whatsapp.net"><offer call-creator="49:7@s.whatsapp.net" call-id="C"/></call>
            00:00:01.250 [Client/Send DEBUG] <call id="2" to="44@s.whatsapp.net"><terminate call-creator="49:7@s.whatsapp.net" call-id="C"/></call>

            """
        let day = CaptureTime.daysSinceEpoch(year: 2026, month: 3, day: 12)
        let sink = CollectingSink()
        WhatsAppLogDecoder(date: day).decode(
            bytes: Array(log.utf8), fileName: "x.log", captureIndex: 0, into: sink)
        #expect(sink.messages.map(\.stamp.time.iso8601) == ["2026-03-12T23:59:59.500Z", "2026-03-13T00:00:01.250Z"])
        let undated = CollectingSink()
        WhatsAppLogDecoder().decode(bytes: Array(log.utf8), fileName: "x.log", captureIndex: 0, into: undated)
        #expect(undated.messages.first?.stamp.time.iso8601 == "1970-01-01T23:59:59.500Z")
        #expect(undated.diagnostics.map(\.name).contains("whatsapp_log_undated"))
    }

    @Test func baileysConsoleBlocksGiveTheRingingStatus() throws {
        let sink = try decoder.run("w13-baileys-ringing/callee-web.log")
        let statuses = sink.messages.filter { $0.waLog?.baileysStatus != nil }
        #expect(statuses.map(\.stamp.source.frame) == [27])
        #expect(statuses.first?.callID == "3D948A41ADBEB326EFFD47EAB171A716")
        #expect(sink.messages.filter { $0.waLog?.stanza != nil }.count == 6)
    }

    @Test func recognisesTheThreeFormatsAndNotCaptures() throws {
        for file in ["seed-reject/caller.log", "seed-reject/callee-phone.jsonl", "seed-reject/callee-desktop.log"] {
            #expect(decoder.recognizes(Array(try Fixture.bytes(file).prefix(4096))))
        }
        #expect(!decoder.recognizes([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]))
        #expect(!decoder.recognizes([0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0]))
        #expect(!decoder.recognizes(Array("{\"level\":\"info\",\"msg\":\"hello\"}\n".utf8)))
        #expect(!decoder.recognizes(Array("INVITE sip:bob@example.com SIP/2.0\r\n".utf8)))
    }

    @Test func otherJSONDocumentsAreNotLogs() throws {
        #expect(!decoder.recognizes(Array(try Fixture.bytes("seed-reject.expect.json").prefix(4096))))
    }

    @Test func rfc3339() {
        #expect(RFC3339.parse("2026-03-15T19:22:40.479277+01:00")?.iso8601 == "2026-03-15T18:22:40.479Z")
        #expect(RFC3339.parse("2026-03-22T17:05:58.310999-05:00")?.iso8601 == "2026-03-22T22:05:58.310Z")
        #expect(RFC3339.parse("2026-03-12T14:07:12Z")?.iso8601 == "2026-03-12T14:07:12.000Z")
        #expect(RFC3339.parse("2026-03-12T14:07:12.2Z")?.nanoseconds == 1_773_324_432_200_000_000)
        #expect(RFC3339.parse("2026-13-12T14:07:12Z") == nil)
        #expect(RFC3339.parse("yesterday") == nil)
    }
}
