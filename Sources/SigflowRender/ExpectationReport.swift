import SigflowChecks
import SigflowCore

/// `sigflow check --expect`: how each call measures up to an expected-flow template.
public enum ExpectationReport {
    public static func text(_ matches: [FlowMatch], templateName: String) -> String {
        let template = TerminalText.escape(templateName)
        var lines: [String] = []
        for match in matches {
            lines.append("call \(TerminalText.escape(match.callID)) against \(template):")
            for entry in match.entries {
                let expected = entry.expected
                var line =
                    "  \(expected.number). \(expected.from) -> \(expected.to): \(expected.label): \(entry.status.rawValue)"
                if let step = entry.step {
                    let source = step.sightings[0].source
                    line +=
                        " (step \(step.number), capture \(source.capture) frame \(source.frame), \(step.time.iso8601))"
                }
                lines.append(TerminalText.escape(line))
            }
            for extra in match.extras {
                let source = extra.sightings[0].source
                lines.append(
                    TerminalText.escape(
                        "  extra: step \(extra.number) \(extra.from) -> \(extra.to): \(extra.message.label) "
                            + "(capture \(source.capture) frame \(source.frame))"))
            }
            let observed = match.entries.count - match.missingCount
            lines.append(
                "  \(observed) of \(Wording.count(match.entries.count, "expected step")) observed, "
                    + Wording.count(match.extras.count, "extra step"))
        }
        if matches.isEmpty { lines.append("no calls to match against \(template)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// How one call matched: every expected step with its status and the step that matched it, and
    /// every extra step. `check --format json` gives these next to the call's findings.
    static func fields(_ match: FlowMatch) -> [(String, JSONValue)] {
        func stepFields(_ step: CallStep?) -> [(String, JSONValue)] {
            guard let step else { return [("step", .null), ("capture", .null), ("frame", .null), ("time", .null)] }
            let source = step.sightings[0].source
            return [
                ("step", .int(step.number)), ("capture", .int(source.capture)), ("frame", .int(source.frame)),
                ("time", .number(step.time.epochString)),
            ]
        }
        return [
            (
                "expected",
                .array(
                    match.entries.map { entry in
                        .object(
                            [
                                ("number", .int(entry.expected.number)),
                                ("from", .string(entry.expected.from)),
                                ("to", .string(entry.expected.to)),
                                ("label", .string(entry.expected.label)),
                                ("status", .string(entry.status.rawValue)),
                            ] + stepFields(entry.step))
                    })
            ),
            (
                "extra",
                .array(
                    match.extras.map { step in
                        .object(
                            [
                                ("from", .string(step.from)), ("to", .string(step.to)),
                                ("label", .string(step.message.label)),
                            ] + stepFields(step))
                    })
            ),
        ]
    }

    /// The template printed back with each step row's Confidence cell set from evidence: `observed`
    /// or `not observed`. Nothing else of the template changes.
    public static func markdown(_ match: FlowMatch, template: FlowTemplate) -> String {
        let statusByNumber = Dictionary(uniqueKeysWithValues: match.entries.map { ($0.expected.number, $0.status) })
        var lines = template.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var inSteps = false
        for index in lines.indices {
            let line = lines[index]
            if line.hasPrefix("#") { inSteps = line.lowercased().contains("steps") }
            guard inSteps, line.hasPrefix("|") else { continue }
            var cells = MarkdownTable.cells(of: line)
            guard cells.count >= 7, let number = Int(cells[0].trimmingSpaces), let status = statusByNumber[number]
            else {
                continue
            }
            let word: String
            switch status {
            case .observed: word = "observed"
            case .observedOutOfOrder: word = "observed (out of order)"
            case .missing: word = "not observed"
            }
            cells[5] = " \(word) "
            lines[index] = "|" + cells.joined(separator: "|") + "|"
        }
        return lines.joined(separator: "\n")
    }
}

/// Reads GitHub-flavoured Markdown table rows.
enum MarkdownTable {
    /// The cells between the outer pipes, split at pipes that are not escaped.
    static func cells(of row: String) -> [String] {
        var cells: [String] = []
        var current = ""
        var previous: Character = " "
        for character in row.dropFirst() {
            if character == "|" && previous != "\\" {
                cells.append(current)
                current = ""
            } else {
                current.append(character)
            }
            previous = character
        }
        if !current.trimmingSpaces.isEmpty { cells.append(current) }
        return cells
    }
}

extension String {
    var trimmingSpaces: String {
        guard let start = firstIndex(where: { $0 != " " && $0 != "\t" }),
            let end = lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return String(self[start...end])
    }
}
