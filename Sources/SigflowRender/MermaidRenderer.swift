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
        let layout = CallLayout(call, pauseThreshold: options.pauseThreshold)
        for row in layout.rows {
            switch row {
            case .pause(let seconds):
                lines.append("    Note over \(span): ... \(Self.seconds(seconds)) later ...")
            case .step(let step):
                let from = layout.lifelines[step.from].id
                let to = layout.lifelines[step.to].id
                lines.append("    \(from)\(Self.arrow(step.style))\(to): \(text(of: step))")
                if !step.notes.isEmpty {
                    let over = from == to ? from : "\(from),\(to)"
                    let body = step.notes.prefix(4).map { MermaidText.escape($0, maxLength: 160) }
                        .joined(separator: "<br/>")
                    lines.append("    Note over \(over): \(body)")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Solid for requests and events, dashed for responses and acknowledgements, dotted-open for
    /// steps only inferred, solid-open for media seen (a stream, not a message).
    static func arrow(_ style: CallLayout.Style) -> String {
        switch style {
        case .inferred: return "--)"
        case .media: return "-)"
        case .response: return "-->>"
        case .request: return "->>"
        }
    }

    func text(of step: CallLayout.Step) -> String {
        let text = MermaidText.escape(step.label, maxLength: 80) + step.remarks
        guard options.showTime else { return text }
        return MermaidText.escape(step.clock) + " (+\(Self.seconds(step.delta))) " + text
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
