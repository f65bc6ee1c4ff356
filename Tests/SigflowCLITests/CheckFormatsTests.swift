import Foundation
import SigflowTestSupport
import Testing

/// `sigflow check` says the same thing in every format: the text, JSON and SARIF of one run carry
/// the same findings (rule findings and `--expect` ones: missing, extra and out-of-order steps),
/// with the same count, ids, calls and steps; SARIF points every result somewhere and has no null
/// `helpUri`.
struct CheckFormatsTests {
    /// One finding as every format can give it.
    struct Item: Hashable, CustomStringConvertible {
        var callID: String
        var rule: String
        var steps: [Int]
        var description: String { "\(callID) \(rule) \(steps)" }
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var capture: String
        /// An expected-flow template: a path in the repository, or `nil`, or `custom`.
        var template: String?
        var testDescription: String { "\(capture) \(template ?? "")" }
    }

    /// sip-decline with the 180 and 603 swapped (the 180 comes out of order), the ACK left out (an
    /// extra step) and a 486 the capture never shows (a missing step).
    static let customTemplate = """
        # Callee declines, drawn wrong on purpose

        ## Sequence

        ```mermaid
        sequenceDiagram
            participant caller as Caller
            participant callee as Callee
            caller->>callee: INVITE
            callee-->>caller: 603 Decline
            callee-->>caller: 180 Ringing
            callee-->>caller: 486 Busy Here
        ```

        """

    static let cases: [Case] = [
        Case(capture: "captures/lab/sip/decline-603.pcap", template: "custom"),
        Case(capture: "captures/lab/sip/s1-6xx-then-2xx.pcap", template: "custom"),
        Case(capture: "captures/lab/sip/fork-decline.pcap", template: "templates/flows/sip-forked-decline.md"),
        Case(capture: "captures/lab/sip/s15-603-never-acked.pcap", template: nil),
        Case(capture: "captures/lab/sip/s19-6xx-while-other-device-rings.pcap", template: nil),
        Case(capture: "captures/lab/matrix/m17-loser-media.pcap", template: "templates/flows/matrix-reject.md"),
        Case(capture: "captures/lab/xmpp/x13-media-after-terminate.pcap", template: nil),
    ]

    static func arguments(_ testCase: Case, in directory: TemporaryDirectory) -> [String] {
        var arguments = ["check", "--fail-on", "never", CLIFixtures.path(testCase.capture)]
        switch testCase.template {
        case nil: break
        case "custom"?: arguments += ["--expect", directory.write(Array(customTemplate.utf8), to: "wrong.md")]
        case let path?: arguments += ["--expect", CLIFixtures.path(path)]
        }
        return arguments
    }

