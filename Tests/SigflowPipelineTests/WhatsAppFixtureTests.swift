import Foundation
import SigflowCore
import SigflowPipeline
import SigflowTestSupport
import Testing

/// Every WhatsApp log fixture (captures/whatsapp/NAME/, with NAME.expect.json beside it) gives its call id, outcome, per-device
/// outcomes, every stanza as a step in a consistent order, and exactly its planted findings.
struct WhatsAppFixtureTests {
    static let folder = Paths.captures.appendingPathComponent("whatsapp")

    static let names: [String] = {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return entries.filter { $0.hasSuffix(".expect.json") }.map { String($0.dropLast(12)) }.sorted()
    }()

    /// The folder's logs in `ls` order, as `folder/*` passes them.
    static func inputs(_ name: String) -> [String] {
        let directory = folder.appendingPathComponent(name)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.sorted().map { directory.appendingPathComponent($0).path }
    }

    static func run(_ paths: [String]) throws -> CallsResult {
        try CallsJob.run(PipelineConfiguration(inputs: paths.map { .file($0) }))
    }

    static func expectation(_ name: String) throws -> [String: Any] {
        try Paths.loadJSON(folder.appendingPathComponent("\(name).expect.json")) as! [String: Any]
    }

    @Test func everyFixtureFolderIsTested() {
        #expect(Self.names.count == 13)
    }

