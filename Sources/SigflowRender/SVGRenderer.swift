import SigflowCore

/// Draws a call as an SVG picture by itself (no script, no external renderer, no network), from the
/// same layout as the ladder and the Mermaid diagram: lifelines with their labels, numbered arrows
/// (requests solid, responses dashed, inferred dotted, media faint), notes, pauses, steps a finding
/// names highlighted and the findings listed below. All capture text is XML-escaped, with controls
/// made visible first.
public struct SVGRenderer {
    static let columnWidth = 190
    static let left = 50
    static let headerHeight = 80
    static let rowHeight = 30
    static let noteHeight = 16
    static let characterWidth = 7

    public init() {}

    /// One call as a whole SVG document.
    public func document(_ call: Call) -> String {
        let (body, width, height) = drawing(call)
        return Self.open(width: width, height: height) + body + "</svg>\n"
    }

    /// Several calls in one document, one under the other, each headed by its number and id.
    public func document(_ calls: [Call]) -> String {
        guard calls.count != 1 else { return document(calls[0]) }
        var body = ""
        var top = 0
        var width = 400
        for (index, call) in calls.enumerated() {
            let (drawing, callWidth, height) = drawing(call)
            body +=
                "<text x=\"10\" y=\"\(top + 20)\" class=\"call\">Call \(index + 1) of \(calls.count): "
                + "\(Self.escape(call.callID))</text>\n"
            body += "<g transform=\"translate(0,\(top + 30))\">\n\(drawing)</g>\n"
            top += height + 40
            width = max(width, callWidth)
        }
        return Self.open(width: width, height: max(top, 40)) + body + "</svg>\n"
    }

