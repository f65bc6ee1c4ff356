import SigflowCore

/// Draws a call as a ladder for the terminal, like sngrep's call flow but printable: a column per
/// lifeline, a line per step with its arrow between the two columns and the label on it, notes
/// under their step, pauses as `... 12 s later ...`. It fits `width` columns by shortening text,
/// never by wrapping it, and folds the lifelines that do not fit into one column it names. Every
/// piece of capture text goes through `TerminalText`; colours only when asked (a terminal).
public struct LadderRenderer {
    public struct Options: Sendable {
        public var width: Int
        /// Box-drawing characters; ASCII otherwise.
        public var unicode: Bool
        /// ANSI colours: requests, responses, refusals, findings.
        public var color: Bool
        /// Each step's time of day and the delta from the previous step, at the left.
        public var showTime: Bool

        public init(width: Int = 80, unicode: Bool = true, color: Bool = false, showTime: Bool = false) {
            self.width = max(width, Self.minimumWidth)
            self.unicode = unicode
            self.color = color
            self.showTime = showTime
        }

        public static let minimumWidth = 40
    }

    /// The smallest room a column gets; past it lifelines are folded.
    static let minimumColumn = 10

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    struct Glyphs {
        let lane, request, response, media, inferred, right, left, loop, more: Character

        static let unicode = Glyphs(
            lane: "│", request: "─", response: "╌", media: "┄", inferred: "┈", right: "▶", left: "◀", loop: "↺",
            more: "…")
        static let ascii = Glyphs(
            lane: "|", request: "-", response: "=", media: "~", inferred: ":", right: ">", left: "<", loop: "@",
            more: "~")

        func line(_ style: CallLayout.Style) -> Character {
            switch style {
            case .request: return request
            case .response: return response
            case .media: return media
            case .inferred: return inferred
            }
        }
    }

