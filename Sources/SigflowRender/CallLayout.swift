import SigflowCore

/// A call laid out for drawing: its lifelines in order and its rows (steps and the pauses between
/// them), computed once so that every picture of the call (Mermaid, the terminal ladder) shows the
/// same steps with the same words. Text here is raw capture text: each renderer escapes it its way.
public struct CallLayout {
    public struct Lifeline {
        /// The participant's alias (`caller`, `proxy`, `callee1`) and its full label.
        public let id: String
        public let label: String
    }

    public enum Style: Sendable {
        /// Requests and events: a solid arrow.
        case request
        /// Responses and acknowledgements: a dashed arrow.
        case response
        /// A step inferred, not seen.
        case inferred
        /// A media stream's start or stop.
        case media
    }

    public struct Step {
        public let number: Int
        public let from: Int
        public let to: Int
        public let style: Style
        /// The message's label, and what is said after it: how often it was sent, whether it was
        /// inferred (` (sent 3 times) [inferred]`).
        public let label: String
        public let remarks: String
        public var text: String { label + remarks }
        /// Time of day (`21:44:10.841`) and seconds since the previous step.
        public let clock: String
        public let delta: Double
        public let notes: [String]
        /// The findings that name this step.
        public let findings: [Finding]
    }

    public enum Row {
        case pause(seconds: Double)
        case step(Step)
    }

    public let lifelines: [Lifeline]
    public let rows: [Row]

    /// - Parameter pauseThreshold: pauses longer than this many seconds get a row of their own.
    public init(_ call: Call, pauseThreshold: Double = 2) {
        lifelines = call.participants.map { Lifeline(id: $0.id, label: $0.label) }
        let column = Dictionary(call.participants.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        var rows: [Row] = []
        var previous: CallStep?
        for step in call.steps {
            let delta = previous.map { Double(step.time.nanoseconds(since: $0.time)) / 1e9 } ?? 0
            if previous != nil, delta > pauseThreshold { rows.append(.pause(seconds: delta)) }
            rows.append(
                .step(
                    Step(
                        number: step.number, from: column[step.from] ?? 0, to: column[step.to] ?? 0,
                        style: Self.style(step), label: step.message.label, remarks: Self.remarks(step),
                        clock: String(step.time.iso8601.dropFirst(11).dropLast()), delta: delta,
                        notes: step.message.notes, findings: call.findings.filter { $0.steps.contains(step.number) })))
            previous = step
        }
        self.rows = rows
    }

    static func style(_ step: CallStep) -> Style {
        if step.message.confidence == .inferred { return .inferred }
        if step.message.kind == .media { return .media }
        return step.message.statusCode != nil || step.message.kind == .acknowledgement ? .response : .request
    }

    /// ` (sent 3 times)`, ` [inferred]`, or nothing.
    static func remarks(_ step: CallStep) -> String {
        var text = ""
        let copies = 1 + step.retransmissions.count
        if copies > 1 { text += " (sent \(copies) times)" }
        if step.message.confidence == .inferred { text += " [inferred]" }
        return text
    }

    /// A finding as a line under the picture: `error sip.S1.answer-after-decline (step 4, 5): ...`.
    public static func findingText(_ finding: Finding) -> String {
        let steps = finding.steps.isEmpty ? "" : " (step \(finding.steps.map(String.init).joined(separator: ", ")))"
        return "\(finding.severity.rawValue) \(finding.ruleID)\(steps): \(finding.message)"
    }

    /// `text` cut to `count` characters, ending in `marker` where it was cut.
    public static func shortened(_ text: String, to count: Int, marker: String = "…") -> String {
        guard text.count > count else { return text }
        guard count > marker.count else { return String(text.prefix(max(count, 0))) }
        return String(text.prefix(count - marker.count)) + marker
    }

    /// `text` in lines of at most `width` characters, broken at spaces where it can be (a word
    /// longer than a line is cut), each line after the first starting with `continuation`.
    public static func wrapped(_ text: String, width: Int, continuation: String = "") -> [String] {
        var lines: [String] = []
        var rest = Substring(text)
        var lead = ""
        while lead.count + rest.count > width {
            let room = max(width - lead.count, 1)
            let window = rest.prefix(room)
            let cut = window.lastIndex(of: " ").map { rest.index(after: $0) } ?? window.endIndex
            var line = Substring(lead + rest[..<cut])
            while line.last == " " { line.removeLast() }
            lines.append(String(line))
            rest = rest[cut...]
            lead = continuation
        }
        if !rest.isEmpty { lines.append(lead + rest) }
        return lines
    }
}
