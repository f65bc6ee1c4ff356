import SigflowCore
import SigflowCorrelator

/// What `sigflow flow` prints, in one place for the CLI and the golden-output tests.
public enum FlowOutput {
    public enum Format: String, Sendable, CaseIterable {
        case mermaid, markdown, json
    }

    /// - Parameter inputs: the inputs as named on the command line, for provenance.
    public static func render(
        _ calls: [Call], format: Format, clockOffsets: [ClockOffset], provenance: Provenance,
        document: MarkdownDocument
    ) -> String {
        switch format {
        case .json:
            return CallJSON.document(calls: calls, clockOffsets: clockOffsets, captures: provenance.inputs.map(\.name))
                .rendered()
        case .mermaid:
            return calls.enumerated().map { index, call in
                (calls.count > 1 ? "%% call \(index + 1): \(MermaidText.escape(call.callID))\n" : "")
                    + document.mermaid.diagram(call)
            }.joined(separator: "\n")
        case .markdown:
            return calls.map { document.render($0, provenance: provenance) }.joined(separator: "\n---\n\n")
        }
    }
}

/// The version sigflow reports in `--version` and in the provenance line of its documents.
public enum SigflowVersion {
    public static let current = "0.1.0"
    /// The date the man page carries (scripts/gen-manual reads it), so regenerating is reproducible.
    public static let releaseDate = "2026-11-22"
}
