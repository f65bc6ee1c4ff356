import Foundation
import SigflowChecks
import SigflowCore
import SigflowPipeline
import SigflowRender
import Testing

/// Every rule reads decoded attributes (Matrix lifetimes and ages, CSeq numbers, WhatsApp log lines)
/// that a hostile peer chose. The calls of the lab captures, with every numeric attribute replaced
/// by an extreme value, go through all the rules: each must return, never trap on overflow or a bad
/// number; and the renderers must still draw them.
struct CheckRobustnessTests {
    static let extremes = [
        "-9223372036854775808", "9223372036854775807", "-1", "0", "", "99999999999999999999", "1e309", "NaN",
    ]

    static let groups: [[String]] = {
        let lab = Paths.captures.appendingPathComponent("lab")
        var groups: [[String]] = []
        for folder in ["sip", "matrix", "xmpp"] {
            let directory = lab.appendingPathComponent(folder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            groups += names.filter { $0.hasSuffix(".pcap") }.sorted().map {
                [directory.appendingPathComponent($0).path]
            }
        }
        let whatsapp = Paths.captures.appendingPathComponent("whatsapp")
        let scenarios = (try? FileManager.default.contentsOfDirectory(atPath: whatsapp.path)) ?? []
        for scenario in scenarios.sorted() {
            let directory = whatsapp.appendingPathComponent(scenario)
            guard scenario != "expected",
                let logs = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
            else { continue }
            groups.append(logs.sorted().map { directory.appendingPathComponent($0).path })
        }
        return groups
    }()

    /// Only numbers are replaced: identities (event ids, tags, branches) keep their values so the
    /// calls keep their shape and every rule gets as far as its arithmetic.
    static func isNumber(_ value: String) -> Bool {
        !value.isEmpty && value.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "-" || $0 == ".") }
    }

    @Test func theLabCapturesAreFound() {
        #expect(Self.groups.count > 50)
    }

    @Test(arguments: groups)
    func everyRuleSurvivesExtremeAttributes(paths: [String]) throws {
        let result = try CallsJob.run(PipelineConfiguration(inputs: paths.map { .file($0) }))
        #expect(!result.calls.isEmpty, "\(paths) gives no call")
        // Rounds give each attribute every extreme, next to different ones in other attributes
        // (a lifetime minus an age overflows only when the two differ).
        for round in 0..<(2 * Self.extremes.count) {
            var counter = 0
            let calls = result.calls.map { call in
                var call = call
                call.findings = []
                for index in call.steps.indices {
                    var attributes = call.steps[index].message.attributes
                    for (key, value) in attributes where Self.isNumber(value) {
                        attributes[key] = Self.extremes[(counter * (round + 1) + round) % Self.extremes.count]
                        counter += 1
                    }
                    call.steps[index].message.attributes = attributes
                }
                return call
            }
            let end = result.captures.compactMap(\.lastTime).max()
            let checked = Checker().check(calls, context: CheckContext(captureEnd: end))
            #expect(checked.map(\.callID) == calls.map(\.callID))
            let provenance = Provenance(version: "test", inputs: paths.map { ($0, 0) }, filter: nil)
            for format in FlowOutput.Format.allCases {
                let output = FlowOutput.render(
                    checked, format: format, clockOffsets: result.clockOffsets, provenance: provenance,
                    document: .builtIn())
                #expect(!output.isEmpty)
            }
        }
    }
}
