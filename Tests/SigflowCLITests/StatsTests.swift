import Foundation
import SigflowTestSupport
import Testing

/// `sigflow stats` counts what `tshark -q -z sip,stat` counts (Tests/Truth/sip-stat.json, made by
/// scripts/tshark-sip-stat-truth) on every public SIP capture and every lab SIP capture, and gives
/// outcomes and timings of the calls it knows.
struct StatsTests {
    struct Truth: Decodable {
        var messages: Int
        var resent: Int
        var responses: [String: Int]
        var requests: [String: Int]
    }

    static let truth: [String: Truth] = {
        struct File: Decodable { var captures: [String: Truth] }
        let url = CLIFixtures.repository.appendingPathComponent("Tests/Truth/sip-stat.json")
        return (try? JSONDecoder().decode(File.self, from: Data(contentsOf: url)))?.captures ?? [:]
    }()

    /// A truth key is a repository path (the lab's) or a path in the shared public corpus.
    static func path(_ key: String) -> String {
        key.hasPrefix("captures/")
            ? CLIFixtures.path(key)
            : CLIFixtures.repository.deletingLastPathComponent().appendingPathComponent("shared/captures-public/\(key)")
                .path
    }

    /// Retransmissions, found by reading each capture: tshark's "resent" counts INVITEs and final
    /// responses over UDP only, so it is lower where ACK, CANCEL or a provisional response was
    /// sent again (aaa.pcap: 4 INVITEs and 10 CANCELs; the T.38 call: 14, 4 ACKs, 4 100s, a 180).
    static let retransmissions = [
        "captures/lab/sip/s11-rings-after-completed-elsewhere.pcap": 2, "captures/lab/sip/s15-603-never-acked.pcap": 9,
        "ndpi/FAX-Call-t38-CA-TDM-SIP-FB-1.pcap": 23, "ndpi/sip.pcap": 14, "wireshark-samples/aaa.pcap": 14,
        "wireshark-samples/ipv6frag.pcap": 1,
    ]

    /// Where tshark takes a different final response with the same CSeq for a resend: a second
    /// fork's 200 relayed to the caller (other To tag), the INVITE's 200 after the CANCEL's.
    static let tsharkFalseResends: Set = [
        "captures/lab/sip/s17-unwanted-dialog-kept.pcap", "captures/lab/sip/s5-200-after-cancel.pcap",
    ]

    static let present = truth.keys.sorted().filter { FileManager.default.fileExists(atPath: path($0)) }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func truthCoversTheLabAndThePublicCaptures() {
        #expect(Self.truth.count >= 60)
        #expect(Self.present.filter { $0.hasPrefix("captures/") }.count >= 45)
    }

    @Test(arguments: present)
    func countsAreTsharks(_ key: String) throws {
        let expected = try #require(Self.truth[key])
        let run = try SigflowProcess.run(["stats", "-q", "--format", "json", Self.path(key)])
        #expect(run.status == 0)
        let protocols = try #require(try Self.object(run.standardOutput)["protocols"] as? [[String: Any]])
        let sip = protocols.first { $0["protocol"] as? String == "sip" } ?? [:]
        #expect(sip["messages"] as? Int ?? 0 == expected.messages)
        let responses = (sip["responses"] as? [[String: Any]] ?? []).map {
            (String($0["code"] as? Int ?? 0), $0["messages"] as? Int ?? 0)
        }
        #expect(Dictionary(uniqueKeysWithValues: responses) == expected.responses)
        let requests = (sip["requests"] as? [[String: Any]] ?? []).map {
            ($0["method"] as? String ?? "", $0["messages"] as? Int ?? 0)
        }
        #expect(Dictionary(uniqueKeysWithValues: requests) == expected.requests)
        #expect(sip["retransmissions"] as? Int ?? 0 == Self.retransmissions[key] ?? 0)
        if !Self.tsharkFalseResends.contains(key) {
            #expect(sip["retransmissions"] as? Int ?? 0 >= expected.resent)
        }
    }

    /// The fork that one device declines: every figure of the text, exactly.
    @Test func textOfAForkedCall() throws {
        let run = try SigflowProcess.run(["stats", "-q", CLIFixtures.path("captures/lab/sip/fork-decline.pcap")])
        #expect(run.status == 0)
        #expect(
            run.standardOutput == """
                SIP: 20 messages (0 retransmissions), 3 call ids, 1 call

                REQUEST   MESSAGES
                ACK              3
                INVITE           3
                REGISTER         2
                CANCEL           1

                RESPONSE  MESSAGES
                100              3
                180              2
                200              3
                487              1
                603              2

                OUTCOME   CALLS
                declined      1

                SECONDS          CALLS    MIN  MEDIAN    P95    MAX
                post-dial delay      1  0.308   0.308  0.308  0.308
                time to answer       0      -       -      -      -

                """)
    }

    /// Outcomes and timings over several calls, the filters choosing them, and figures per domain.
    @Test func outcomesTimingsFiltersAndDomains() throws {
        let captures = CallFilterTests.captures
        let all = try Self.object(
            try SigflowProcess.run(["stats", "-q", "--format", "json"] + captures).standardOutput)
        let sip = try #require((all["protocols"] as? [[String: Any]])?.first)
        #expect(sip["call_ids"] as? Int == 13 && sip["calls"] as? Int == 6)
        let outcomes = (sip["outcomes"] as? [[String: Any]] ?? []).map {
            "\($0["outcome"] as? String ?? "")=\($0["calls"] as? Int ?? 0)"
        }
        #expect(outcomes == ["answered=2", "declined=2", "busy=1", "cancelled=1"])
        let answer = try #require(sip["time_to_answer"] as? [String: Any])
        #expect(answer["count"] as? Int == 2)

        let refused = try Self.object(
            try SigflowProcess.run(["stats", "-q", "--format", "json", "--status", "6xx"] + captures).standardOutput)
        let refusedSIP = try #require((refused["protocols"] as? [[String: Any]])?.first)
        #expect(refusedSIP["call_ids"] as? Int == 2 && refusedSIP["time_to_answer"] is NSNull)

        let byDomain = try Self.object(
            try SigflowProcess.run(["stats", "-q", "--format", "json", "--by", "callee-domain"] + captures)
                .standardOutput)
        #expect(byDomain["by"] as? String == "callee-domain")
        let groups = try #require(byDomain["groups"] as? [[String: Any]]).map { $0["group"] as? String ?? "" }
        #expect(groups == ["127.0.0.1", "127.0.0.3"])
    }
}
