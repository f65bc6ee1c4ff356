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
            // One diagram is a valid .mmd file; several are not, so they go out as Markdown with a
            // fenced block per call, which renderers (GitHub, mermaid-cli) take as it is.
            guard calls.count > 1 else { return calls.first.map(document.mermaid.diagram) ?? "" }
            return calls.enumerated().map { index, call in
                "## Call \(index + 1): \(MarkdownText.code(call.callID))\(legsNote(call))\n\n```mermaid\n"
                    + document.mermaid.diagram(call) + "```\n"
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

    /// `flow --format mermaid -o DIR`: one diagram file per call, named like `report`'s documents.
    public static func mermaidFiles(_ calls: [Call], mermaid: MermaidRenderer) -> [(name: String, text: String)] {
        groupedByLegs(calls).enumerated().map { index, call in
            (ReportIndex.fileName(for: call, index: index + 1, extension: "mmd"), mermaid.diagram(call))
        }
    }

    static func legsNote(_ call: Call) -> String {
        call.linkedCallIDs.isEmpty
            ? "" : " (linked with \(call.linkedCallIDs.map { MarkdownText.code($0) }.joined(separator: ", ")))"
    }
}

/// The version sigflow reports in `--version` and in the provenance line of its documents.
public enum SigflowVersion {
    public static let current = "0.1.0"
    /// The date the man page carries (scripts/gen-manual reads it), so regenerating is reproducible.
    public static let releaseDate = "2026-11-22"
}
