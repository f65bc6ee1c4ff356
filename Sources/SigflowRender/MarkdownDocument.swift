import Mustache
import SigflowCore
import SigflowTLS

/// Where a document's evidence came from, for its status line.
public struct Provenance: Sendable {
    public var version: String
    /// Each capture or log as named on the command line, with its frame (or line) count.
    public var inputs: [(name: String, frames: Int)]
    public var filter: String?
    /// What TLS decryption read, when key logs were given.
    public var tls: TLSSummary?

    public init(version: String, inputs: [(name: String, frames: Int)], filter: String?, tls: TLSSummary? = nil) {
        self.version = version
        self.inputs = inputs
        self.filter = filter
        self.tls = tls
    }

    /// The TLS versions and suites of the connections `call`'s messages were decrypted from, in
    /// order of first use.
    func tlsSessions(of call: Call) -> [String] {
        guard let sessions = tls?.sessions, !sessions.isEmpty else { return [] }
        var named: [String] = []
        for step in call.steps {
            guard let from = step.message.sender.endpoint, let to = step.message.receiver.endpoint,
                let session = sessions[FlowKey.of(.tcp, from: from, to: to).key], !named.contains(session)
            else { continue }
            named.append(session)
        }
        return named
    }

    var inputsText: String {
        inputs.map { "\(MarkdownText.code($0.name)) (\($0.frames) frames)" }.joined(separator: ", ")
    }
}

/// Renders a call as a Markdown document in the shape of the hand-made reference: title, status,
/// summary, sequence diagram, participants, steps table, findings, open questions. The layout comes
/// from a Mustache template (`templates/document.md.mustache`, or the user's `--template`); every
/// value is escaped here, so templates use triple braces.
public struct MarkdownDocument {
    public var template: MustacheTemplate
    public var mermaid: MermaidRenderer

    public init(template: MustacheTemplate, mermaid: MermaidRenderer = MermaidRenderer()) {
        self.template = template
        self.mermaid = mermaid
    }

    /// The built-in template.
    public static func builtIn(mermaid: MermaidRenderer = MermaidRenderer()) -> MarkdownDocument {
        // The built-in template is a compile-time constant that a test parses; it cannot fail.
        MarkdownDocument(template: try! MustacheTemplate(string: BuiltInTemplates.document), mermaid: mermaid)
    }

    public func render(_ call: Call, provenance: Provenance) -> String {
        template.render(context(for: call, provenance: provenance))
    }

    func context(for call: Call, provenance: Provenance) -> [String: Any] {
        let narrative = CallNarrative(call)
        var status = [
            "generated from evidence by sigflow \(MarkdownText.escape(provenance.version))",
            "\(call.signalingProtocol.displayName) call id \(MarkdownText.code(call.callID))",
        ]
        if !call.linkedCallIDs.isEmpty {
            // Legs a back-to-back agent or a transfer tied to this one (X-Call-ID, Session-ID, Replaces).
            status.append("linked legs: " + call.linkedCallIDs.map { MarkdownText.code($0) }.joined(separator: ", "))
        }
        let sessions = provenance.tlsSessions(of: call)
        if !sessions.isEmpty {
            status.append("over " + sessions.map { MarkdownText.code($0) }.joined(separator: ", "))
        }
        status += [
            "inputs: \(provenance.inputsText)",
            "filter: \(provenance.filter.map { MarkdownText.code($0) } ?? "none")",
        ]
        let participants: [[String: Any]] = call.participants.map { participant in
            var entry: [String: Any] = [
                "id": MarkdownText.escape(participant.id), "label": MarkdownText.escape(participant.label),
            ]
            var fate: [String] = []
            if let outcome = participant.outcome { fate.append(outcome.rawValue) }
            if participant.devices.count > 1 || (participant.devices.count == 1 && participant.outcome == nil) {
                fate.append(
                    "devices "
                        + participant.devices.map { "\($0.label) \($0.outcome.rawValue)" }.joined(separator: ", "))
            }
            if !fate.isEmpty { entry["fate"] = MarkdownText.escape(fate.joined(separator: "; ")) }
            return entry
        }
        let steps: [[String: Any]] = call.steps.map { step in
            [
                "number": step.number,
                "from": MarkdownText.escape(step.from),
                "to": MarkdownText.escape(step.to),
                "message": MarkdownText.escape(step.message.label),
                "stanza": MarkdownText.code(step.message.headline),
                "confidence": step.message.confidence.rawValue,
                "note": MarkdownText.escape(narrative.meaning(of: step)),
            ]
        }
        let findings: [[String: Any]] = call.findings.map { finding in
            [
                "severity": finding.severity.rawValue,
                "rule": MarkdownText.code(finding.ruleID),
                "steps": finding.steps.map(String.init).joined(separator: ", "),
                "hasSteps": !finding.steps.isEmpty,
                "message": MarkdownText.escape(finding.message),
                "clause": MarkdownText.escape(finding.clause),
            ]
        }
        return [
            "title": MarkdownText.escape(narrative.title),
            "status": status.joined(separator: " · "),
            "summary": MarkdownText.escape(narrative.summary, maxLength: 4000),
            "mermaid": mermaid.diagram(call),
            "participants": participants,
            "steps": steps,
            "findings": findings,
            "openQuestions": narrative.openQuestions.map { ["text": MarkdownText.escape($0, maxLength: 1000)] },
        ]
    }
}
