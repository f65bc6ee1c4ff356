import Foundation
import SigflowCapture
import SigflowCore
import SigflowFraming
import SigflowPipeline
import Testing

/// Where the repository, its tshark truth and the shared public captures are, seen from this file.
enum Corpus {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let publicCaptures = repository.deletingLastPathComponent().appendingPathComponent("shared/captures-public")
    static let truthFile = repository.appendingPathComponent("Tests/Truth/conversations.json")

    static var isPresent: Bool { FileManager.default.fileExists(atPath: publicCaptures.path) }

    /// `captures[path]` of Tests/Truth/conversations.json (see Tests/Truth/README.md).
    static let truth: [String: CaptureTruth] = {
        guard let data = try? Data(contentsOf: truthFile),
            let file = try? JSONDecoder().decode(TruthFile.self, from: data)
        else { return [:] }
        return file.captures
    }()

    /// The captures the truth covers, for `@Test(arguments:)`; empty when the public corpus is not next
    /// to the repository (the tests are then skipped, saying why).
    static var captures: [String] { isPresent ? truth.keys.sorted() : [] }
}

struct TruthFile: Decodable {
    var captures: [String: CaptureTruth]
}

/// The conversation tables of one capture that this test uses.
struct CaptureTruth: Decodable, Sendable {
    var udp5Tuple: [TruthRow]
    var tcp: [TruthRow]

    enum CodingKeys: String, CodingKey {
        case udp5Tuple = "udp_5tuple"
        case tcp
    }
}

/// One row of tshark's conversation table, as `scripts/tshark-truth` stored it.
struct TruthRow: Decodable, Sendable {
    var a: String
    var b: String
    var framesAB: Int
    var bytesAB: Int
    var framesBA: Int
    var bytesBA: Int
    var payloadAB: Int
    var payloadBA: Int
    var firstEpoch: String
    var lastEpoch: String
    /// TCP only: the length of the union of the sequence ranges seen per direction (what reassembly
    /// delivers) and the holes in it.
    var uniqueAB: Int?
    var uniqueBA: Int?
    var holesAB: Int?
    var holesBA: Int?

    enum CodingKeys: String, CodingKey {
        case a, b
        case framesAB = "frames_ab"
        case bytesAB = "bytes_ab"
        case framesBA = "frames_ba"
        case bytesBA = "bytes_ba"
        case payloadAB = "payload_ab"
        case payloadBA = "payload_ba"
        case firstEpoch = "first_epoch"
        case lastEpoch = "last_epoch"
        case uniqueAB = "payload_unique_ab"
        case uniqueBA = "payload_unique_ba"
        case holesAB = "seq_holes_ab"
        case holesBA = "seq_holes_ba"
    }
}

/// One conversation in a form both sides can be compared in: endpoints as an unordered pair, and each
/// direction's counts keyed by its sender, so A/B order does not matter (see the test's comment).
struct Conversation: Hashable, CustomStringConvertible {
    struct Direction: Hashable {
        var frames: Int
        var bytes: Int
        var payload: Int
        /// TCP: bytes reassembly delivered (tshark: length of the union of sequence ranges).
        var delivered: Int?
        /// TCP: holes in the sequence space (tshark: gaps in that union; sigflow: gaps reported).
        var gaps: Int?
    }

    var transport: String
    var endpoints: Set<String>
    var bySender: [String: Direction]
    var first: String
    var last: String

    /// Counts keyed by sender. A conversation of an endpoint with itself (sip-rtp-*.pcap: FreeSWITCH
    /// sending to its own RTP port) has one sender: both columns are added up.
    static func directions(_ pairs: [(String, Direction)]) -> [String: Direction] {
        Dictionary(pairs) { first, second in
            Direction(
                frames: first.frames + second.frames, bytes: first.bytes + second.bytes,
                payload: first.payload + second.payload,
                delivered: first.delivered.map { $0 + (second.delivered ?? 0) } ?? second.delivered,
                gaps: first.gaps.map { $0 + (second.gaps ?? 0) } ?? second.gaps)
        }
    }

    var description: String {
        let sides = bySender.keys.sorted().map { sender -> String in
            let d = bySender[sender]!
            return
                "\(sender)-> \(d.frames)f \(d.bytes)B payload \(d.payload) delivered \(d.delivered.map(String.init) ?? "-")"
                + " gaps \(d.gaps.map(String.init) ?? "-")"
        }
        return "\(transport) [\(sides.joined(separator: "; "))] \(first)..\(last)"
    }
}

@Suite struct ConversationTruthTests {
    /// sigflow's conversations for one capture, through the same job `sigflow flows` runs.
    static func sigflow(_ capture: String) throws -> (conversations: [Conversation], flows: [FlowSummary]) {
        let path = Corpus.publicCaptures.appendingPathComponent(capture).path
        let result = try FlowsJob.run(PipelineConfiguration(inputs: [.file(path)]))
        #expect(result.inputError == nil, "\(capture): \(String(describing: result.inputError))")
        let conversations = result.flows.map { flow in
            Conversation(
                transport: flow.transport.description, endpoints: [flow.a.description, flow.b.description],
                bySender: Conversation.directions([
                    (
                        flow.a.description,
                        .init(
                            frames: flow.framesAToB, bytes: flow.bytesAToB, payload: flow.payloadBytesAToB,
                            delivered: flow.streamAToB.map { Int($0.deliveredBytes) }, gaps: flow.streamAToB?.gaps)
                    ),
                    (
                        flow.b.description,
                        .init(
                            frames: flow.framesBToA, bytes: flow.bytesBToA, payload: flow.payloadBytesBToA,
                            delivered: flow.streamBToA.map { Int($0.deliveredBytes) }, gaps: flow.streamBToA?.gaps)
                    ),
                ]), first: flow.first.epochString, last: flow.last.epochString)
        }
        return (conversations, result.flows)
    }

