import SigflowCore

/// An expected call flow, written as a document in the seed's shape: the Mermaid block is the
/// expected sequence, the steps table repeats it with a Confidence column.
public struct FlowTemplate: Sendable {
    public struct ExpectedStep: Hashable, Sendable {
        public var number: Int
        public var from: String
        public var to: String
        /// The message as the template names it, without confidence tags such as `[probable]`.
        public var label: String
    }

    public var text: String
    public var title: String
    public var steps: [ExpectedStep]

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case noMermaidBlock
        case noSteps

        public var description: String {
            switch self {
            case .noMermaidBlock: return "no ```mermaid block with the expected sequence"
            case .noSteps: return "the mermaid block has no arrows"
            }
        }
    }

    public init(text: String) throws(ParseError) {
        self.text = text
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        title = lines.first { $0.hasPrefix("# ") }.map { String($0.dropFirst(2)) } ?? ""
        guard let start = lines.firstIndex(where: { $0.trimmingCharacters == "```mermaid" }) else {
            throw .noMermaidBlock
        }
        var steps: [ExpectedStep] = []
        for line in lines[(start + 1)...] {
            let trimmed = line.trimmingCharacters
            if trimmed.hasPrefix("```") { break }
            if let step = Self.arrow(trimmed, number: steps.count + 1) { steps.append(step) }
        }
        guard !steps.isEmpty else { throw .noSteps }
        self.steps = steps
    }

    /// Arrows Mermaid knows, longest first so `-->>` is not read as `->`.
    static let arrows = ["-->>", "->>", "--)", "-)", "--x", "-x", "-->", "->"]

    static func arrow(_ line: String, number: Int) -> ExpectedStep? {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let head = line[..<colon]
        for arrow in arrows {
            guard let start = head.indices.first(where: { head[$0...].hasPrefix(arrow) }) else { continue }
            let from = head[..<start].trimmingCharacters
            let to = head[head.index(start, offsetBy: arrow.count)...].trimmingCharacters.trimmingLeading("+-")
            guard !from.isEmpty, !to.isEmpty, !from.contains(" "), !to.contains(" ") else { return nil }
            var label = line[line.index(after: colon)...].trimmingCharacters
            // Confidence tags: `[probable]`, `[speculative]`, `[observed]`, `[inferred]`.
            while label.hasSuffix("]"), let open = label.lastIndex(of: "[") {
                label = String(label[..<open]).trimmingCharacters
            }
            return ExpectedStep(number: number, from: from, to: to, label: label)
        }
        return nil
    }
}

extension StringProtocol {
    var trimmingCharacters: String {
        guard let start = firstIndex(where: { !$0.isWhitespace }), let end = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[start...end])
    }

    func trimmingLeading(_ characters: String) -> String {
        String(drop { characters.contains($0) })
    }
}
