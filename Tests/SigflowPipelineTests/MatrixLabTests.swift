import Foundation
import SigflowCore
import SigflowPipeline
import Testing

/// The Matrix lab captures (real Synapse and matrix-nio clients, captures/lab/matrix/) give the call,
/// devices, steps, outcomes and findings their expect files record.
struct MatrixLabTests {
    static let folder = Paths.captures.appendingPathComponent("lab/matrix")

    static let names: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return files.filter { $0.hasSuffix(".expect.json") }.map { String($0.dropLast(12)) }.sorted()
    }()

    struct Expected {
        var callID: String
        var outcome: String
        var caller: String
        var devices: [String: String]
        /// (frame, label, sender lifeline, receiver lifeline) of every step but the sender's own echo.
        var steps: Set<String>
        var findings: Set<String>
        var encrypted: Bool
        /// RTP streams on the wire: `src -> dst: N packets, frames F-L`.
        var media: [String]
    }

    static func expected(_ name: String) throws -> Expected {
        let document = try Paths.loadJSON(folder.appendingPathComponent("\(name).expect.json")) as! [String: Any]
        let call = (document["calls"] as! [[String: Any]])[0]
        let callerInfo = call["caller"] as! [String: String]
        var devices: [String: String] = [:]
        for device in call["devices"] as! [[String: String]] {
            devices["\(device["user"]!)/\(device["device"]!)"] = device["outcome"]!
        }
        let url = (document["server"] as! [String: Any])["homeserver"] as! String
        let server = "homeserver \(url.replacingOccurrences(of: "http://", with: ""))"
        var steps: Set<String> = []
        var encrypted = false
        for event in call["events"] as! [[String: Any]] {
            let type = event["wire_type"] as? String ?? event["type"] as! String
            encrypted = encrypted || event["wire_type"] != nil
            let sender = "\(event["sender"] as! String)/\(event["device"] as! String)"
            steps.insert("\(event["first_frame"] as! Int) \(type) \(sender) -> \(server)")
            for delivery in event["deliveries"] as! [[String: Any]] where delivery["unsigned_transaction_id"] == nil {
                let device = delivery["device"] as! String
                let user = device.hasPrefix("alice") ? "@alice:localhost" : "@bob:localhost"
                steps.insert("\(delivery["first_frame"] as! Int) \(type) \(server) -> \(user)/\(device)")
            }
        }
        let planted = (call["findings"] as! [String]) + (call["info_findings"] as? [String] ?? [])
        return Expected(
            callID: call["call_id"] as! String, outcome: call["outcome"] as! String,
            caller: "\(callerInfo["user"]!)/\(callerInfo["device"]!)", devices: devices, steps: steps,
            findings: Set(planted), encrypted: encrypted, media: LabMedia.expected(call))
    }

    static func run(_ name: String) throws -> CallsResult {
        try CallsJob.run(PipelineConfiguration(inputs: [.file(folder.appendingPathComponent("\(name).pcap").path)]))
    }

    @Test func labCapturesArePresent() {
        #expect(Self.names.count >= 12)
    }

    @Test(arguments: names)
    func callStepsOutcomesAndFindings(name: String) throws {
        let expected = try Self.expected(name)
        let result = try Self.run(name)
        let matrix = result.calls.filter { $0.signalingProtocol == .matrix }
        #expect(matrix.count == 1, "\(name): one call")
        let call = try #require(matrix.first)
        LabMedia.expectMatches(call, expected.media, name: name)
        let steps = Set(
            call.steps.filter { !LabMedia.isMedia($0) }.map { step in
                "\(step.sightings[0].source.frame) \(step.message.label) \(step.message.sender.key) -> \(step.message.receiver.key)"
            })
        #expect(steps == expected.steps, "\(name): steps")
        if expected.encrypted {
            // End-to-end encryption hides call_id and type: the events stay opaque, the call unknown.
            #expect(call.callID.hasPrefix("encrypted events in "))
            #expect(call.steps.allSatisfy { $0.message.label == "m.room.encrypted" })
            return
        }
        #expect(call.callID == expected.callID)
        #expect(call.outcome.rawValue == expected.outcome, "\(name): outcome")
        #expect(call.caller?.partyKey.description == expected.caller)
        let devices = Dictionary(
            uniqueKeysWithValues: call.participants.filter { $0.role == .callee }.map {
                ($0.partyKey.description, $0.outcome?.rawValue ?? "none")
            })
        #expect(devices == expected.devices, "\(name): device outcomes")
        let numbers = Set(
            call.findings.compactMap { $0.ruleID.split(separator: ".").dropFirst().first.map(String.init) })
        #expect(numbers == expected.findings, "\(name): findings \(call.findings.map(\.ruleID))")
    }
}
