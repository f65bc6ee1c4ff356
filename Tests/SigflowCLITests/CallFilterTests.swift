import Foundation
import SigflowTestSupport
import Testing

/// `--match`, `--outcome`, `--status`, `--method`, `--protocol`, `--since`/`--until` and `--call`
/// choose the same calls in every command that lists them, on lab captures of sipp and kamailio.
struct CallFilterTests {
    /// Thirteen calls: answered, declined, busy, cancelled INVITEs, a fork, an authenticated call,
    /// REGISTERs, OPTIONS, MESSAGE and SUBSCRIBE.
    static let captures = [
        "fork-decline", "auth-invite", "busy-486", "decline-603", "basic-call", "register-options-message",
        "cancel-ringing",
    ].map { CLIFixtures.path("captures/lab/sip/\($0).pcap") }

    static let answered = "b258fa2fa034248f5fd074e5@127.0.0.2"
    static let declined = "4b3b3585519ae4fe09d0493a@127.0.0.2"
    static let busy = "7e3c3a4ced7d4dc1ae334359@127.0.0.2"
    static let cancelled = "8d7ee83f26a834c30b7afc75@127.0.0.2"
    static let forkRegister1 = "e1d7062344690d6528c5a237@127.0.0.11"
    static let forkRegister2 = "732981b1f74a614c89001099@127.0.0.12"
    static let forkDeclined = "ea1159a29b237ff7fadf2f62@127.0.0.2"
    static let authenticated = "e4dc082c57df1ae5f95c425e@127.0.0.2"
    static let registerBob = "d96374efb8054e82d579c5a6@127.0.0.3"
    static let registerAlice = "012aa97b012ece95479cf434@127.0.0.2"
    static let options = "ac57854f7cb1e3108d8c9098@127.0.0.2"
    static let message = "e144a404b8755360c757b1ca@127.0.0.2"
    static let subscribe = "53894b809668a370b31907cc@127.0.0.2"

    struct Case: CustomTestStringConvertible, Sendable {
        var filters: [String]
        var calls: [String]
        var testDescription: String { filters.joined(separator: " ") }
    }

