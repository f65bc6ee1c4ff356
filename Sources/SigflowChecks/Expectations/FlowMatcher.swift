import SigflowCore

/// How a call measures up to an expected flow.
public struct FlowMatch: Sendable {
    public enum Status: String, Sendable {
        case observed
        /// Seen, but earlier than a step the template puts before it.
        case observedOutOfOrder = "observed-out-of-order"
        case missing
    }

    public struct Entry: Sendable {
        public var expected: FlowTemplate.ExpectedStep
        public var status: Status
        public var step: CallStep?
    }

    public var callID: String
    public var entries: [Entry]
    /// Observed steps the template does not mention.
    public var extras: [CallStep]

    public var missingCount: Int { entries.filter { $0.status == .missing }.count }

    /// The rules `--expect` adds: a missing step is an error, an extra or out-of-order step a warning.
    public static let missingStep = RuleDescriptor(
        id: "expect.missing-step", signalingProtocol: nil, severity: .error,
        summary: "A step of the expected-flow template (--expect) was not observed.",
        clause: "the expected-flow template given with --expect")
    public static let outOfOrderStep = RuleDescriptor(
        id: "expect.out-of-order-step", signalingProtocol: nil, severity: .warning,
        summary: "A step of the expected-flow template (--expect) was observed before a step it should follow.",
        clause: "the expected-flow template given with --expect")
    public static let extraStep = RuleDescriptor(
        id: "expect.extra-step", signalingProtocol: nil, severity: .warning,
        summary: "An observed step is not in the expected-flow template (--expect).",
        clause: "the expected-flow template given with --expect")
    public static let ruleDescriptors = [missingStep, outOfOrderStep, extraStep]

    /// The match as findings, so `--fail-on` covers templates too. Each rests on the template itself.
    public func findings(templateName: String) -> [Finding] {
        var findings: [Finding] = []
        func add(_ rule: RuleDescriptor, _ message: String, steps: [Int]) {
            var finding = rule.finding(message, steps: steps)
            finding.clause = templateName
            findings.append(finding)
        }
        for entry in entries where entry.status == .missing {
            add(
                Self.missingStep,
                "Expected step \(entry.expected.number) (\(entry.expected.from) -> \(entry.expected.to): "
                    + "\(entry.expected.label)) of \(templateName) was not observed.", steps: [])
        }
        for entry in entries where entry.status == .observedOutOfOrder {
            add(
                Self.outOfOrderStep,
                "Expected step \(entry.expected.number) (\(entry.expected.label)) of \(templateName) was "
                    + "observed out of order, at step \(entry.step!.number).", steps: [entry.step!.number])
        }
        for extra in extras {
            add(
                Self.extraStep,
                "Step \(extra.number) (\(extra.from) -> \(extra.to): \(extra.message.label)) is not in "
                    + "\(templateName).", steps: [extra.number])
        }
        return findings
    }
}

/// Matches a call's steps against a template, in order: each expected step takes the first unused
/// observed step after the previous match with the same sender, receiver and message.
///
/// Participants match by id (`caller`, `proxy`, `callee2`); a template id without a number (`callee`,
/// `server`, `proxy`) matches any participant whose id starts with it. Messages match exactly or by
/// prefix (`603` matches `603 Decline`), or by status class (`6xx`, `18x`), case-insensitively.
public enum FlowMatcher {
    public static func match(_ call: Call, against template: FlowTemplate) -> FlowMatch {
        var used = Set<Int>()
        var cursor = 0
        var entries: [FlowMatch.Entry] = []
        for expected in template.steps {
            let fits = { (step: CallStep) in
                !used.contains(step.number) && participant(expected.from, matches: step.from)
                    && participant(expected.to, matches: step.to) && label(expected.label, matches: step.message)
            }
            if let index = call.steps[cursor...].firstIndex(where: fits) {
                used.insert(call.steps[index].number)
                cursor = index + 1
                entries.append(.init(expected: expected, status: .observed, step: call.steps[index]))
            } else if let index = call.steps.firstIndex(where: fits) {
                used.insert(call.steps[index].number)
                entries.append(.init(expected: expected, status: .observedOutOfOrder, step: call.steps[index]))
            } else {
                entries.append(.init(expected: expected, status: .missing, step: nil))
            }
        }
        // A 100 Trying is hop-by-hop and only stops retransmissions (RFC 3261 §17.2.1): a flow is the
        // same with or without it, so it is an extra only when the template names it.
        let extras = call.steps.filter { !used.contains($0.number) && $0.message.statusCode != 100 }
        return FlowMatch(callID: call.callID, entries: entries, extras: extras)
    }

    static func participant(_ expected: String, matches observed: String) -> Bool {
        if expected == observed { return true }
        guard expected.last?.isNumber != true, observed.hasPrefix(expected) else { return false }
        return observed.dropFirst(expected.count).allSatisfy(\.isNumber)
    }

    static func label(_ expected: String, matches message: SignalingMessage) -> Bool {
        let wanted = expected.lowercased()
        let seen = message.label.lowercased()
        if wanted == seen || seen.hasPrefix(wanted + " ") || wanted.hasPrefix(seen + " ") { return true }
        // Status classes: 6xx, 18x.
        if let code = message.statusCode, wanted.count == 3, wanted.hasSuffix("x") {
            let digits = String(code)
            let pattern = Array(wanted)
            return zip(pattern, digits).allSatisfy { $0 == "x" || $0 == $1 }
        }
        return false
    }
}
