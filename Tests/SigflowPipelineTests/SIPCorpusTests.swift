import Foundation
import SigflowCore
import SigflowPipeline
import SigflowTestSupport
import Testing

/// Every SIP message tshark finds in the public corpus, sigflow finds too: the same Call-IDs in the
/// same order, and per call the same messages (frame, label, endpoints) in the same order. The
/// expected answers were computed once with tshark 4.0 (`scripts/tshark-truth`) and stored in
/// `Tests/Truth/sip.json`.
@Suite(.enabled(if: Paths.hasPublicCorpus, "../shared/captures-public is absent: corpus tests skipped"))
struct SIPCorpusTests {
    struct Expected {
        var callIDs: [String]
        var messages: [String: [MessageRow]]
    }

    struct MessageRow: Equatable, CustomStringConvertible {
        var frame: Int
        var label: String
        var source: String
        var destination: String

        var description: String { "\(frame) \(source)->\(destination) \(label)" }
    }

    static let truth: [String: Expected] = {
        guard let document = try? Paths.loadJSON(Paths.truth.appendingPathComponent("sip.json")) as? [String: Any],
            let captures = document["captures"] as? [String: [String: Any]]
        else { return [:] }
        var result: [String: Expected] = [:]
        for (path, capture) in captures {
            let calls = capture["calls"] as? [[String: Any]] ?? []
            var messages: [String: [MessageRow]] = [:]
            for call in calls {
                let id = call["call_id"] as! String
                messages[id] = (call["messages"] as! [[String: Any]]).map {
                    MessageRow(
                        frame: $0["frame"] as! Int, label: $0["label"] as! String, source: $0["src"] as! String,
                        destination: $0["dst"] as! String)
                }
            }
            result[path] = Expected(callIDs: capture["call_ids"] as? [String] ?? [], messages: messages)
        }
        return result
    }()

    static let capturePaths = truth.keys.sorted()

    /// All copies of all SIP steps of a call, in frame order (media steps are not SIP messages:
    /// `rtpStreamOfAPublicCall` pins them).
    static func rows(of call: Call) -> [MessageRow] {
        var rows: [(SourceRef, Int, MessageRow)] = []
        for step in call.steps where step.message.kind != .media {
            for sighting in [step.sightings[0]] + step.retransmissions {
                rows.append(
                    (
                        sighting.source, step.number,
                        MessageRow(
                            frame: sighting.source.frame, label: step.message.label,
                            source: step.message.sender.endpoint?.description ?? "?",
                            destination: step.message.receiver.endpoint?.description ?? "?")
                    ))
            }
        }
        return rows.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
    }

    /// Wireshark's sample call with G.722 audio: the one RTP stream `tshark -z rtp,streams` lists
    /// (10.0.2.15:17472 -> 10.0.2.20:6000, 425 packets, 0.023-8.503 s) is one start/stop pair from
    /// the callee to the caller, between the ACK and the BYE, ending before the BYE: no S18.
    @Test func rtpStreamOfAPublicCall() throws {
        let result = try CallsJob.run(
            PipelineConfiguration(inputs: [.file(Paths.publicCapture("wireshark-samples/sip-rtp-g722.pcap"))]))
        let call = try #require(result.calls.first)
        let media = call.steps.filter { $0.message.kind == .media }
        #expect(
            media.map { "\($0.number) \($0.sightings[0].source.frame) \($0.from)->\($0.to) \($0.message.label)" } == [
                "5 6 callee->caller RTP starts", "6 430 callee->caller RTP stops: 425 packets in 8.5 s",
            ])
        #expect(media.allSatisfy { $0.message.confidence == .observed })
        #expect(media[1].message.attribute("media-from") == "10.0.2.15:17472")
        #expect(media[1].message.sender.endpoint?.description == "10.0.2.15:17472")
        #expect(media[1].message.receiver.endpoint?.description == "10.0.2.20:6000")
        #expect(call.steps.map(\.message.label).suffix(2) == ["BYE", "200 OK"])
        #expect(call.findings.isEmpty)
    }

    @Test(arguments: capturePaths)
    func callIDsAndMessagesMatchTshark(path: String) throws {
        let expected = try #require(Self.truth[path])
        let result = try CallsJob.run(PipelineConfiguration(inputs: [.file(Paths.publicCapture(path))]))
        let sip = result.calls.filter { $0.signalingProtocol == .sip }
        let byFirstFrame = sip.sorted {
            Self.rows(of: $0).first.map(\.frame) ?? 0 < Self.rows(of: $1).first.map(\.frame) ?? 0
        }
        #expect(byFirstFrame.map(\.callID) == expected.callIDs, "Call-IDs of \(path)")
        for call in sip {
            let want = expected.messages[call.callID] ?? []
            let got = Self.rows(of: call)
            #expect(got == want, "messages of \(call.callID) in \(path)")
        }
    }
}