    static func open(width: Int, height: Int) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
        font-family="Helvetica, Arial, sans-serif" font-size="12">
        <style>
        .lane { stroke: #999; stroke-width: 1; }
        .request { stroke: #222; stroke-width: 1.4; fill: none; }
        .response { stroke: #222; stroke-width: 1.4; stroke-dasharray: 6 4; fill: none; }
        .inferred { stroke: #888; stroke-width: 1.2; stroke-dasharray: 2 3; fill: none; }
        .media { stroke: #2a7; stroke-width: 1.2; stroke-dasharray: 1 3; fill: none; }
        .head { fill: #eef2f7; stroke: #556; }
        .name { font-weight: bold; }
        .label { text-anchor: middle; }
        .note { fill: #555; font-size: 11px; }
        .pause { fill: #777; font-style: italic; text-anchor: middle; }
        .number { fill: #555; text-anchor: end; }
        .finding { fill: #fff3cd; }
        .flagged { fill: #b00; font-weight: bold; text-anchor: end; }
        .call { font-weight: bold; font-size: 14px; }
        </style>
        <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" \
        orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#222"/></marker></defs>

        """
    }

    /// The call's picture without the document around it, and its size.
    func drawing(_ call: Call) -> (body: String, width: Int, height: Int) {
        let layout = CallLayout(call)
        let count = max(layout.lifelines.count, 1)
        let width = Self.left + count * Self.columnWidth
        let center = { (column: Int) in Self.left + column * Self.columnWidth + Self.columnWidth / 2 }
        var body = ""
        var y = Self.headerHeight + 20
        for row in layout.rows {
            switch row {
            case .pause(let seconds):
                body +=
                    "<text x=\"\(width / 2)\" y=\"\(y + 4)\" class=\"pause\">... "
                    + "\(Self.escape(MermaidRenderer.seconds(seconds))) later ...</text>\n"
                y += Self.rowHeight - 6
            case .step(let step):
                let from = center(step.from)
                let to = center(step.to)
                if !step.findings.isEmpty {
                    body +=
                        "<rect x=\"0\" y=\"\(y - 18)\" width=\"\(width)\" height=\"\(Self.rowHeight - 4)\" "
                        + "class=\"finding\"/>\n"
                }
                let numberClass = step.findings.isEmpty ? "number" : "flagged"
                body += "<text x=\"\(Self.left - 10)\" y=\"\(y + 4)\" class=\"\(numberClass)\">\(step.number)</text>\n"
                let style = Self.className(step.style)
                let room = max(abs(to - from), Self.columnWidth) / Self.characterWidth - 2
                let label = Self.escape(CallLayout.shortened(step.text, to: room))
                if from == to {
                    body +=
                        "<path d=\"M\(from),\(y - 6) h30 v12 h-30\" class=\"\(style)\" marker-end=\"url(#arrow)\"/>\n"
                    body += "<text x=\"\(from + 36)\" y=\"\(y + 4)\">\(label)</text>\n"
                } else {
                    body +=
                        "<line x1=\"\(from)\" y1=\"\(y)\" x2=\"\(to)\" y2=\"\(y)\" class=\"\(style)\" "
                        + "marker-end=\"url(#arrow)\"/>\n"
                    body += "<text x=\"\((from + to) / 2)\" y=\"\(y - 5)\" class=\"label\">\(label)</text>\n"
                }
                y += Self.rowHeight
                for note in step.notes {
                    let text = Self.escape(CallLayout.shortened(note, to: 2 * Self.columnWidth / Self.characterWidth))
                    body += "<text x=\"\(min(from, to) + 6)\" y=\"\(y - 10)\" class=\"note\">\(text)</text>\n"
                    y += Self.noteHeight
                }
            }
        }
        let bottom = y
        var lanes = ""
        for (index, lifeline) in layout.lifelines.enumerated() {
            let x = center(index)
            let left = x - Self.columnWidth / 2 + 6
            lanes += "<line x1=\"\(x)\" y1=\"\(Self.headerHeight)\" x2=\"\(x)\" y2=\"\(bottom)\" class=\"lane\"/>\n"
            lanes +=
                "<rect x=\"\(left)\" y=\"8\" width=\"\(Self.columnWidth - 12)\" height=\"\(Self.headerHeight - 16)\" "
                + "rx=\"4\" class=\"head\"><title>\(Self.escape(lifeline.label))</title></rect>\n"
            lanes += "<text x=\"\(left + 6)\" y=\"26\" class=\"name\">\(Self.escape(lifeline.id))</text>\n"
            // The label in at most three lines under the name; the whole of it is the box's title.
            let lineWidth = (Self.columnWidth - 24) / Self.characterWidth
            var split = CallLayout.wrapped(lifeline.label, width: lineWidth)
            if split.count > 3 {
                split = Array(split.prefix(2)) + [CallLayout.shortened(split[2] + " …", to: lineWidth)]
            }
            for (line, text) in split.enumerated() {
                lanes += "<text x=\"\(left + 6)\" y=\"\(40 + line * 13)\" class=\"note\">\(Self.escape(text))</text>\n"
            }
        }
        var height = bottom + 10
        var findings = ""
        for finding in call.findings {
            let text = CallLayout.findingText(finding)
            for line in CallLayout.wrapped(text, width: (width - 20) / Self.characterWidth) {
                findings +=
                    "<text x=\"10\" y=\"\(height + 10)\" class=\"flagged\" text-anchor=\"start\" "
                    + "style=\"text-anchor: start\">\(Self.escape(line))</text>\n"
                height += 16
            }
        }
        return (lanes + body + findings, width, height + 10)
    }

    static func className(_ style: CallLayout.Style) -> String {
        switch style {
        case .request: return "request"
        case .response: return "response"
        case .inferred: return "inferred"
        case .media: return "media"
        }
    }

    /// Text for XML: controls made visible first (XML 1.0 cannot hold most of them), then the five
    /// markup characters as entities.
    static func escape(_ text: String) -> String {
        var output = ""
        for character in TerminalText.escape(text) {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&apos;"
            default: output.append(character)
            }
        }
        return output
    }
}