    /// The findings of the text format, and the count its last line gives.
    static func textFindings(_ text: String) throws -> (items: [Item], count: Int) {
        var items: [Item] = []
        var callID: String?
        for line in text.split(separator: "\n").map(String.init) {
            if let match = line.wholeMatch(of: /(SIP|Matrix|XMPP|WhatsApp) call (.+) \(([a-z-]+)\):/) {
                callID = String(match.2)
            } else if let match = line.wholeMatch(of: #/  (error|warning|info): (\S+)(?: \[steps ([0-9,]+)\])? .*/#) {
                let steps = match.3.map { $0.split(separator: ",").compactMap { Int($0) } } ?? []
                items.append(Item(callID: try #require(callID), rule: String(match.2), steps: steps))
            }
        }
        let last = try #require(text.split(separator: "\n").last.map(String.init))
        let count: Int
        if last.hasPrefix("no findings") {
            count = 0
        } else {
            let match = try #require(last.wholeMatch(of: /([0-9]+) findings? in [0-9]+ calls?/), "\(last)")
            count = Int(match.1)!
        }
        return (items, count)
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test(arguments: cases)
    func textJSONAndSARIFCarryTheSameFindings(testCase: Case) throws {
        let directory = TemporaryDirectory()
        let arguments = Self.arguments(testCase, in: directory)
        let text = try SigflowProcess.run(arguments)
        let json = try SigflowProcess.run(arguments + ["--format", "json"])
        let sarif = try SigflowProcess.run(arguments + ["--format", "sarif"])
        for result in [text, json, sarif] { #expect(result.status == 0, "\(result.standardError)") }

        let (textItems, textCount) = try Self.textFindings(text.standardOutput)

        let document = try Self.object(json.standardOutput)
        var jsonItems: [Item] = []
        for call in document["calls"] as? [[String: Any]] ?? [] {
            for finding in call["findings"] as? [[String: Any]] ?? [] {
                jsonItems.append(
                    Item(
                        callID: try #require(call["call_id"] as? String),
                        rule: try #require(finding["rule"] as? String),
                        steps: try #require(finding["steps"] as? [Int])))
            }
        }
        #expect(document["finding_count"] as? Int == jsonItems.count)

        let log = try Self.object(sarif.standardOutput)
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        var sarifItems: [Item] = []
        for result in run["results"] as? [[String: Any]] ?? [] {
            let properties = try #require(result["properties"] as? [String: Any])
            let callID = try #require(properties["callId"] as? String)
            sarifItems.append(
                Item(
                    callID: callID, rule: try #require(result["ruleId"] as? String),
                    steps: try #require(properties["steps"] as? [Int])))
            // Every result has a location: the capture, and the call as a logical location.
            let locations = try #require(result["locations"] as? [[String: Any]])
            #expect(locations.count == 1)
            let logical = (locations.first?["logicalLocations"] as? [[String: Any]])?.first
            #expect(logical?["name"] as? String == callID && logical?["kind"] as? String == "call")
            let physical = locations.first?["physicalLocation"] as? [String: Any]
            let uri = (physical?["artifactLocation"] as? [String: Any])?["uri"] as? String
            #expect(uri == CLIFixtures.path(testCase.capture))
        }
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        let rules = try #require(driver["rules"] as? [[String: Any]])
        let ruleIDs = Set(rules.compactMap { $0["id"] as? String })
        for rule in rules where rule["helpUri"] != nil {
            #expect(rule["helpUri"] is String, "\(rule["id"] ?? "?"): helpUri \(rule["helpUri"]!)")
        }
        #expect(!sarif.standardOutput.contains("\"helpUri\": null"))
        for item in sarifItems { #expect(ruleIDs.contains(item.rule), "\(item.rule) is not among the SARIF rules") }

        #expect(textItems.isEmpty == (testCase.capture == "captures/lab/sip/fork-decline.pcap"))
        #expect(textCount == textItems.count)
        #expect(textItems == jsonItems)
        #expect(textItems == sarifItems)
        if testCase.template == "custom" {
            let kinds = Set(textItems.map(\.rule).filter { $0.hasPrefix("expect.") })
            #expect(kinds == ["expect.missing-step", "expect.out-of-order-step", "expect.extra-step"])
            // A missing step has no steps: the text says none rather than `[steps ]`.
            #expect(!text.standardOutput.contains("[steps ]"))
            let expected = try #require((document["calls"] as? [[String: Any]])?.first?["expected"] as? [[String: Any]])
            #expect(
                expected.compactMap { $0["status"] as? String } == [
                    "observed", "observed", "observed-out-of-order", "missing",
                ])
        }
    }

    @Test func listRulesAsJSON() throws {
        let text = try SigflowProcess.run(["check", "--list-rules"])
        let json = try SigflowProcess.run(["check", "--list-rules", "--format", "json"])
        #expect(text.status == 0 && json.status == 0)
        let textIDs = text.outputLines.filter { !$0.hasPrefix(" ") }.map { String($0.split(separator: " ")[0]) }
        let rules = try #require(try Self.object(json.standardOutput)["rules"] as? [[String: Any]])
        #expect(rules.compactMap { $0["id"] as? String } == textIDs)
        #expect(
            textIDs.count > 60 && textIDs.contains("sip.S1.answer-after-decline")
                && textIDs.contains("expect.missing-step"))
        for rule in rules {
            #expect(rule["severity"] is String && rule["summary"] is String && rule["clause"] is String)
        }
        let sarif = try SigflowProcess.run(["check", "--list-rules", "--format", "sarif"])
        #expect(sarif.status == 64)
    }

    /// Clauses name documents a user can find (RFC, XEP, Matrix spec section, a client library), never
    /// a file of this repository.
    @Test func ruleClausesNameDocumentsAUserCanFind() throws {
        let json = try SigflowProcess.run(["check", "--list-rules", "--format", "json"])
        let rules = try #require(try Self.object(json.standardOutput)["rules"] as? [[String: Any]])
        for rule in rules {
            let clause = try #require(rule["clause"] as? String)
            #expect(!clause.contains(".md") && !clause.contains("protocols"), "\(rule["id"]!): \(clause)")
            if let uri = rule["help_uri"] as? String { #expect(uri.hasPrefix("https://")) }
        }
    }
}
