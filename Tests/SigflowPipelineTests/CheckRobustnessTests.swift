import Foundation
import SigflowChecks
import SigflowCore
import SigflowMatrix
import SigflowPipeline
import SigflowProtocols
import SigflowRender
import SigflowSIP
import SigflowWhatsApp
import Testing

/// Every rule reads decoded numbers (Matrix lifetimes and ages, CSeq numbers, WhatsApp stanza times
/// and log lines) that a hostile peer chose. The calls of the lab captures, with every such number
/// replaced by an extreme value, go through all the rules: each must return, never trap on overflow
/// or a bad number; and the renderers must still draw them.
struct CheckRobustnessTests {
    static let extremes: [Int] = [.min, .max, -1, 0, 1]
    /// The text numbers WhatsApp logs print, which rules parse: every extreme of `extremes` and
    /// numbers no integer holds.
    static let textExtremes = [
        "-9223372036854775808", "9223372036854775807", "-1", "0", "", "99999999999999999999", "1e309", "NaN",
    ]

    /// The message with its numbers set to the `pick`-th extremes.
    static func extreme(_ message: SignalingMessage, _ pick: (Int) -> Int) -> SignalingMessage {
        var message = message
        if var sip = message.sip {
            sip.cseqNumber = [UInt32.min, UInt32.max, 1][pick(3)]
            message.detail = sip
        } else if var matrix = message.matrix {
            matrix.lifetime = matrix.lifetime.map { _ in extremes[pick(extremes.count)] }
            matrix.age = matrix.age.map { _ in extremes[pick(extremes.count)] }
            message.detail = matrix
        } else if case .log(var log) = message.detail as? WhatsAppDetail {
            log.logLine = log.logLine.map { _ in extremes[pick(extremes.count)] }
            log.root.t = log.root.t.map { _ in textExtremes[pick(textExtremes.count)] }
            log.actionAttributes = log.actionAttributes.map { attribute in
                var attribute = attribute
                if isNumber(attribute.value) { attribute.value = textExtremes[pick(textExtremes.count)] }
                return attribute
            }
            message.detail = WhatsAppDetail.log(log)
        }
        return message
    }

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
        // Rounds give each number every extreme, next to different ones in other fields (a lifetime
        // minus an age overflows only when the two differ).
        for round in 0..<(2 * Self.textExtremes.count) {
            var counter = 0
            let pick = { (count: Int) -> Int in
                counter += 1
                return (counter * (round + 1) + round) % count
            }
            let calls = result.calls.map { call in
                var call = call
                call.findings = []
                for index in call.steps.indices {
                    call.steps[index].message = Self.extreme(call.steps[index].message, pick)
                }
                return call
            }
            let end = result.captures.compactMap(\.lastTime).max()
            let checked = Checker(rules: Protocols.rules).check(calls, context: CheckContext(captureEnd: end))
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
