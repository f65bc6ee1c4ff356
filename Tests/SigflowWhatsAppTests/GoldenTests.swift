import Foundation
import SigflowCore
import SigflowFraming
import SigflowTestSupport
import Testing

@testable import SigflowWhatsApp

/// The WhatsApp messages of every golden in captures/whatsapp/expected, made here by this module
/// alone (logs decoded, captures' encrypted traffic tracked, everything merged as the policy
/// prepares it), carry exactly what the golden JSON shows of each message: where it was seen, when,
/// its kind, transport and confidence, its endpoints, label, notes, and attributes in their order.
/// The correlator only groups and numbers them, so a difference here is this module's.
///
/// Then each golden call is rebuilt from those messages with the golden's numbering, lifelines and
/// outcomes: the policy's rules find exactly the golden's findings in it, and its review keeps the
/// outcomes and adds the golden's last open questions.
struct GoldenTests {
    static let expected = Fixture.repository.appendingPathComponent("captures/whatsapp/expected")

    /// `NAME: input ...` from inputs.txt, a trailing `/*` standing for the folder's files in byte order.
    static let goldens: [(name: String, inputs: [String])] = {
        let text = (try? String(contentsOf: expected.appendingPathComponent("inputs.txt"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), let colon = line.firstIndex(of: ":") else { return nil }
            let inputs = line[line.index(after: colon)...].split(separator: " ").flatMap { input -> [String] in
                guard input.hasSuffix("/*") else { return [String(input)] }
                let folder = Fixture.repository.appendingPathComponent(String(input.dropLast(2)))
                let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
                return names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }.map {
                    "\(input.dropLast(2))/\($0)"
                }
            }
            return (String(line[..<colon]), inputs)
        }
    }()

    /// The goldens whose inputs are on this machine: those from the shared public corpus are
    /// skipped on a clone without `../shared`, the repository's own always run.
    static let present = goldens.filter { golden in
        golden.inputs.allSatisfy {
            FileManager.default.fileExists(atPath: Fixture.repository.appendingPathComponent($0).path)
        }
    }

