import ArgumentParser
import Mustache
import SigflowCore
import SigflowPipeline
import SigflowRender

struct Flow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow",
        abstract: "Show each call's message flow as a Mermaid diagram, a Markdown document or JSON.",
        discussion: """
            mermaid: a sequenceDiagram per call (autonumbered; requests solid, responses dashed; \
            retransmissions marked; notes for SDP and Reason headers; a '... N s later ...' note for \
            pauses over 2 s). One call gives one diagram, a valid .mmd file. Several calls give Markdown \
            on standard output, a '## Call N: <call id>' heading and a fenced mermaid block per call \
            (GitHub and mermaid-cli render it as it is); with -o DIR (a directory, created if missing, \
            which -o names whenever there are several calls) one NNN-<outcome>-<call id>.mmd file per \
            call, like report's documents.

            markdown: a document per call in the shape of a protocol write-up: title, status with \
            provenance, summary, the Mermaid sequence, participants, a steps table (# | From | To | \
            Message | Stanza | Confidence | Note), findings and open questions. The layout comes from \
            templates/document.md.mustache (built in); --template uses your own.

            ladder: each call drawn for the terminal, like sngrep's call flow: a column per participant \
            (short names above, the full labels listed below), a line per step with its arrow and \
            label between the two columns, notes under their step, '... N s later ...' for pauses, the \
            step number at the left (with --time the time of day and the delta), '!' on steps a \
            finding names and the findings below. It fits --width, shortening text rather than \
            wrapping it; participants that do not fit are folded into one 'others' column, which the \
            legend says. Box-drawing characters on a UTF-8 locale (--ascii for plain ASCII); colours \
            only on a terminal, never in a pipe or a file, and not with NO_COLOR set.

            svg: each call as an SVG picture sigflow draws itself (no script, no external renderer): \
            lifelines with their labels, numbered arrows (requests solid, responses dashed, inferred \
            dotted, media faint), notes, pauses, steps a finding names highlighted and the findings \
            below; capture text XML-escaped. One call is one file; several are stacked in one picture \
            on standard output, or written one NNN-<outcome>-<call id>.svg per call with -o DIR.

            json: every call with its outcome, final_status, final_reason and settling_step, its \
            participants (roles, devices and their outcomes), every message (step, time, src, dst, from, \
            to, label, kind, retransmission, capture, frame, transport, confidence, truncated, \
            also_seen_in, notes, attributes), findings and open questions; the clock \
            offsets applied between captures; with --keylog a 'tls' object (connections, decrypted, \
            without_keys, handshake_not_captured, unsupported, failed_authentication, versions, \
            cipher_suites and the connections not decrypted; never a secret). Field names are stable (see \
            docs/json.md).
            """
    )

    @OptionGroup var input: InputOptions

    @OptionGroup(title: "Which calls") var filters: CallFilterOptions

    func validate() throws { try input.requireInputs() }

    @Option(help: "Output format: mermaid, markdown, json, ladder or svg.")
    var format: FlowOutput.Format = .mermaid

    @Option(
        help: ArgumentHelp(
            "Ladder: the width to fit (default: the terminal's, else $COLUMNS, else 80; at least 40).",
            valueName: "columns"))
    var width: Int?

    @Flag(help: "Ladder: ASCII instead of box-drawing characters (the default when the locale is not UTF-8).")
    var ascii = false

    @Flag(help: "Keep only calls (INVITE and other offer/answer exchanges).")
    var callsOnly = false

    @Flag(help: "Mermaid and Markdown: show each step's time of day and the delta from the previous step.")
    var time = false

    @Option(
        help: ArgumentHelp(
            "Markdown: render with this Mustache template instead of the built-in one.", valueName: "file"))
    var template: String?

    @Option(
        name: [.customShort("o"), .customLong("output")],
        help: ArgumentHelp(
            "Write to this file instead of standard output (written whole or not at all); for several Mermaid "
                + "diagrams, a directory.", valueName: "path"))
    var output: String?

    func run() throws {
        let console = Console(quiet: input.quiet)
        let document = try console.loadDocument(template: template, showTime: time)
        let result = console.runCalls(input)
        let calls = console.select(callsOnly ? result.calls.filter(\.isCall) : result.calls, filters)
        if calls.isEmpty && format != .json { console.noteNoCalls(input, result, filters: filters) }
        if format == .mermaid || format == .svg, let output,
            FlowOutput.groupedByLegs(calls).count > 1 || OutputDirectory.isDirectory(output)
        {
            let files = FlowOutput.diagramFiles(calls, format: format, mermaid: document.mermaid)
            var directory = console.openDirectory(output)
            console.write(files.map(\.name), into: &directory, what: "diagram") { files[$0].text }
        } else {
            let ladder = LadderRenderer(
                options: LadderRenderer.Options(
                    width: width ?? Terminal.columns, unicode: !ascii && Terminal.isUTF8,
                    color: output == nil && Terminal.showsColor, showTime: time))
            console.write(to: output) { stream in
                FlowOutput.write(
                    calls, format: format, clockOffsets: result.clockOffsets, provenance: input.provenance(result),
                    document: document, ladder: ladder, to: &stream)
            }
        }
        console.finish(result)
    }
}

extension FlowOutput.Format: ExpressibleByArgument {}
