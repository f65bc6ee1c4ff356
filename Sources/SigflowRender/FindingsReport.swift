import SigflowChecks
import SigflowCore

/// `sigflow check` output: findings as text, JSON or SARIF 2.1.0.
public enum FindingsReport {
    public static func text(_ calls: [Call]) -> String {
        var lines: [String] = []
        for call in calls where !call.findings.isEmpty {
            lines.append("\(call.signalingProtocol.displayName) call \(call.callID) (\(call.outcome.rawValue)):")
            for finding in call.findings {
                let steps = finding.steps.map(String.init).joined(separator: ",")
                lines.append("  \(finding.severity.rawValue): \(finding.ruleID) [steps \(steps)] \(finding.message)")
                lines.append("    rests on \(finding.clause)")
            }
        }
        let count = calls.reduce(0) { $0 + $1.findings.count }
        lines.append(count == 0 ? "no findings in \(calls.count) calls" : "\(count) findings in \(calls.count) calls")
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ calls: [Call]) -> String {
        JSONValue.object([
            (
                "calls",
                .array(
                    calls.map { call in
                        .object([
                            ("protocol", .string(call.signalingProtocol.id)),
                            ("call_id", .string(call.callID)),
                            ("outcome", .string(call.outcome.rawValue)),
                            ("findings", .array(call.findings.map(CallJSON.finding))),
                        ])
                    })
            )
        ]).rendered()
    }

    /// SARIF 2.1.0, so code-scanning dashboards can show call-flow findings. Each result points at
    /// the capture of its first step, with the frame and call id as properties (a capture has no
    /// text regions).
    public static func sarif(
        _ calls: [Call], rules descriptors: [RuleDescriptor], captures: [String], version: String
    )
        -> String
    {
        let rules = descriptors.map { rule in
            JSONValue.object([
                ("id", .string(rule.id)),
                ("shortDescription", .object([("text", .string(rule.summary))])),
                ("helpUri", .null),
                (
                    "properties",
                    .object([("clause", .string(rule.clause)), ("protocol", .string(rule.signalingProtocol.id))])
                ),
                ("defaultConfiguration", .object([("level", .string(level(rule.severity)))])),
            ])
        }
        var results: [JSONValue] = []
        for call in calls {
            for finding in call.findings {
                let firstStep = call.steps.first { $0.number == finding.steps.first }
                let source = firstStep?.sightings.first?.source
                let uri = source.flatMap { $0.capture < captures.count ? captures[$0.capture] : nil }
                var result: [(String, JSONValue)] = [
                    ("ruleId", .string(finding.ruleID)),
                    ("level", .string(level(finding.severity))),
                    ("message", .object([("text", .string(finding.message))])),
                ]
                if let uri {
                    result.append(
                        (
                            "locations",
                            .array([
                                .object([
                                    (
                                        "physicalLocation",
                                        .object([("artifactLocation", .object([("uri", .string(uri))]))])
                                    ),
                                    (
                                        "logicalLocations",
                                        .array([.object([("name", .string(call.callID)), ("kind", .string("call"))])])
                                    ),
                                ])
                            ])
                        ))
                }
                result.append(
                    (
                        "properties",
                        .object([
                            ("callId", .string(call.callID)),
                            ("protocol", .string(call.signalingProtocol.id)),
                            ("steps", .array(finding.steps.map { .int($0) })),
                            ("frame", source.map { .int($0.frame) } ?? .null),
                            ("clause", .string(finding.clause)),
                        ])
                    ))
                results.append(.object(result))
            }
        }
        return JSONValue.object([
            ("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json")),
            ("version", .string("2.1.0")),
            (
                "runs",
                .array([
                    .object([
                        (
                            "tool",
                            .object([
                                (
                                    "driver",
                                    .object([
                                        ("name", .string("sigflow")), ("version", .string(version)),
                                        ("informationUri", .string("https://github.com/sigflow/sigflow")),
                                        ("rules", .array(rules)),
                                    ])
                                )
                            ])
                        ),
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

    /// `sigflow check --list-rules`.
    public static func ruleList(_ rules: [RuleDescriptor]) -> String {
        var lines: [String] = []
        for rule in rules {
            lines.append("\(rule.id)  [\(rule.severity.rawValue)]")
            lines.append("    \(rule.summary)")
            lines.append("    rests on \(rule.clause)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