    @Test(arguments: names)
    func callOutcomesAndDevices(name: String) throws {
        let expected = try Self.expectation(name)
        let result = try Self.run(Self.inputs(name))
        let calls = result.calls.filter { $0.signalingProtocol == .whatsapp }
        let expectedCalls = expected["calls"] as! [[String: Any]]
        #expect(calls.map(\.callID).sorted() == expectedCalls.map { $0["call_id"] as! String }.sorted())
        for expectedCall in expectedCalls {
            let call = try #require(calls.first { $0.callID == expectedCall["call_id"] as! String })
            #expect(call.outcome.rawValue == expectedCall["outcome"] as! String, "\(name)")
            for device in expectedCall["devices"] as! [[String: Any]] {
                let key = device["device"] as! String
                let log = device["log"] as? String
                #expect(
                    Self.outcome(of: key, log: log, in: call) == device["outcome"] as? String, "\(name) \(key)")
            }
        }
    }

    /// A device's fate: its entry on a callee lifeline, or the lifeline's own outcome (the caller's is
    /// the call's). A log that never names its device is matched by its placeholder.
    static func outcome(of key: String, log: String?, in call: Call) -> String? {
        let keys = [key] + (log.map { ["device of \($0)"] } ?? [])
        for participant in call.participants {
            if let device = participant.devices.first(where: { keys.contains($0.key.description) }) {
                return device.outcome.rawValue
            }
        }
        return call.participants.first { keys.contains($0.partyKey.description) }?.outcome?.rawValue
    }

    /// The fixture's expectation, what sigflow makes of its logs, and each log's capture index.
    static func decoded(_ name: String) throws -> ([String: Any], CallsResult, [String: Int]) {
        let inputs = Self.inputs(name)
        let captureOf = Dictionary(
            uniqueKeysWithValues: inputs.enumerated().map { (URL(fileURLWithPath: $1).lastPathComponent, $0) })
        return (try Self.expectation(name), try Self.run(inputs), captureOf)
    }

    @Test(arguments: names)
    func everyStanzaIsOneObservedStepInOrder(name: String) throws {
        let (expected, result, captureOf) = try Self.decoded(name)
        for expectedCall in expected["calls"] as! [[String: Any]] {
            let call = try #require(result.calls.first { $0.callID == expectedCall["call_id"] as! String })
            let stanzas = expectedCall["stanzas"] as! [[String: Any]]
            var stepOf: [String: Int] = [:]
            for stanza in stanzas {
                let log = stanza["log"] as! String
                let line = stanza["line"] as! Int
                let capture = captureOf[log]!
                let matches = call.steps.filter { step in
                    step.message.confidence == .observed
                        && step.sightings.contains { $0.source == SourceRef(capture: capture, frame: line) }
                }
                #expect(matches.count == 1, "\(name) \(log):\(line)")
                guard let step = matches.first else { continue }
                let message = step.message
                #expect(message.attribute("direction") == stanza["direction"] as? String, "\(name) \(log):\(line)")
                #expect(message.attribute("stanza") == stanza["tag"] as? String, "\(name) \(log):\(line)")
                #expect(message.attribute("stanza-id") == stanza["id"] as? String, "\(name) \(log):\(line)")
                if let action = stanza["action"] as? String {
                    #expect(message.attribute("action") == action, "\(name) \(log):\(line)")
                }
                stepOf["\(log):\(line)"] = step.number
            }
            // Nothing else is observed (Baileys' status lines are steps of their own, not stanzas).
            let observed = call.steps.filter {
                $0.message.confidence == .observed && $0.message.attribute("stanza") != nil
            }
            #expect(observed.count == stanzas.count, "\(name)")
            // Each log's stanzas keep the log's order.
            for log in Set(stanzas.map { $0["log"] as! String }) {
                let numbers = stanzas.filter { $0["log"] as! String == log }
                    .sorted { ($0["line"] as! Int) < ($1["line"] as! Int) }
                    .compactMap { stepOf["\(log):\($0["line"] as! Int)"] }
                #expect(numbers == numbers.sorted(), "\(name) \(log)")
            }
            // A stanza's send comes before its deliveries.
            for send in stanzas where send["direction"] as! String == "send" && send["tag"] as! String != "ack" {
                for delivery in stanzas
                where delivery["direction"] as! String == "recv" && delivery["id"] as! String == send["id"] as! String
                    && delivery["tag"] as! String == send["tag"] as! String
                {
                    let sent = stepOf["\(send["log"] as! String):\(send["line"] as! Int)"] ?? 0
                    let received = stepOf["\(delivery["log"] as! String):\(delivery["line"] as! Int)"] ?? 0
                    let id = send["id"] as! String
                    #expect(sent < received, "\(name) \(id)")
                }
            }
        }
    }

    @Test(arguments: names)
    func exactlyThePlantedFindings(name: String) throws {
        let (expected, result, captureOf) = try Self.decoded(name)
        for expectedCall in expected["calls"] as! [[String: Any]] {
            let call = try #require(result.calls.first { $0.callID == expectedCall["call_id"] as! String })
            let rules = call.findings.map { String($0.ruleID.split(separator: ".")[1]) }
            #expect(rules.sorted() == (expectedCall["findings"] as! [String]).sorted(), "\(name)")
            #expect(call.findings.allSatisfy { $0.ruleID.hasPrefix("whatsapp.W") })
            // Each finding points at the stanzas its evidence names.
            for evidence in expectedCall["finding_evidence"] as? [[String: Any]] ?? [] {
                let rule = evidence["rule"] as! String
                let finding = try #require(call.findings.first { $0.ruleID.hasPrefix("whatsapp.\(rule).") })
                for stanza in evidence["stanzas"] as! [[String: Any]] {
                    let source = SourceRef(capture: captureOf[stanza["log"] as! String]!, frame: stanza["line"] as! Int)
                    let step = call.steps.first {
                        $0.message.confidence == .observed && $0.sightings.contains { $0.source == source }
                    }
                    #expect(step.map { finding.steps.contains($0.number) } == true, "\(name) \(rule) \(source)")
                }
            }
        }
    }

    @Test func hostileFixtureReportsWhatItSkips() throws {
        let result = try Self.run(Self.inputs("hostile"))
        let names = result.diagnostics.entries.map(\.name)
        #expect(names.contains("whatsapp_log_truncated"))
        #expect(names.contains("whatsapp_log_junk_line"))
        #expect(result.inputError == nil)
    }

    /// The seed (a WhatsApp 1:1 reject) from its three logs: the seed's participants and steps, every
    /// step observed.
    @Test func seedParticipantsAndSteps() throws {
        let result = try Self.run(Self.inputs("seed-reject"))
        let call = try #require(result.calls.first { $0.signalingProtocol == .whatsapp })
        #expect(
            call.participants.map { "\($0.id) \($0.role.rawValue) \($0.partyKey)" } == [
                "caller caller 4915112345678:7@s.whatsapp.net", "server server s.whatsapp.net",
                "callee1 callee 447700900123@s.whatsapp.net", "callee2 callee 447700900123:24@s.whatsapp.net",
            ])
        #expect(
            call.steps.map { "\($0.from)>\($0.to) \($0.message.label) \($0.message.confidence.rawValue)" } == [
                "caller>server call-offer observed",
                "server>callee1 call-offer observed",
                "callee1>server call-ack (offer) observed",
                "server>caller call-ack (offer) observed",
                "server>callee2 call-offer observed",
                "callee2>server call-ack (offer) observed",
                "callee1>server call-reject observed",
                "server>callee1 call-ack (reject) observed",
                "server>caller call-reject observed",
                "caller>server call-ack (reject) observed",
                "caller>server call-terminate rejected_elsewhere observed",
                "server>callee2 call-terminate rejected_elsewhere observed",
                "callee2>server call-ack (terminate) observed",
                "server>caller call-ack (terminate) observed",
            ])
        #expect(call.openQuestions.count == 5)
        #expect(call.openQuestions[2].contains("peer-originated"))
    }

    /// With only the caller's log, the hops it implies are inferred: the deliveries of the offer to
    /// both devices, the phone's reject, and the dismissal of the desktop.
    @Test func seedFromTheCallerAloneInfersTheOtherHops() throws {
        let result = try Self.run([Self.folder.appendingPathComponent("seed-reject/caller.log").path])
        let call = try #require(result.calls.first)
        #expect(call.outcome == .declined)
        #expect(
            call.steps.filter { $0.message.confidence == .inferred }.map { "\($0.from)>\($0.to) \($0.message.label)" }
                == [
                    "server>callee1 call-offer", "server>callee2 call-offer", "callee1>server call-reject",
                    "server>callee2 call-terminate rejected_elsewhere",
                ])
        #expect(Self.outcome(of: "447700900123:24@s.whatsapp.net", log: nil, in: call) == "declined-elsewhere")
    }

    /// Two copies of one log are one vantage point twice: the same steps, each seen twice.
    @Test func twoCopiesOfALogShareIdentities() throws {
        let log = Self.folder.appendingPathComponent("seed-reject/caller.log").path
        let once = try #require(try Self.run([log]).calls.first)
        let twice = try #require(try Self.run([log, log]).calls.first)
        #expect(twice.steps.count == once.steps.count)
        #expect(
            twice.steps.filter { $0.message.confidence == .observed }.allSatisfy {
                $0.sightings.map(\.source.capture) == [0, 1]
            })
    }
}
