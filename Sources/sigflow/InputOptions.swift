import ArgumentParser
import SigflowCapture
import SigflowCore
import SigflowPipeline
import SigflowRender

/// Where packets come from: the options every reading subcommand shares.
struct InputOptions: ParsableArguments {
    @Argument(
        help: ArgumentHelp(
            "Capture files (pcap or pcapng, optionally .gz) or client logs (WhatsApp). '-' reads standard input.",
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

    @Option(
        name: .customLong("keylog"),
        help: ArgumentHelp(
            "A TLS key log (NSS format, as SSLKEYLOGFILE writes it) to decrypt TLS 1.2 and 1.3 connections with "
                + "(repeatable). 'flows' counts conversations and does not need it.",
            valueName: "file"))
    var keyLogs: [String] = []

    @Flag(name: [.short, .long], help: "No progress bar and no warnings on standard error.")
    var quiet = false

    @Option(
        help: ArgumentHelp(
            "The date of client logs that print only the time of day (whatsmeow text logs), used when no "
                + "received stanza carries a 't' attribute to date them.",
            valueName: "YYYY-MM-DD"))
    var date: String?

    /// `--date` as days since 1970-01-01, nil when absent or malformed (validate() reports the latter).
    var logDay: Int? {
        guard let date else { return nil }
        let parts = date.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1...12).contains(month),
            (1...31).contains(day)
        else { return nil }
        return CaptureTime.daysSinceEpoch(year: year, month: month, day: day)
    }

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
        if let date, logDay == nil {
            throw ValidationError("--date takes a date as YYYY-MM-DD, not '\(date)'.")
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
            filter: filter, tls: result.tls)
    }

    var pipelineConfiguration: PipelineConfiguration {
        PipelineConfiguration(inputs: inputs, filter: filter, logDate: logDay)
    }

    /// For commands that show only the call list.
    var summaryConfiguration: PipelineConfiguration {
        PipelineConfiguration(inputs: inputs, filter: filter, detail: .summary, logDate: logDay)
    }
}
