import Foundation
import SigflowChecks
import SigflowCore
import SigflowPipeline
import SigflowTestSupport
import Testing

/// Each shipped expected flow (templates/flows/*.md) parses, draws in real mermaid.js, and matches
/// the lab capture or log set it describes step for step, with nothing extra.
struct FlowTemplateTests {
    struct Case: CustomStringConvertible, Sendable {
        var template: String
        var inputs: [String]
        var callID: String
        var steps: Int
        var description: String { template }
    }

    static let cases = [
        Case(
            template: "sip-decline", inputs: ["captures/lab/sip/decline-603.pcap"],
            callID: "4b3b3585519ae4fe09d0493a@127.0.0.2", steps: 4),
        Case(
            template: "sip-cancel", inputs: ["captures/lab/sip/cancel-ringing.pcap"],
            callID: "8d7ee83f26a834c30b7afc75@127.0.0.2", steps: 6),
        Case(
            template: "sip-forked-decline", inputs: ["captures/lab/sip/fork-decline.pcap"],
            callID: "ea1159a29b237ff7fadf2f62@127.0.0.2", steps: 13),
        Case(
            template: "matrix-reject", inputs: ["captures/lab/matrix/v1-reject.pcap"], callID: "c-reject-1", steps: 6),
        Case(
            template: "xmpp-jmi-reject", inputs: ["captures/lab/xmpp/jmi-reject.pcap"], callID: "jmi-reject-1",
            steps: 12),
        Case(
            template: "whatsapp-1on1-reject",
            inputs: [
                "captures/whatsapp/seed-reject/callee-desktop.log", "captures/whatsapp/seed-reject/callee-phone.jsonl",
                "captures/whatsapp/seed-reject/caller.log",
            ],
            callID: "C4E3C0E4F30BE92FA7C49FB5DC68E397", steps: 14),
    ]

    static func template(_ name: String) throws -> FlowTemplate {
        try FlowTemplate(
            text: String(
                contentsOf: Paths.repository.appendingPathComponent("templates/flows/\(name).md"), encoding: .utf8))
    }

    @Test func everyShippedTemplateIsTested() throws {
        let shipped = try FileManager.default.contentsOfDirectory(
            atPath: Paths.repository.appendingPathComponent("templates/flows").path
        ).filter { $0.hasSuffix(".md") }.map { String($0.dropLast(3)) }
        #expect(Set(shipped) == Set(Self.cases.map(\.template)))
    }

    @Test(arguments: cases)
    func templateMatchesItsCaptureStepForStep(testCase: Case) throws {
        let template = try Self.template(testCase.template)
        let result = try CallsJob.run(
            PipelineConfiguration(
                inputs: testCase.inputs.map { .file(Paths.repository.appendingPathComponent($0).path) }))
        let call = try #require(result.calls.first { $0.callID == testCase.callID })
        let match = FlowMatcher.match(call, against: template)
        #expect(match.entries.map(\.status) == Array(repeating: .observed, count: template.steps.count))
        #expect(match.extras.map(\.message.label) == [])
        #expect(template.steps.count == testCase.steps)
        // Observed steps keep the capture's order.
        let numbers = match.entries.compactMap(\.step?.number)
        #expect(numbers == numbers.sorted())
    }

    @Test(.enabled(if: MermaidCheck.isAvailable, "../shared/tools/mermaid-check is absent"))
    func templatesDrawInMermaid() throws {
        let diagrams = try Self.cases.map { try Self.template($0.template).text }.map { text in
            let body = text.components(separatedBy: "```mermaid\n")[1]
            return body.components(separatedBy: "```")[0]
        }
        let result = try MermaidCheck.run(diagrams)
        #expect(result.status == 0, "mermaid-check: \(result.output)")
    }
}
