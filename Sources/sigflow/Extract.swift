import ArgumentParser
import SigflowCapture
import SigflowCore
import SigflowPipeline
import SigflowRender

struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Write the packets of chosen calls to a capture file, as they were captured.",
        discussion: """
            Chooses calls with the filters (--call ID, --match, --outcome, ...; without any, every call) \
            and writes, in capture order with their original bytes and times, every frame that carried a \
            step of them in every input (retransmissions and other vantage points included), every \
            segment of the TCP connections that carried their messages while each call lasted, and every \
            RTP and RTCP packet of their media streams. -w names the file: .pcapng writes pcapng (an \
            interface per link type), anything else classic pcap with nanosecond times, which holds one \
            link type. The file is written whole or not at all. The captures are read twice, so they must \
            be files: not standard input, not a live interface.
            """
    )

    @OptionGroup var input: InputOptions

    @OptionGroup(title: "Which calls") var filters: CallFilterOptions

    @Option(
        name: [.customShort("w"), .customLong("write")],
        help: ArgumentHelp("The capture file to write.", valueName: "file"))
    var output: String

    func validate() throws {
        try input.requireInputs()
        if !input.interfaces.isEmpty || input.captures.contains("-") {
            throw ValidationError("extract reads its captures twice: give capture files, not '-' or -i.")
        }
    }

    func run() throws {
        let console = Console(quiet: input.quiet)
        let result = console.runCalls(input)
        let calls = console.select(result.calls, filters)
        if calls.isEmpty { console.noteNoCalls(input, result, filters: filters) }
        let packets = CallPackets(calls)
        let format: CaptureWriter.Format = output.lowercased().hasSuffix(".pcapng") ? .pcapng : .pcap
        var written = 0
        console.write(to: output) { (stream: inout DescriptorStream) throws(OutputError) in
            do {
                written = try ExtractJob.copy(
                    packets, from: input.pipelineConfiguration, skipping: Set(result.logs.keys), format: format
                ) { stream.write(bytes: $0) }
            } catch {
                throw OutputError(output, "\(error)")
            }
        }
        if !input.quiet {
            FileHandleStderr.write(
                "sigflow: wrote \(Wording.count(written, "frame")) of \(Wording.count(calls.count, "call")) to "
                    + "\(TerminalText.escape(output))\n")
        }
        console.finish(result)
    }
}
