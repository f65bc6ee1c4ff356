import ArgumentParser
import Mustache
import SigflowCore
import SigflowPipeline
import SigflowRender

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Document every call of the input: one Markdown document per call plus index.md.",
        discussion: """
            Writes DIR/index.md (a table of all calls: outcome, devices, start, post-dial delay, \
            duration, findings, each linking to its document) and one document per call named \
            NNN-<outcome>-<call id>.md, in the shape 'flow --format markdown' prints. Each file is written \
            to a temporary name and renamed when complete, so a full disk leaves no half-written \
            document. DIR/.sigflow-manifest names the files sigflow wrote there: a later run into DIR \
            removes those it does not write again, and only those.
            """
    )

    @OptionGroup var input: InputOptions

    @OptionGroup(title: "Which calls") var filters: CallFilterOptions

    func validate() throws { try input.requireInputs() }

    @Option(
        name: [.customShort("o"), .customLong("output")],
        help: ArgumentHelp("Directory to write into (created if missing).", valueName: "dir"))
    var output: String

    @Flag(help: "Keep only calls (INVITE and other offer/answer exchanges).")
    var callsOnly = false

    @Flag(help: "Show each step's time of day and the delta from the previous step.")
    var time = false

    @Option(
        help: ArgumentHelp(
            "Render documents with this Mustache template instead of the built-in one.", valueName: "file"))
    var template: String?

    func run() throws {
        let console = Console(quiet: input.quiet)
        let document = try console.loadDocument(template: template, showTime: time)
        var directory = console.openDirectory(output)
        let result = console.runCalls(input)
        let calls = FlowOutput.groupedByLegs(
            console.select(callsOnly ? result.calls.filter(\.isCall) : result.calls, filters))
        let provenance = input.provenance(result)
        if calls.isEmpty { console.noteNoCalls(input, result, filters: filters) }
        let names = calls.indices.map { ReportIndex.fileName(for: calls[$0], index: $0 + 1) } + ["index.md"]
        console.write(names, into: &directory, what: "document") { index in
            index < calls.count
                ? document.render(calls[index], provenance: provenance)
                : ReportIndex.builtIn.render(calls, provenance: provenance)
        }
        console.finish(result)
    }
}