    public func ladder(_ call: Call) -> String {
        let layout = CallLayout(call)
        let glyphs = options.unicode ? Glyphs.unicode : Glyphs.ascii
        let steps = layout.rows.compactMap { row -> CallLayout.Step? in
            if case .step(let step) = row { return step }
            return nil
        }
        // The left margin: step number, a finding mark, and with --time the clock and the delta.
        let timeTexts = steps.map { "\($0.clock) +\(MermaidRenderer.seconds($0.delta))" }
        let numberWidth = max(3, String(steps.last?.number ?? 0).count)
        var timeWidth = options.showTime ? (timeTexts.map(\.count).max() ?? 0) + 1 : 0
        // Times give way where they would leave the lifelines less than two columns' room.
        if options.width - numberWidth - 2 - timeWidth < 2 * Self.minimumColumn { timeWidth = 0 }
        let showTime = timeWidth > 0
        let margin = numberWidth + 2 + timeWidth
        let laneWidth = options.width - margin

        let count = max(layout.lifelines.count, 1)
        let shown = min(count, max(2, laneWidth / Self.minimumColumn))
        let column = { (lifeline: Int) in min(lifeline, shown - 1) }
        let spacing = laneWidth / shown
        // The first lifeline near the margin; what is left over goes to the right, where notes
        // of the last lifeline need it.
        let centers = (0..<shown).map { spacing * $0 + min(spacing / 2, 8) }
        var names = layout.lifelines.prefix(shown).map(\.id)
        let folded = shown < count ? Array(layout.lifelines[(shown - 1)...]) : []
        if !folded.isEmpty { names[shown - 1] = "others" }

        var lines: [String] = []
        func put(_ lane: [Character], prefix: String = "", color: String? = nil) {
            let padded = prefix + String(repeating: " ", count: max(0, margin - prefix.count))
            var text = String(lane)
            while text.hasSuffix(" ") { text.removeLast() }
            lines.append(padded + paint(text, color))
        }
        func lanes() -> [Character] {
            var lane = [Character](repeating: " ", count: laneWidth)
            for center in centers { lane[center] = glyphs.lane }
            return lane
        }
        func write(_ text: String, into lane: inout [Character], from start: Int, upTo end: Int) {
            let room = end - start
            guard room > 0 else { return }
            let fitted = shortened(text, to: room, glyphs)
            for (offset, character) in fitted.enumerated() { lane[start + offset] = character }
        }

        var header = [Character](repeating: " ", count: laneWidth)
        for (index, name) in names.enumerated() {
            let fitted = Array(shortened(TerminalText.escape(name), to: spacing - 1, glyphs))
            let start = max(0, min(laneWidth - fitted.count, centers[index] - fitted.count / 2))
            for (offset, character) in fitted.enumerated() { header[start + offset] = character }
        }
        put(header)
        for (index, lifeline) in layout.lifelines.enumerated() {
            let place = index >= shown - 1 && !folded.isEmpty ? " (in others)" : ""
            let legend = "\(lifeline.id)\(place): \(TerminalText.escape(lifeline.label))"
            lines.append(String(repeating: " ", count: margin) + shortened(legend, to: laneWidth, glyphs))
        }
        put(lanes())

        var stepIndex = 0
        for row in layout.rows {
            switch row {
            case .pause(let seconds):
                var lane = lanes()
                let text = " ... \(MermaidRenderer.seconds(seconds)) later ... "
                let start = max(0, (laneWidth - text.count) / 2)
                write(text, into: &lane, from: start, upTo: laneWidth)
                put(lane)
            case .step(let step):
                var lane = lanes()
                let from = centers[column(step.from)]
                let to = centers[column(step.to)]
                var text = TerminalText.escape(step.label) + step.remarks
                if !folded.isEmpty {
                    if step.from >= shown - 1 { text += " from \(layout.lifelines[step.from].id)" }
                    if step.to >= shown - 1 { text += " to \(layout.lifelines[step.to].id)" }
                }
                if from == to {
                    lane[min(from + 1, laneWidth - 1)] = glyphs.loop
                    write(" " + text, into: &lane, from: min(from + 2, laneWidth), upTo: laneWidth)
                } else {
                    let (low, high) = (min(from, to), max(from, to))
                    for position in (low + 1)..<high { lane[position] = glyphs.line(step.style) }
                    if to > from { lane[high - 1] = glyphs.right } else { lane[low + 1] = glyphs.left }
                    let room = high - low - 5
                    let fitted = shortened(" \(text) ", to: max(room, 0), glyphs)
                    write(fitted, into: &lane, from: low + 2 + max(0, (room - fitted.count) / 2), upTo: high - 2)
                }
                let mark = step.findings.isEmpty ? " " : "!"
                let number = String(step.number)
                var prefix = String(repeating: " ", count: numberWidth - number.count) + number + mark + " "
                if showTime { prefix += timeTexts[stepIndex] }
                put(lane, prefix: prefix, color: color(of: step))
                for note in step.notes {
                    var noteLane = lanes()
                    let start = min(min(from, to) + 2, laneWidth)
                    write(TerminalText.escape(note), into: &noteLane, from: start, upTo: laneWidth)
                    put(noteLane)
                }
                stepIndex += 1
            }
        }
        let findings = call.findings
        if !findings.isEmpty {
            lines.append("")
            for finding in findings {
                let text = "! " + TerminalText.escape(CallLayout.findingText(finding))
                for line in CallLayout.wrapped(text, width: options.width, continuation: "  ") {
                    lines.append(paint(line, finding.severity == .error ? Self.red : Self.yellow))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The rule over each call when there are several: its number and id, cut to the width.
    public func heading(_ call: Call, number: Int, of count: Int) -> String {
        let rule: Character = options.unicode ? "═" : "="
        let linked = call.linkedCallIDs.isEmpty ? "" : " (linked with \(call.linkedCallIDs.joined(separator: ", ")))"
        let head = shortened(
            "\(rule)\(rule) Call \(number) of \(count): \(TerminalText.escape(call.callID + linked)) ",
            to: options.width - 2, options.unicode ? .unicode : .ascii)
        return head + String(repeating: rule, count: options.width - head.count) + "\n"
    }

    static let red = "31"
    static let yellow = "33"
    static let cyan = "36"

    func color(of step: CallLayout.Step) -> String? {
        if !step.findings.isEmpty { return Self.yellow }
        switch step.style {
        case .response where step.label.first.map({ "456".contains($0) }) == true: return Self.red
        case .response: return Self.cyan
        default: return nil
        }
    }

    func paint(_ text: String, _ color: String?) -> String {
        guard options.color, let color, !text.isEmpty else { return text }
        return "\u{1B}[\(color)m\(text)\u{1B}[0m"
    }

    /// `text` cut to `count` characters, ending in `…` (ASCII: `...`, or `~` where that does not fit).
    func shortened(_ text: String, to count: Int, _ glyphs: Glyphs) -> String {
        CallLayout.shortened(text, to: count, marker: options.unicode || count < 4 ? String(glyphs.more) : "...")
    }
}
