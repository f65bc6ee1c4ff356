import SigflowCore
import SigflowCorrelator

/// What `sigflow flow` prints, in one place for the CLI and the golden-output tests.
public enum FlowOutput {
    public enum Format: String, Sendable, CaseIterable {
        case mermaid, markdown, json, ladder, svg
    }

    /// What `write` writes, as one string.
    public static func render(
        _ calls: [Call], format: Format, clockOffsets: [ClockOffset], provenance: Provenance,
        document: MarkdownDocument, ladder: LadderRenderer = LadderRenderer()
    ) -> String {
        var text = ""
        write(
            calls, format: format, clockOffsets: clockOffsets, provenance: provenance, document: document,
            ladder: ladder, to: &text)
        return text
    }

    /// The calls in `format`, written call by call into `output`.
    public static func write<Output: TextOutputStream>(
        _ calls: [Call], format: Format, clockOffsets: [ClockOffset], provenance: Provenance,
        document: MarkdownDocument, ladder: LadderRenderer = LadderRenderer(), to output: inout Output
    ) {
        let calls = groupedByLegs(calls)
        switch format {
        case .json:
            CallJSON.write(
                calls: calls, clockOffsets: clockOffsets, captures: provenance.inputs.map(\.name), tls: provenance.tls,
                to: &output)
        case .mermaid:
            // One diagram is a valid .mmd file; several are not, so they go out as Markdown with a
            // fenced block per call, which renderers (GitHub, mermaid-cli) take as it is.
            guard calls.count > 1 else {
                output.write(calls.first.map(document.mermaid.diagram) ?? "")
                return
            }
            for (index, call) in calls.enumerated() {
                output.write(
                    (index > 0 ? "\n" : "") + "## Call \(index + 1): \(MarkdownText.code(call.callID))\(legsNote(call))"
                        + "\n\n```mermaid\n" + document.mermaid.diagram(call) + "```\n")
            }
        case .markdown:
            for (index, call) in calls.enumerated() {
                output.write((index > 0 ? "\n---\n\n" : "") + document.render(call, provenance: provenance))
            }
        case .svg:
            output.write(SVGRenderer().document(calls))
        case .ladder:
            // Several calls: each headed by a rule with its number and id.
            for (index, call) in calls.enumerated() {
                if calls.count > 1 {
                    output.write((index > 0 ? "\n" : "") + ladder.heading(call, number: index + 1, of: calls.count))
                }
                output.write(ladder.ladder(call))
            }
        }
    }

    /// The calls in their order, except that the legs of one call (B2BUA legs, a transfer) and the
    /// later calls of a reused Call-ID follow the first of them, so a linked call reads as one group.
    /// Calls are found by Call-ID through an index: a capture of a proxy holds a hundred thousand.
    public static func groupedByLegs(_ calls: [Call]) -> [Call] {
        var positions: [String: [Int]] = [:]
        for (index, call) in calls.enumerated() { positions[call.callID, default: []].append(index) }
        var placed = [Bool](repeating: false, count: calls.count)
        var grouped: [Call] = []
        grouped.reserveCapacity(calls.count)
        for index in calls.indices where !placed[index] {
            let call = calls[index]
            let members = ([call.callID] + call.linkedCallIDs).flatMap { positions[$0] ?? [] }.sorted()
            for member in members where !placed[member] {
                placed[member] = true
                grouped.append(calls[member])
            }
        }
        return grouped
    }

    /// `flow --format mermaid|svg -o DIR`: one diagram file per call, named like `report`'s
    /// documents.
    public static func diagramFiles(
        _ calls: [Call], format: Format, mermaid: MermaidRenderer
    ) -> [(name: String, text: String)] {
        groupedByLegs(calls).enumerated().map { index, call in
            format == .svg
                ? (ReportIndex.fileName(for: call, index: index + 1, extension: "svg"), SVGRenderer().document(call))
                : (ReportIndex.fileName(for: call, index: index + 1, extension: "mmd"), mermaid.diagram(call))
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
