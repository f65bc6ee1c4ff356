import Mustache
import SigflowCore

/// `sigflow report`: one document per call and an `index.md` table linking them.
public struct ReportIndex: Sendable {
    public var template: MustacheTemplate

    public init(template: MustacheTemplate) {
        self.template = template
    }

    public static var builtIn: ReportIndex {
        ReportIndex(template: try! MustacheTemplate(string: BuiltInTemplates.index))
    }

    /// The document file name of the `index`-th call (1-based): `003-declined-<call id>.md`.
    public static func fileName(for call: Call, index: Int, extension suffix: String = "md") -> String {
        var slug = ""
        for character in call.callID.unicodeScalars.prefix(48) {
            switch character {
            case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".": slug.unicodeScalars.append(character)
            default: slug += "_"
            }
        }
        let number = String(index)
        let padded = String(repeating: "0", count: max(0, 3 - number.count)) + number
        return "\(padded)-\(call.outcome.rawValue)-\(slug).\(suffix)"
    }

    public func render(_ calls: [Call], provenance: Provenance) -> String {
        let numberOf = Dictionary(
            calls.enumerated().map { ($1.callID, $0 + 1) }, uniquingKeysWith: { first, _ in first })
        let rows: [[String: Any]] = calls.enumerated().map { index, call in
            let devices = call.participants.flatMap(\.devices)
            return [
                "number": index + 1,
                "title": MarkdownText.escape(CallNarrative(call).title),
                "file": Self.fileName(for: call, index: index + 1),
                "protocol": call.signalingProtocol.displayName,
                "outcome": call.outcome.rawValue,
                "devices": devices.isEmpty
                    ? "-"
                    : MarkdownText.escape(
                        devices.map { "\($0.key.description) \($0.outcome.rawValue)" }.joined(separator: ", ")),
                "start": call.timing.start.iso8601,
                "postDialDelay": call.timing.postDialDelay.map(CallNarrative.seconds) ?? "-",
                "duration": CallNarrative.seconds(
                    call.timing.duration ?? call.timing.end.nanoseconds(since: call.timing.start)),
                "linked": call.linkedCallIDs.isEmpty
                    ? "-"
                    : call.linkedCallIDs.map { numberOf[$0].map { "#\($0)" } ?? MarkdownText.code($0) }.joined(
                        separator: ", "),
                "findings": call.findings.isEmpty
                    ? "-" : call.findings.map { MarkdownText.code($0.ruleID) }.joined(separator: ", "),
            ]
        }
        return template.render([
            "captures": provenance.inputs.map { MarkdownText.code($0.name) }.joined(separator: ", "),
            "version": MarkdownText.escape(provenance.version),
            "callCount": Wording.count(calls.count, "call"),
            "filter": provenance.filter.map { MarkdownText.code($0) } ?? "none",
            "calls": rows,
        ])
    }
}
