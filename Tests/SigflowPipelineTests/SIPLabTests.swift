import Foundation
import SigflowCore
import SigflowPipeline
import Testing

/// The SIP lab captures (real sipp and kamailio on loopback, captures/lab/sip/) give exactly the
/// calls, messages, outcomes, device fates and findings their expect files record.
struct SIPLabTests {
    static let folder = Paths.captures.appendingPathComponent("lab/sip")

    static let names: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return files.filter { $0.hasSuffix(".expect.json") }.map { String($0.dropLast(12)) }.sorted()
    }()

    struct Row: Equatable, CustomStringConvertible {
        var frame: Int
        var source: String
        var destination: String
        var label: String
        var retransmission: Bool

        var description: String { "\(frame) \(source)->\(destination) \(label)\(retransmission ? " (retx)" : "")" }
    }

    /// Every copy of every step the capture holds, in frame order (several messages in one TCP
    /// segment keep their order); inferred steps are not in the capture.
    static func rows(of call: Call) -> [Row] {
        var rows: [(SourceRef, Int, Row)] = []
        for step in call.steps where step.message.confidence != .inferred {
            for (sighting, retransmission) in [(step.sightings[0], false)] + step.retransmissions.map({ ($0, true) }) {
                rows.append(
                    (
                        sighting.source, step.number,
                        Row(
                            frame: sighting.source.frame, source: step.message.sender.endpoint?.description ?? "?",
                            destination: step.message.receiver.endpoint?.description ?? "?", label: step.message.label,
                            retransmission: retransmission)
                    ))
            }
        }
        return rows.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
    }

    @Test func labCapturesArePresent() {
        #expect(Self.names.count >= 49)
    }

    @Test(arguments: names)
    func callsMessagesOutcomesAndFindings(name: String) throws {
        let document = try Paths.loadJSON(Self.folder.appendingPathComponent("\(name).expect.json")) as! [String: Any]
        let result = try CallsJob.run(
            PipelineConfiguration(inputs: [.file(Self.folder.appendingPathComponent("\(name).pcap").path)]))
        let expectedCalls = document["calls"] as! [[String: Any]]
        #expect(
            Set(result.calls.map(\.callID)) == Set(expectedCalls.map { $0["call_id"] as! String }),
            "\(name): Call-IDs")
        for expected in expectedCalls {
            let callID = expected["call_id"] as! String
            let call = try #require(result.calls.first { $0.callID == callID }, "\(name): call \(callID)")
            if let method = expected["method"] as? String { #expect(call.method == method, "\(name): method") }
            if let outcome = expected["outcome"] as? String {
                #expect(call.outcome.rawValue == outcome, "\(name) \(callID): outcome")
            }
            let messages = (expected["messages"] as? [[String: Any]] ?? []).map {
                Row(
                    frame: $0["frame"] as! Int, source: $0["src"] as! String, destination: $0["dst"] as! String,
                    label: $0["label"] as! String, retransmission: $0["retransmission"] as? Bool ?? false)
            }
            #expect(Self.rows(of: call) == messages, "\(name) \(callID): messages")
            // Hops the capture lacks but the call's later messages prove: inferred steps, nothing else.
            let inferred = call.steps.filter { $0.message.confidence == .inferred }.map {
                "\($0.message.sender.endpoint?.description ?? "?")>\($0.message.receiver.endpoint?.description ?? "?") "
                    + $0.message.label
            }
            let missing = (expected["inferred"] as? [[String: String]] ?? []).map {
                "\($0["src"]!)>\($0["dst"]!) \($0["label"]!)"
            }
            #expect(inferred == missing, "\(name) \(callID): inferred steps")
            for device in expected["devices"] as? [[String: Any]] ?? [] {
                let endpoint = device["endpoint"] as! String
                let participant = call.participants.first { $0.endpoints.contains { $0.description == endpoint } }
                #expect(
                    participant?.outcome?.rawValue == device["outcome"] as? String,
                    "\(name) \(callID): device \(endpoint)")
            }
            let planted = Set(expected["findings"] as? [String] ?? [])
            let found = Set(
                call.findings.compactMap { $0.ruleID.split(separator: ".").dropFirst().first.map(String.init) })
            #expect(found == planted, "\(name) \(callID): findings \(call.findings.map(\.ruleID))")
            if let linked = expected["linked_calls"] as? [String] {
                #expect(call.linkedCallIDs == linked, "\(name) \(callID): linked legs")
            }
        }
    }

    /// `sigflow calls` keeps only summaries; it must link the same legs as the full model does.
    @Test(arguments: names)
    func summariesLinkTheSameLegs(name: String) throws {
        let document = try Paths.loadJSON(Self.folder.appendingPathComponent("\(name).expect.json")) as! [String: Any]
        let expectedCalls = (document["calls"] as! [[String: Any]]).filter { $0["linked_calls"] != nil }
        guard !expectedCalls.isEmpty else { return }
        let result = try CallsJob.run(
            PipelineConfiguration(
                inputs: [.file(Self.folder.appendingPathComponent("\(name).pcap").path)], detail: .summary))
        for expected in expectedCalls {
            let callID = expected["call_id"] as! String
            let summary = try #require(result.summaries.first { $0.callID == callID }, "\(name): call \(callID)")
            #expect(summary.linkedCallIDs == expected["linked_calls"] as! [String], "\(name) \(callID)")
        }
    }
}
