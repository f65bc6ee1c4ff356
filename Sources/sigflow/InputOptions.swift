import ArgumentParser
import SigflowCapture
import SigflowPipeline
import SigflowRender

/// Where packets come from: the options every reading subcommand shares.
struct InputOptions: ParsableArguments {
    @Argument(
        help: ArgumentHelp(
            "Capture files (pcap or pcapng, optionally .gz). '-' reads standard input.",
            valueName: "capture"))
    var captures: [String] = []

    @Option(
        name: [.customShort("i"), .customLong("interface")],
        help: ArgumentHelp("Capture live from this interface until interrupted (repeatable).", valueName: "iface"))
    var interfaces: [String] = []

    @Option(
        name: [.customShort("f"), .customLong("filter")],
        help: ArgumentHelp("BPF filter applied to files and interfaces alike.", valueName: "expr"))
    var filter: String?

    @Flag(name: [.short, .long], help: "No progress bar and no warnings on standard error.")
    var quiet = false

    /// Commands that read packets call this from their own `validate()`; `check --list-rules` needs none.
    func requireInputs() throws {
        if captures.isEmpty && interfaces.isEmpty {
            throw ValidationError("Give at least one capture file, '-' for standard input, or -i INTERFACE.")
        }
    }

    func validate() throws {
        if !captures.isEmpty && !interfaces.isEmpty {
            throw ValidationError("Read either capture files or live interfaces, not both in one run.")
        }
        if captures.filter({ $0 == "-" }).count > 1 {
            throw ValidationError("Standard input ('-') can be given only once.")
        }
    }

    var inputs: [CaptureInput] {
        captures.map { $0 == "-" ? .standardInput : .file($0) } + interfaces.map { .interface($0) }
    }

    /// The inputs as named on the command line, for provenance.
    var captureNames: [String] { captures + interfaces }

    /// What a document's status line says about its evidence.
    func provenance(_ result: CallsResult) -> Provenance {
        Provenance(
            version: SigflowVersion.current,
            inputs: zip(captureNames, result.captures).map { ($0, $1.frames) },
            filter: filter)
    }

    var pipelineConfiguration: PipelineConfiguration {
        PipelineConfiguration(inputs: inputs, filter: filter)
    }

    /// For commands that show only the call list.
    var summaryConfiguration: PipelineConfiguration {
        PipelineConfiguration(inputs: inputs, filter: filter, detail: .summary)
    }
}
