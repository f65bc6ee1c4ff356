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
        let calls = groupedByLegs(calls)
        switch format {
        case .json:
            return CallJSON.document(
                calls: calls, clockOffsets: clockOffsets, captures: provenance.inputs.map(\.name), tls: provenance.tls
            )
            .rendered()
        case .mermaid:
            return calls.enumerated().map { index, call in
                (calls.count > 1 ? "%% call \(index + 1): \(MermaidText.escape(call.callID))\(legsNote(call))\n" : "")
                    + document.mermaid.diagram(call)
            }.joined(separator: "\n")
        case .markdown:
            return calls.map { document.render($0, provenance: provenance) }.joined(separator: "\n---\n\n")
        }
    }

    /// The calls in their order, except that the legs of one call (B2BUA legs, a transfer) follow
    /// the first of them, so a linked call reads as one group.
    public static func groupedByLegs(_ calls: [Call]) -> [Call] {
        var placed: Set<String> = []
        var grouped: [Call] = []
        for call in calls where !placed.contains(call.callID) {
            for member in calls where member.callID == call.callID || call.linkedCallIDs.contains(member.callID) {
                if placed.insert(member.callID).inserted { grouped.append(member) }
            }
        }
        return grouped
    }

    static func legsNote(_ call: Call) -> String {
        call.linkedCallIDs.isEmpty
            ? "" : " (linked with \(call.linkedCallIDs.map { MermaidText.escape($0) }.joined(separator: ", ")))"
    }
}

/// The version sigflow reports in `--version` and in the provenance line of its documents.
public enum SigflowVersion {
    public static let current = "0.1.0"
    /// The date the man page carries (scripts/gen-manual reads it), so regenerating is reproducible.
    public static let releaseDate = "2026-11-22"
}