    static func truth(_ rows: [TruthRow], transport: String) -> [Conversation] {
        rows.map { row in
            Conversation(
                transport: transport, endpoints: [row.a, row.b],
                bySender: Conversation.directions([
                    (
                        row.a,
                        .init(
                            frames: row.framesAB, bytes: row.bytesAB, payload: row.payloadAB, delivered: row.uniqueAB,
                            gaps: row.holesAB)
                    ),
                    (
                        row.b,
                        .init(
                            frames: row.framesBA, bytes: row.bytesBA, payload: row.payloadBA, delivered: row.uniqueBA,
                            gaps: row.holesBA)
                    ),
                ]), first: row.firstEpoch, last: row.lastEpoch)
        }
    }

    /// For every public capture, sigflow's conversations equal tshark's: the same endpoint pairs, frames
    /// and bytes (frame lengths on the wire) each way, transport payload bytes each way, first and last
    /// packet times, and for TCP the bytes reassembly delivers each way.
    ///
    /// Definitions, where the two differ (Tests/Truth/README.md has the evidence):
    /// - UDP rows are compared with `udp_5tuple`, not `udp`: tshark cuts one address/port pair into
    ///   several rows whenever SIP/SDP or H.248 announces a media port (FAX-Call-t38: 12 rows for 5
    ///   pairs); sigflow, like any 5-tuple tool, keeps one conversation per pair. TCP rows (`tcp`) are
    ///   tshark's streams, which split on port reuse exactly as sigflow does.
    /// - A and B: tshark's A is the sender of the first frame; sigflow's too, except that a connection
    ///   whose first frame is a SYN/ACK (the SYN was not captured) is named from the client, the side
    ///   that opened it: that is what a user reading a call flow needs, so sigflow keeps its rule and
    ///   this test compares unordered pairs, each direction's counts matched by its sender.
    /// - IP fragments: both count a fragmented datagram once, in the frame that completed it, with that
    ///   frame's length, and its whole payload (ipv6frag.pcap); compared like every other row.
    /// - Payload bytes: tshark's `udp.length - 8` and `tcp.len` sums (TCP retransmissions included) are
    ///   sigflow's payload bytes; tshark's union of TCP sequence ranges is what sigflow's reassembly
    ///   delivered, and the holes in it are sigflow's gaps.
    /// - Time: a conversation quiet for longer than `ReassemblyLimits.idleTimeoutSeconds` (an hour) is
    ///   ended by sigflow and a later packet starts a new row; tshark never splits on time. No public
    ///   capture has such a pause (aaa.pcap's longest, 12 minutes, once split rows at the old 300 s).
    @Test(.enabled(if: Corpus.isPresent, "../shared/captures-public is absent"), arguments: Corpus.captures)
    func conversationsEqualTshark(capture: String) throws {
        let truth = try #require(Corpus.truth[capture])
        let expected =
            Self.truth(truth.udp5Tuple, transport: "udp") + Self.truth(truth.tcp, transport: "tcp")
        let actual = try Self.sigflow(capture).conversations
        let missing = expected.filter { !actual.contains($0) }
        let extra = actual.filter { !expected.contains($0) }
        #expect(
            missing.isEmpty && extra.isEmpty,
            "\(capture): tshark only:\n  \(missing.map(\.description).joined(separator: "\n  "))\nsigflow only:\n  \(extra.map(\.description).joined(separator: "\n  "))"
        )
        #expect(actual.count == expected.count)
    }

    /// A and B in the same order as tshark wherever both rules agree: always for UDP (both take the
    /// first sender), and for TCP unless the capture missed the SYN and starts with the SYN/ACK (none of
    /// the public captures does; there sigflow names the client A on purpose, see above).
    @Test(.enabled(if: Corpus.isPresent, "../shared/captures-public is absent"), arguments: Corpus.captures)
    func endpointOrderMatchesTshark(capture: String) throws {
        let truth = try #require(Corpus.truth[capture])
        let flows = try Self.sigflow(capture).flows
        let rows = truth.udp5Tuple.map { ("udp", $0) } + truth.tcp.map { ("tcp", $0) }
        for (transport, row) in rows {
            let flow = flows.first {
                $0.transport.description == transport && $0.first.epochString == row.firstEpoch
                    && Set([$0.a.description, $0.b.description]) == [row.a, row.b]
            }
            #expect(flow?.a.description == row.a, "\(capture): \(transport) \(row.a) -> \(row.b)")
        }
    }

    /// The truth file is there and readable, so an empty argument list can only mean a missing corpus.
    @Test func truthFileCoversTheCorpus() throws {
        #expect(Corpus.truth.count >= 19, "Tests/Truth/conversations.json missing or unreadable")
        guard Corpus.isPresent else {
            print("skipping the tshark ground-truth comparison: \(Corpus.publicCaptures.path) is absent")
            return
        }
        for capture in Corpus.truth.keys {
            #expect(FileManager.default.fileExists(atPath: Corpus.publicCaptures.appendingPathComponent(capture).path))
        }
    }
}
