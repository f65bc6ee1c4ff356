import SigflowCore

/// Draws a call as a Mermaid `sequenceDiagram`.
///
/// Lifelines are declared in order of first appearance with short aliases; requests are solid
/// arrows and responses dashed; retransmissions are marked on the arrow; notes carry what matters
/// (SDP summary, Reason headers); pauses over two seconds get a `... N s later ...` note. Every piece
/// of capture text goes through `MermaidText.escape`.
public struct MermaidRenderer {
    public struct Options: Sendable {
        /// Prefix each arrow with its time of day and the delta from the previous step.
        public var showTime: Bool
        /// Pauses longer than this (seconds) get a separator note.
        public var pauseThreshold: Double

        public init(showTime: Bool = false, pauseThreshold: Double = 2) {
            self.showTime = showTime
            self.pauseThreshold = pauseThreshold
        }
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    public func diagram(_ call: Call) -> String {
        var lines = ["sequenceDiagram", "    autonumber"]
        for participant in call.participants {
            lines.append(
                "    participant \(participant.id) as \(MermaidText.escape(participant.label, maxLength: 120))")
        }
        let span = Self.span(call)
        var previous: CallStep?
        for step in call.steps {
            if let previous {
                let pause = Double(step.time.nanoseconds(since: previous.time)) / 1e9
                if pause > options.pauseThreshold {
                    lines.append("    Note over \(span): ... \(Self.seconds(pause)) later ...")
                }
            }
            lines.append("    \(step.from)\(Self.arrow(step))\(step.to): \(text(of: step, after: previous))")
            let notes = step.message.notes
            if !notes.isEmpty {
                let over = step.from == step.to ? step.from : "\(step.from),\(step.to)"
                let body = notes.prefix(4).map { MermaidText.escape($0, maxLength: 160) }.joined(separator: "<br/>")
                lines.append("    Note over \(over): \(body)")
            }
            previous = step
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Solid for requests and events, dashed for responses and acknowledgements, dotted-open for
    /// steps only inferred, solid-open for media seen (a stream, not a message).
    static func arrow(_ step: CallStep) -> String {
        if step.message.confidence == .inferred { return "--)" }
        if step.message.kind == .media { return "-)" }
        return step.message.statusCode != nil || step.message.kind == .acknowledgement ? "-->>" : "->>"
    }

    func text(of step: CallStep, after previous: CallStep?) -> String {
        var text = MermaidText.escape(step.message.label, maxLength: 80)
        let copies = 1 + step.retransmissions.count
        if copies > 1 { text += " (sent \(copies) times)" }
        if step.message.confidence == .inferred { text += " [inferred]" }
        if options.showTime {
            let delta = previous.map { Double(step.time.nanoseconds(since: $0.time)) / 1e9 } ?? 0
            let clock = String(step.time.iso8601.dropFirst(11).dropLast())
            text = MermaidText.escape(clock) + " (+\(Self.seconds(delta))) " + text
        }
        return text
    }

    /// The first and last lifeline, for notes that span the whole diagram.
    static func span(_ call: Call) -> String {
        guard let first = call.participants.first?.id, let last = call.participants.last?.id else { return "" }
        return first == last ? first : "\(first),\(last)"
    }

    /// `2.5 s`, `0.012 s`, `75 s`.
    static func seconds(_ value: Double) -> String {
        // Client logs give only the time of day, and merged evidence can put a step before the one
        // it answers: say so rather than hide it.
        if value < 0 { return "-" + seconds(-value) }
        if value >= 10 { return "\(Int(value.rounded())) s" }
        let millis = Int((value * 1000).rounded())
        let fraction = String(millis % 1000)
        let trimmed = String(String(repeating: "0", count: 3 - fraction.count) + fraction)
        var text = "\(millis / 1000).\(trimmed)"
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + " s"
    }
}
