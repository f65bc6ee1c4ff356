import SigflowChecks
import SigflowCore

/// `sigflow check` output: findings as text, JSON or SARIF 2.1.0. The three carry the same findings
/// (rule findings and, with `--expect`, the template's), in the same order.
public enum FindingsReport {
    public static func text(_ calls: [Call]) -> String {
        var lines: [String] = []
        for call in calls where !call.findings.isEmpty {
            lines.append(
                "\(call.signalingProtocol.displayName) call \(TerminalText.escape(call.callID)) "
                    + "(\(call.outcome.rawValue)):")
            for finding in call.findings {
                let steps =
                    finding.steps.isEmpty ? "" : " [steps \(finding.steps.map(String.init).joined(separator: ","))]"
                lines.append(
                    "  \(finding.severity.rawValue): \(finding.ruleID)\(steps) \(TerminalText.escape(finding.message))")
                lines.append("    rests on \(TerminalText.escape(finding.clause))")
            }
        }
        let count = calls.reduce(0) { $0 + $1.findings.count }
        let callCount = Wording.count(calls.count, "call")
        lines.append(count == 0 ? "no findings in \(callCount)" : "\(Wording.count(count, "finding")) in \(callCount)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The calls with their findings; with `--expect`, each call also says how it matched the
    /// template (`expected`, `extra`), in the same order as `matches`.
    public static func json(_ calls: [Call], expectation: (matches: [FlowMatch], templateName: String)? = nil) -> String
    {
        var fields: [(String, JSONValue)] = []
        if let expectation { fields.append(("template", .string(expectation.templateName))) }
        let items = calls.enumerated().map { index, call in
            var item: [(String, JSONValue)] = [
                ("protocol", .string(call.signalingProtocol.id)),
                ("call_id", .string(call.callID)),
                ("outcome", .string(call.outcome.rawValue)),
                ("findings", .array(call.findings.map(CallJSON.finding))),
            ]
            if let expectation { item += ExpectationReport.fields(expectation.matches[index]) }
            return JSONValue.object(item)
        }
        fields.append(("calls", .array(items)))
        fields.append(("finding_count", .int(calls.reduce(0) { $0 + $1.findings.count })))
        return JSONValue.object(fields).rendered()
    }

    /// SARIF 2.1.0, so code-scanning dashboards can show call-flow findings. Each result points at
    /// the capture of its first step (of the call's first step when it names none, as a missing
    /// expected step does) and at the call, with the frame and call id as properties (a capture has
    /// no text regions).
    /// - Parameter protocolRules: the rules of every protocol, as the composition module lists them.
    public static func sarif(
        _ calls: [Call], protocolRules: [RuleDescriptor], captures: [String], version: String
    ) -> String {
        let ruleObjects = rules(protocolRules).map { rule in
            var fields: [(String, JSONValue)] = [
                ("id", .string(rule.id)),
                ("shortDescription", .object([("text", .string(rule.summary))])),
            ]
            if let uri = rule.helpURI { fields.append(("helpUri", .string(uri))) }
            fields += [
                (
                    "properties",
                    .object([
                        ("clause", .string(rule.clause)),
                        ("protocol", .string(rule.signalingProtocol?.id ?? "any")),
                    ])
                ),
                ("defaultConfiguration", .object([("level", .string(level(rule.severity)))])),
            ]
            return JSONValue.object(fields)
        }
        var results: [JSONValue] = []
        for call in calls {
            for finding in call.findings {
                let step = call.steps.first { $0.number == finding.steps.first } ?? call.steps.first
                let source = step?.sightings.first?.source
                let uri = source.flatMap { $0.capture < captures.count ? captures[$0.capture] : nil }
                var location: [(String, JSONValue)] = []
                if let uri {
                    location.append(
                        ("physicalLocation", .object([("artifactLocation", .object([("uri", .string(uri))]))])))
                }
                location.append(
                    (
                        "logicalLocations",
                        .array([.object([("name", .string(call.callID)), ("kind", .string("call"))])])
                    ))
                results.append(
                    .object([
                        ("ruleId", .string(finding.ruleID)),
                        ("level", .string(level(finding.severity))),
                        ("message", .object([("text", .string(finding.message))])),
                        ("locations", .array([.object(location)])),
                        (
                            "properties",
                            .object([
                                ("callId", .string(call.callID)),
                                ("protocol", .string(call.signalingProtocol.id)),
                                ("steps", .array(finding.steps.map { .int($0) })),
                                ("frame", finding.steps.isEmpty ? .null : source.map { .int($0.frame) } ?? .null),
                                ("clause", .string(finding.clause)),
                            ])
                        ),
                    ]))
            }
        }
        let driver = JSONValue.object([
            ("name", .string("sigflow")), ("version", .string(version)),
            ("informationUri", .string("https://github.com/sigflow/sigflow")),
            ("rules", .array(ruleObjects)),
        ])
        return JSONValue.object([
            ("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json")),
            ("version", .string("2.1.0")),
            (
                "runs",
                .array([
                    .object([
                        ("tool", .object([("driver", driver)])),
                        (
                            "artifacts",
                            .array(captures.map { .object([("location", .object([("uri", .string($0))]))]) })
                        ),
                        ("results", .array(results)),
                    ])
                ])
            ),
        ]).rendered()
    }

    static func level(_ severity: Finding.Severity) -> String {
        switch severity {
        case .error: return "error"
        case .warning: return "warning"
        case .info: return "note"
        }
    }

    /// Every rule `check` applies: the protocol rules, then those `--expect` adds.
    static func rules(_ protocolRules: [RuleDescriptor]) -> [RuleDescriptor] {
        protocolRules + FlowMatch.ruleDescriptors
    }

    /// `sigflow check --list-rules`.
    public static func ruleList(_ protocolRules: [RuleDescriptor]) -> String {
        var lines: [String] = []
        for rule in rules(protocolRules) {
            lines.append("\(rule.id)  [\(rule.severity.rawValue)]")
            lines.append("    \(rule.summary)")
            lines.append("    rests on \(rule.clause)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `sigflow check --list-rules --format json`.
    public static func ruleListJSON(_ protocolRules: [RuleDescriptor]) -> String {
        JSONValue.object([
            (
                "rules",
                .array(
                    rules(protocolRules).map { rule in
                        var fields: [(String, JSONValue)] = [
                            ("id", .string(rule.id)),
                            ("protocol", rule.signalingProtocol.map { .string($0.id) } ?? .null),
                            ("severity", .string(rule.severity.rawValue)),
                            ("summary", .string(rule.summary)),
                            ("clause", .string(rule.clause)),
                        ]
                        fields.append(("help_uri", rule.helpURI.map { .string($0) } ?? .null))
                        return .object(fields)
                    })
            )
        ]).rendered()
    }
}
