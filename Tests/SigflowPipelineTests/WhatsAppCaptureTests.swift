import Foundation
import SigflowCore
import SigflowPipeline
import SigflowTestSupport
import Testing

/// Captures of WhatsApp clients: the encrypted signaling connection, relay STUN and call media become
/// a timeline of inferred steps; with a log of the same device, the log's stanzas land on the
/// capture's clock and rule W12 sees media that outlives a reject.
struct WhatsAppCaptureTests {
    static func run(_ paths: [String]) throws -> CallsResult {
        try CallsJob.run(PipelineConfiguration(inputs: paths.map { .file($0) }))
    }

    static func events(_ call: Call) -> [String] {
        call.steps.compactMap { step in
            step.message.attribute("pcap-event").map { "\(step.sightings[0].source.frame) \($0)" }
        }
    }

    static func timeline(_ path: String) throws -> (CallsResult, Call) {
        let result = try run([path])
        let calls = result.calls.filter { $0.signalingProtocol == .whatsapp }
        #expect(calls.count == 1)
        let call = try #require(calls.first)
        #expect(result.inputError == nil)
        #expect(!result.diagnostics.entries.contains { $0.severity == .error })
        #expect(call.steps.allSatisfy { $0.message.confidence == .inferred })
        return (result, call)
    }

    @Test(.enabled(if: Paths.hasPublicCorpus)) func whatsappLoginCall() throws {
        let (_, call) = try Self.timeline(Paths.publicCapture("ndpi/whatsapp_login_call.pcap"))
        #expect(call.callID == "encrypted 192.168.2.4")
        #expect(call.steps.count == 33)
        #expect(call.steps.first?.message.label == "connect (WA chat protocol 1.5): 16 up, 17 down")
        #expect(
            Self.events(call).filter { !["burst", "connect", "close"].contains($0.split(separator: " ")[1]) } == [
                "219 allocation", "310 media-start", "334 peer-check", "338 peer-check", "342 media-start",
                "345 media-stop", "817 relay-0800", "843 media-stop", "871 allocation", "936 media-start",
                "944 peer-check", "951 peer-check", "967 media-stop", "969 media-start", "1178 relay-0800",
                "1186 media-stop",
            ])
        #expect(
            call.participants.map(\.id) == ["caller", "server", "server2", "server3", "server4", "server5", "server6"])
    }

    @Test(.enabled(if: Paths.hasPublicCorpus)) func whatsappVoiceAndMessage() throws {
        let (_, call) = try Self.timeline(Paths.publicCapture("ndpi/whatsapp_voice_and_message.pcap"))
        #expect(call.callID == "encrypted 10.8.0.1")
        #expect(call.steps.count == 20)
        // Five chat connections (on 443 and 5222), a relay allocation and no media at all.
        #expect(Self.events(call).filter { $0.hasSuffix(" connect") }.count == 5)
        #expect(Self.events(call).filter { $0.hasSuffix(" allocation") } == ["26 allocation"])
        #expect(!call.steps.contains { $0.message.attribute("media-event") != nil })
        #expect(call.openQuestions.contains { $0.hasPrefix("No call media is seen") })
    }

    @Test(.enabled(if: Paths.hasPublicCorpus)) func stunWhatsAppCall() throws {
        let (_, call) = try Self.timeline(Paths.publicCapture("ndpi/stun_wa_call.pcapng"))
        #expect(call.callID == "encrypted 192.168.12.156")
        #expect(
            Self.events(call) == [
                "1 allocation", "21 media-start", "408 media-stop", "409 relay-0800", "414 allocation",
                "504 media-start",
                "531 peer-check", "535 peer-check", "548 media-stop", "549 media-start", "560 media-stop",
                "587 relay-0800",
            ])
        #expect(call.steps[2].message.label == "media stops via relay 93.57.123.227:3478: 340 packets in 29.3 s")
    }

    static let pcaps = Paths.captures.appendingPathComponent("whatsapp-pcap")
    static let callerLog = Paths.captures.appendingPathComponent("whatsapp/seed-reject/caller.log").path

    @Test func mediaAfterRejectIsFlagged() throws {
        let result = try Self.run([Self.callerLog, Self.pcaps.appendingPathComponent("media-after-reject.pcap").path])
        // The capture's timeline joins the caller's call: one call, the log on the capture's clock.
        let calls = result.calls.filter { $0.signalingProtocol == .whatsapp }
        #expect(calls.map(\.callID) == ["C4E3C0E4F30BE92FA7C49FB5DC68E397"])
        let call = try #require(calls.first)
        #expect(call.outcome == .declined)
        #expect(call.findings.map(\.ruleID) == ["whatsapp.W12.media-after-end"])
        let offer = try #require(call.steps.first { $0.message.label == "call-offer" })
        // caller.log says 14:07:12.104; the capture's clock is 2.3 s ahead (+12 ms network delay).
        #expect(offer.time.iso8601 == "2026-03-12T14:07:14.416Z")
        #expect(call.participants.first { $0.role == .caller }?.partyKey == .name("4915112345678:7@s.whatsapp.net"))
        #expect(call.steps.contains { $0.message.attribute("media-event") == "stop" && $0.from == "caller" })
    }

    @Test func mediaThatStopsWithTheRejectIsNot() throws {
        let result = try Self.run([Self.callerLog, Self.pcaps.appendingPathComponent("media-stops.pcap").path])
        let call = try #require(result.calls.first { $0.callID == "C4E3C0E4F30BE92FA7C49FB5DC68E397" })
        #expect(call.findings.isEmpty)
        #expect(call.steps.contains { $0.message.attribute("media-event") == "stop" })
    }

    @Test func aCaptureAloneIsATimeline() throws {
        let (_, call) = try Self.timeline(Self.pcaps.appendingPathComponent("media-after-reject.pcap").path)
        #expect(call.callID == "encrypted 192.168.1.20")
        #expect(call.findings.isEmpty)
    }
}