    @Test func everyGoldenIsListed() {
        #expect(Self.goldens.count == 18)
        #expect(
            Self.goldens.filter { !$0.inputs.contains { $0.hasPrefix("../") } }.allSatisfy { golden in
                Self.present.contains { $0.name == golden.name }
            })
    }

    static func golden(_ name: String) throws -> (calls: [JSONValue], prepared: [SignalingMessage]) {
        let inputs = try #require(goldens.first { $0.name == name }).inputs
        let golden = try JSONValue(
            parsing: Array(try Data(contentsOf: expected.appendingPathComponent("\(name).json"))))
        let prepared = WhatsAppCallPolicy().prepare(try decode(inputs))
        return (golden["calls"]?.array ?? [], prepared.calls.flatMap { $0 })
    }

    @Test(arguments: present.map(\.name))
    func messagesMatchTheGolden(name: String) throws {
        let (calls, prepared) = try Self.golden(name)
        let expected = calls.flatMap { $0["messages"]?.array ?? [] }.map(Self.describe(golden:))
        #expect(!expected.isEmpty)
        #expect(prepared.map(Self.describe).sorted() == expected.sorted())
    }

    @Test(arguments: present.map(\.name))
    func reviewAndRulesMatchTheGolden(name: String) throws {
        let (calls, prepared) = try Self.golden(name)
        var unused = Dictionary(grouping: prepared, by: Self.describe)
        let policy = WhatsAppCallPolicy()
        for json in calls {
            let call = try Self.call(json, taking: &unused)
            // As the checker orders them.
            let findings = policy.rules.flatMap { $0.check(call, context: CheckContext(captureEnd: nil)) }
                .sorted { ($0.steps.first ?? 0, $0.ruleID) < ($1.steps.first ?? 0, $1.ruleID) }
            let expected = (json["findings"]?.array ?? []).map { finding in
                "\(finding["rule"]?.string ?? "") \(finding["severity"]?.string ?? "") "
                    + "\((finding["steps"]?.array ?? []).compactMap(\.integer)) \(finding["message"]?.string ?? "") "
                    + (finding["clause"]?.string ?? "")
            }
            #expect(findings.map { "\($0.ruleID) \($0.severity) \($0.steps) \($0.message) \($0.clause)" } == expected)
            let reviewed = policy.review(call)
            #expect(reviewed.outcome == call.outcome)
            #expect(reviewed.settlingStep == call.settlingStep)
            #expect(reviewed.participants == call.participants)
            let added = reviewed.openQuestions.dropFirst(call.openQuestions.count)
            #expect(call.openQuestions.suffix(added.count) == added)
        }
    }

    /// A golden call with its messages taken from `messages`, its steps numbered and drawn as the
    /// golden shows them, its lifelines, outcomes and open questions as the golden has them.
    static func call(_ json: JSONValue, taking messages: inout [String: [SignalingMessage]]) throws -> Call {
        var steps: [CallStep] = []
        for step in json["messages"]?.array ?? [] {
            let key = describe(golden: step)
            let message = try #require(messages[key]?.first, "no message for \(key)")
            messages[key]!.removeFirst()
            steps.append(
                CallStep(
                    number: step["step"]?.integer ?? 0, message: message, from: step["from"]?.string ?? "",
                    to: step["to"]?.string ?? "", time: message.stamp.time,
                    sightings: [Sighting(source: message.stamp.source, time: message.stamp.time)], retransmissions: []))
        }
        let participants = (json["participants"]?.array ?? []).map { participant -> Participant in
            let id = participant["id"]?.string ?? ""
            let key =
                steps.first { $0.from == id }?.message.sender.key ?? steps.first { $0.to == id }?.message.receiver.key
                ?? .name(id)
            let devices = (participant["devices"]?.array ?? []).map { device in
                Device(
                    key: DeviceKey(device["key"]?.string ?? ""), label: device["label"]?.string ?? "",
                    outcome: CallOutcome(rawValue: device["outcome"]?.string ?? "") ?? .incomplete)
            }
            return Participant(
                id: id, role: ParticipantRole(rawValue: participant["role"]?.string ?? "") ?? .peer,
                label: participant["label"]?.string ?? "", partyKey: key,
                endpoints: (participant["endpoints"]?.array ?? []).compactMap {
                    $0.string.flatMap { Endpoint(Substring($0)) }
                },
                user: participant["user"]?.string, agent: participant["agent"]?.string, devices: devices,
                outcome: participant["outcome"]?.string.flatMap(CallOutcome.init))
        }
        let start = steps.first?.time ?? .zero
        return Call(
            signalingProtocol: .whatsapp, callID: json["call_id"]?.string ?? "", linkedCallIDs: [],
            method: json["method"]?.string ?? "", participants: participants, steps: steps,
            outcome: CallOutcome(rawValue: json["outcome"]?.string ?? "") ?? .incomplete,
            timing: CallTiming(start: start, end: steps.last?.time ?? start),
            openQuestions: (json["open_questions"]?.array ?? []).compactMap(\.string),
            settlingStep: json["settling_step"]?.integer)
    }

    /// The inputs' messages grouped by call in order of arrival, as the collector hands them on.
    static func decode(_ inputs: [String]) throws -> [[SignalingMessage]] {
        let sink = CollectingSink()
        let tracker = WhatsAppTrafficTracker(sink: sink)
        for (index, input) in inputs.enumerated() {
            let bytes = Array(try Data(contentsOf: Fixture.repository.appendingPathComponent(input)))
            if input.hasSuffix(".pcap") || input.hasSuffix(".pcapng") {
                try track(bytes, captureIndex: index, with: tracker)
            } else {
                let name = String(input.split(separator: "/").last!)
                WhatsAppLogDecoder().decode(bytes: bytes, fileName: name, captureIndex: index, into: sink)
            }
        }
        tracker.finish()
        return WhatsAppCallPolicy.grouped(sink.messages)
    }

    /// Hands a capture's TCP connections and UDP datagrams to the tracker, as the decoder registry does
    /// for a capture of WhatsApp traffic alone.
    static func track(_ bytes: [UInt8], captureIndex: Int, with tracker: WhatsAppTrafficTracker) throws {
        let run = try runPipeline(capture: bytes, name: "input.pcapng")
        let table = FlowTable(classifier: TrackerClassifier(tracker: tracker), tracksUDP: false)
        for packet in run.packets {
            var stamp = packet.stamp
            stamp.source.capture = captureIndex
            packet.payload.withUnsafeBytes { payload in
                let transport = TransportPacket(
                    transport: packet.transport, source: packet.source, destination: packet.destination,
                    payload: payload, missingPayloadBytes: packet.missingPayloadBytes, tcp: packet.tcp, stamp: stamp,
                    wireLength: packet.wireLength, fragmentCount: packet.fragmentCount)
                if packet.transport == .udp { tracker.datagram(transport) } else { table.add(transport) }
            }
        }
        table.finish()
    }

    final class TrackerClassifier: StreamClassifier {
        let tracker: WhatsAppTrafficTracker

        init(tracker: WhatsAppTrafficTracker) {
            self.tracker = tracker
        }

        func classify(
            _ stream: StreamInfo, direction: StreamDirection, firstBytes: UnsafeRawBufferPointer
        ) -> StreamClassification {
            if let consumer = tracker.classify(stream, direction: direction, firstBytes: firstBytes) {
                return .consume(consumer)
            }
            return firstBytes.count >= 3 && (20...23).contains(firstBytes[0]) && firstBytes[1] == 3
                ? .ignore : .undecided
        }
    }

    static func describe(_ message: SignalingMessage) -> String {
        [
            "\(message.stamp.source.capture):\(message.stamp.source.frame)", message.stamp.time.epochString,
            message.kind.rawValue,
            message.transport.rawValue, message.confidence.rawValue, message.sender.endpoint?.description ?? "-",
            message.receiver.endpoint?.description ?? "-", message.label, message.notes.joined(separator: " | "),
            message.attributes.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
        ].joined(separator: "\n")
    }

    static func describe(golden message: JSONValue) -> String {
        func text(_ key: String) -> String { message[key]?.string ?? "-" }
        func number(_ key: String) -> String {
            switch message[key] {
            case .int(let value)?: return String(value)
            case .number(let value)?: return value
            default: return "-"
            }
        }
        return [
            "\(number("capture")):\(number("frame"))", epoch(number("time")), text("kind"), text("transport"),
            text("confidence"), text("src"), text("dst"), text("label"),
            (message["notes"]?.array ?? []).compactMap(\.string).joined(separator: " | "),
            (message["attributes"]?.object ?? []).map { "\($0.0)=\($0.1.string ?? "?")" }.joined(separator: " "),
        ].joined(separator: "\n")
    }

    /// `1773324432.3595` as `epochString` writes it: nine decimals.
    static func epoch(_ text: String) -> String {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        return "\(parts[0])." + fraction + String(repeating: "0", count: max(0, 9 - fraction.count))
    }
}
