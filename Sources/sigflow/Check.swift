import ArgumentParser
import SigflowChecks
import SigflowCore
import SigflowPipeline
import SigflowRender

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Flag call flows that break protocol rules, or that differ from an expected flow.",
        discussion: """
            Every rule has an id (sip.S1.answer-after-decline), a severity (error, warning, info), the \
            steps it concerns and the spec clause it rests on; --list-rules prints them. Rules judge \
            only what the capture shows: where a rule needs a vantage point the capture lacks, it says \
            nothing.

            --expect FILE matches each call against an expected flow written as a document (the \
            Mermaid block is the expected sequence; see templates/flows/): every expected step is \
            reported observed (with frame and time) or missing, every other step as extra. A missing \
            step counts as an error finding, an extra or out-of-order one as a warning. With \
            --format markdown the template is printed back with each step's Confidence set to \
            'observed' or 'not observed'. The text, JSON and SARIF formats carry the same findings, the \
            template's (expect.missing-step, expect.out-of-order-step, expect.extra-step) next to the rules'; \
            JSON also gives each call's expected and extra steps.

            --list-rules prints every rule (with --format json, as JSON).

            Exit status: 0 when no finding reaches --fail-on; 1 when one does; 2 when an input cannot \
            be read.
            """
    )

    @OptionGroup var input: InputOptions

    @OptionGroup(title: "Which calls") var filters: CallFilterOptions

    @Option(help: ArgumentHelp("Match each call against this expected-flow template.", valueName: "file"))
    var expect: String?

    @Option(help: "Output format: text, json, sarif, or markdown (with --expect); text or json with --list-rules.")
    var format: CheckFormat = .text

    @Option(help: "Exit with status 1 when a finding has at least this severity: error, warning, info, or never.")
    var failOn: FailThreshold = .error

    @Flag(help: "Print every rule with its severity and clause, and exit.")
    var listRules = false

    func validate() throws {
        if !listRules { try input.requireInputs() }
        if listRules && format != .text && format != .json {
            throw ValidationError("--list-rules prints text or JSON, not \(format.rawValue).")
        }
        if format == .markdown && expect == nil {
            throw ValidationError("--format markdown prints an expected-flow template back: give --expect FILE.")
        }
    }

    func run() throws {
        if listRules {
            StandardOutput.write(
                format == .json
                    ? FindingsReport.ruleListJSON(RuleCatalog.descriptors)
                    : FindingsReport.ruleList(RuleCatalog.descriptors))
            return
        }
        let console = Console(quiet: input.quiet)
        let template = expect.map { path -> FlowTemplate in
            guard let text = TextFile.read(path) else {
                console.fail(UsageProblem("\(path): cannot read the template"))
            }
            do {
                return try FlowTemplate(text: text)
            } catch {
                console.fail(UsageProblem("\(path): \(error)"))
            }
        }
        let result = console.runCalls(input)
        var calls = console.select(template == nil ? result.calls : result.calls.filter(\.isCall), filters)
        var matches: [FlowMatch] = []
        if let template, let path = expect {
            for index in calls.indices {
                let match = FlowMatcher.match(calls[index], against: template)
                matches.append(match)
                calls[index].findings += match.findings(templateName: path)
            }
        }
        switch format {
        case .text where calls.isEmpty:
            StandardOutput.write(console.noCallsMessage(input, result, filters: filters) + "\n")
        case .text:
            if let path = expect { StandardOutput.write(ExpectationReport.text(matches, templateName: path)) }
            StandardOutput.write(FindingsReport.text(calls))
        case .json:
            StandardOutput.write(FindingsReport.json(calls, expectation: expect.map { (matches, $0) }))
        case .sarif:
            StandardOutput.write(
                FindingsReport.sarif(
                    calls, protocolRules: RuleCatalog.descriptors, captures: input.captureNames,
                    version: SigflowVersion.current))
        case .markdown:
            StandardOutput.write(
                matches.map { ExpectationReport.markdown($0, template: template!) }.joined(separator: "\n---\n\n"))
        }
        console.finish(result)
        if let threshold = failOn.severity, calls.contains(where: { $0.findings.contains { $0.severity >= threshold } })
        {
            throw ExitCode(1)
        }
    }
}

enum CheckFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, sarif, markdown
}

enum FailThreshold: String, ExpressibleByArgument, CaseIterable {
    case error, warning, info, never

    var severity: Finding.Severity? {
        switch self {
        case .error: return .error
        case .warning: return .warning
        case .info: return .info
        case .never: return nil
        }
    }
}
