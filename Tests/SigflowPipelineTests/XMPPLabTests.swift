import Foundation
import SigflowCore
import SigflowPipeline
import SigflowTestSupport
import Testing

/// The XMPP lab captures (real Prosody and slixmpp clients, captures/lab/xmpp/) give the call,
/// devices, steps in order, outcomes and findings their expect files record.
struct XMPPLabTests {
    static let folder = Paths.captures.appendingPathComponent("lab/xmpp")
    static let server = "xmpp server 127.0.0.1:5222"

    static let names: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return files.filter { $0.hasSuffix(".expect.json") }.map { String($0.dropLast(12)) }.sorted()
    }()

    struct Expected {
        var callID: String
        var method: String?
        var outcome: String
        var caller: String
        /// Callee full JID -> outcome.
        var devices: [String: String]
        /// Every stanza occurrence in capture order: `frame label sender -> receiver (origin, carbon)`.
        var steps: [String]
        var findings: [String]
        /// RTP streams on the wire: `src -> dst: N packets, frames F-L`.
        var media: [String]
    }

    static func expected(_ name: String) throws -> Expected {
        let document = try Paths.loadJSON(folder.appendingPathComponent("\(name).expect.json")) as! [String: Any]
        var jids: [String: String] = [:]
        for connection in document["connections"] as! [[String: Any]] {
            jids[connection["device"] as! String] = connection["jid"] as? String
        }
        let call = (document["calls"] as! [[String: Any]])[0]
        var devices: [String: String] = [:]
        for device in call["devices"] as! [[String: String]] { devices[device["jid"]!] = device["outcome"]! }
        let steps = (call["stanzas"] as! [[String: Any]]).map { stanza -> String in
            let device = jids[stanza["connection"] as! String]!
            let hop =
                stanza["direction"] as! String == "to-server" ? "\(device) -> \(server)" : "\(server) -> \(device)"
            let origin = stanza["from"] as! String
            let carbon = stanza["carbon"] as? String ?? "-"
            return "\(stanza["frame"] as! Int) \(label(stanza)) \(hop) (from \(origin), carbon \(carbon))"
        }
        return Expected(
            callID: call["call_id"] as! String, method: call["method"] as? String, outcome: call["outcome"] as! String,
            caller: (call["caller"] as! [String: String])["jid"]!, devices: devices, steps: steps,
            findings: (call["findings"] as! [String]).sorted(),
            media: LabMedia.expected(call))
    }

    /// The label sigflow gives a stanza, from the expect file's decoded fields.
    static func label(_ stanza: [String: Any]) -> String {
        let element = stanza["element"] as! String
        if let answers = stanza["answers"] as? String {
            let errors = stanza["error"] as? [String] ?? []
            return "\(element) (\(answers))" + (errors.isEmpty ? "" : ": " + errors.joined(separator: ", "))
        }
        if let detail = stanza["reason"] as? String ?? stanza["info"] as? String { return "\(element) <\(detail)/>" }
        return element
    }

    static func run(_ name: String) throws -> CallsResult {
        try CallsJob.run(PipelineConfiguration(inputs: [.file(folder.appendingPathComponent("\(name).pcap").path)]))
    }

    @Test func labCapturesArePresent() {
        #expect(
            Self.names == [
                "jingle-accept-terminate", "jingle-decline", "jmi-reject", "jmi-reject-busy", "jmi-reject-no-reason",
                "jmi-retract", "x1-reject-without-propose",
                "x13-media-after-terminate", "x2-proceed-after-reject", "x5-accept-after-terminate",
                "x7-initiator-declines",
            ])
    }

    @Test(arguments: names)
    func callStepsOutcomesAndFindings(name: String) throws {
        let expected = try Self.expected(name)
        let result = try Self.run(name)
        #expect(result.calls.count == 1, "\(name): one call and nothing else")
        #expect(!result.diagnostics.entries.contains { $0.severity >= .warning }, "\(result.diagnostics.entries)")
        let call = try #require(result.calls.first)
        #expect(call.signalingProtocol == .xmpp)
        #expect(call.callID == expected.callID)
        // Without a propose there is no offer: the call's method is the protocol's call word.
        #expect(call.method == expected.method ?? "jingle")
        #expect(call.outcome.rawValue == expected.outcome, "\(name): outcome")
        LabMedia.expectMatches(call, expected.media, name: name)
        let steps = call.steps.filter { !LabMedia.isMedia($0) }.map { step in
            let message = step.message
            return
                "\(step.sightings[0].source.frame) \(message.label) \(message.sender.key) -> \(message.receiver.key) "
                + "(from \(message.attribute("origin") ?? "?"), carbon \(message.attribute("carbon") ?? "-"))"
        }
        #expect(steps == expected.steps, "\(name): steps")
        let numbers = call.findings.map { $0.ruleID.split(separator: ".")[1] }.map(String.init).sorted()
        #expect(numbers == expected.findings, "\(name): findings \(call.findings.map(\.message))")

        let devices = Dictionary(
            uniqueKeysWithValues: call.participants.flatMap(\.devices).map { ($0.key.description, $0.outcome.rawValue) }
        )
        let ids = call.participants.map(\.id)
        #expect(call.caller?.partyKey.description == expected.caller)
        #expect(Set(ids).count == ids.count, "\(name): participant ids \(ids)")
        #expect(devices == expected.devices, "\(name): device outcomes")
        // With no offer nothing rang: no callee lifelines to name.
        guard !expected.devices.isEmpty else { return }
        #expect(ids == ["caller", "server", "callee1", "callee2"])
        #expect(call.participants.first { $0.id == "server" }?.partyKey.description == Self.server)
        let callees = call.participants.filter { $0.role == .callee }
        #expect(callees.allSatisfy { $0.user == "bob@lab.example" && $0.devices.count == 1 })
    }

    @Test(.enabled(if: Paths.hasPublicCorpus, "../shared/captures-public is absent"))
    func publicJabberCaptureHasNoCallsAndNoErrors() throws {
        let result = try CallsJob.run(PipelineConfiguration(inputs: [.file(Paths.publicCapture("ndpi/jabber.pcap"))]))
        #expect(result.calls.isEmpty)
        #expect(!result.diagnostics.hasErrors)
        let xmpp = result.diagnostics.entries.filter { $0.name.hasPrefix("xmpp_") && $0.severity >= .warning }
        #expect(xmpp.isEmpty, "\(xmpp)")
    }
}