    static let cases: [Case] = [
        Case(
            filters: [],
            calls: [
                answered, declined, busy, cancelled, forkRegister1, forkRegister2, forkDeclined, authenticated,
                registerBob, registerAlice, options, message, subscribe,
            ]),
        Case(filters: ["--outcome", "declined", "--outcome", "busy"], calls: [declined, busy, forkDeclined]),
        Case(filters: ["--status", "4xx"], calls: [busy, cancelled]),
        Case(filters: ["--status", "603", "--status", "486"], calls: [declined, busy, forkDeclined]),
        Case(
            filters: ["--method", "register", "--method", "Options"],
            calls: [forkRegister1, forkRegister2, registerBob, registerAlice, options]),
        Case(filters: ["--method", "INVITE", "--outcome", "answered"], calls: [answered, authenticated]),
        // A regex on call ids: the two REGISTERs of the forked devices.
        Case(filters: ["--match", #"/^[0-9a-f]+@127\.0\.0\.1[12]$/"#], calls: [forkRegister1, forkRegister2]),
        // A substring of a number, case ignored, against users.
        Case(filters: ["--match", "BOB@127.0.0.3", "--status", "6xx"], calls: [declined]),
        // User agents: sipp's caller, and kamailio answering the REGISTERs it is the registrar of.
        Case(filters: ["--match", "sipp-alice", "--status", "6xx"], calls: [declined, forkDeclined]),
        Case(
            filters: ["--match", "/KAMAILIO/i", "--method", "register"],
            calls: [forkRegister1, forkRegister2, registerBob, registerAlice]),
        // A display name (From: "Alice" <sip:alice@...>), case kept by the regex: users are lower case.
        Case(filters: ["--match", "/^Alice$/", "--status", "6xx"], calls: [declined, forkDeclined]),
        Case(filters: ["--match", "/^alice$/"], calls: []),
        // An address of a participant.
        Case(filters: ["--match", "127.0.0.12:5060"], calls: [forkRegister2, forkDeclined]),
        Case(filters: ["--call", "4b3b"], calls: [declined]),
        Case(filters: ["--call", authenticated], calls: [authenticated]),
        Case(
            filters: ["--since", "2026-11-22T21:44:03.636Z", "--until", "2026-11-22 22:44:10.841+01:00"],
            calls: [busy, cancelled, forkRegister1, forkRegister2]),
        Case(filters: ["--since", "2026-12-04", "--method", "invite"], calls: [authenticated]),
        Case(filters: ["--protocol", "sip", "--until", "2026-11-22T21:44"], calls: [answered, declined]),
        Case(filters: ["--protocol", "matrix"], calls: []),
    ]

    static func ids(_ json: String, _ key: String = "calls") throws -> [String] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return try #require(object[key] as? [[String: Any]]).compactMap { $0["call_id"] as? String }
    }

    @Test(arguments: cases)
    func everyCommandKeepsTheSameCalls(_ filter: Case) throws {
        let calls = try SigflowProcess.run(["calls", "-q", "--format", "json"] + filter.filters + Self.captures)
        #expect(calls.status == 0)
        #expect(try Self.ids(calls.standardOutput) == filter.calls)

        let text = try SigflowProcess.run(["calls", "-q"] + filter.filters + Self.captures)
        #expect(text.outputLines.dropFirst().map { String($0.split(separator: " ")[0]) } == filter.calls)

        let flow = try SigflowProcess.run(["flow", "-q", "--format", "json"] + filter.filters + Self.captures)
        #expect(flow.status == 0)
        #expect(try Set(Self.ids(flow.standardOutput)) == Set(filter.calls))

        let check = try SigflowProcess.run(["check", "-q", "--format", "json"] + filter.filters + Self.captures)
        #expect(check.status == 0)
        #expect(try Set(Self.ids(check.standardOutput)) == Set(filter.calls))

        let directory = TemporaryDirectory()
        let report = try SigflowProcess.run(["report", "-q", "-o", directory.path] + filter.filters + Self.captures)
        #expect(report.status == 0)
        let documents = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".md") && $0 != "index.md" }
        #expect(documents.count == filter.calls.count)
        for id in filter.calls {
            let slug = id.replacingOccurrences(of: "@", with: "_")
            #expect(documents.contains { $0.contains(slug) }, "\(id)")
        }
    }

    @Test func filtersThatLeaveNothingSaySo() throws {
        let calls = try SigflowProcess.run(["calls", "--protocol", "xmpp"] + Self.captures)
        #expect(calls.status == 0)
        #expect(calls.standardOutput == "none of the 13 calls in the input passes the filters\n")
        let flow = try SigflowProcess.run(["flow", "--outcome", "timed-out"] + Self.captures)
        #expect(flow.status == 0 && flow.standardOutput == "")
        #expect(flow.errorLines == ["sigflow: note: none of the 13 calls in the input passes the filters"])
    }

    @Test(arguments: [
        (["--call", "e"], "sigflow: error: 'e' starts 4 call ids: give more of the one you mean"),
        (["--call", "zz"], "sigflow: error: no call with id 'zz' in the input, nor one that starts with it"),
    ])
    func callPrefixMustNameOneCall(_ filters: [String], _ error: String) throws {
        for command in ["calls", "flow", "check"] {
            let run = try SigflowProcess.run([command, "-q"] + filters + Self.captures)
            #expect(run.status == 2, "\(command)")
            #expect(run.errorLines == [error], "\(command)")
        }
    }

    @Test(arguments: [
        ["--status", "7xx"], ["--status", "60"], ["--since", "2026-13-01"], ["--until", "2026-11-22T25:00"],
        ["--since", "yesterday"], ["--match", "/[/"], ["--protocol", "irc"], ["--outcome", "lost"],
    ])
    func malformedFiltersAreUsageErrors(_ filters: [String]) throws {
        let run = try SigflowProcess.run(["calls"] + filters + Self.captures)
        #expect(run.status == 64)
        #expect(run.standardOutput == "")
        #expect(run.errorLines.first?.hasPrefix("Error: ") == true)
    }
}
