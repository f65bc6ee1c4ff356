import ArgumentParser
import SigflowCore
import SigflowPipeline
import SigflowRender

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count messages, requests, responses and outcomes, and how long calls took to ring and answer.",
        discussion: """
            Per protocol: messages (every copy in the captures, retransmissions included, as tshark -z \
            sip,stat counts packets) and retransmissions, call ids (SIP: of any method) and calls \
            (offer/answer exchanges), requests by method and responses by status code, calls by outcome, \
            and post-dial delay (offer to first ringing) and time to answer (offer to answer, answered \
            calls) with their count, min, median, 95th percentile (nearest rank) and max in seconds. \
            --by caller-domain or callee-domain gives these figures per domain of the caller's or \
            callee's address. The filters choose the calls counted.
            """
    )

    @OptionGroup var input: InputOptions

    @OptionGroup(title: "Which calls") var filters: CallFilterOptions

    func validate() throws { try input.requireInputs() }

    @Option(help: "Figures per caller-domain or callee-domain.")
    var by: CallStatistics.Grouping?

    @Option(help: "Output format: text or json.")
    var format: CallsFormat = .text

    func run() throws {
        let console = Console(quiet: input.quiet)
        let result = console.runCalls(input)
        let calls = console.select(result.calls, filters)
        let statistics = by.map { CallStatistics.grouped(calls, by: $0) } ?? [CallStatistics(calls)]
        switch format {
        case .text where calls.isEmpty:
            StandardOutput.write(console.noCallsMessage(input, result, filters: filters) + "\n")
        case .text: StandardOutput.write(CallStatistics.text(statistics, grouping: by))
        case .json: StandardOutput.write(CallStatistics.json(statistics, grouping: by))
        }
        console.finish(result)
    }
}

extension CallStatistics.Grouping: ExpressibleByArgument {}
