import ArgumentParser
import SigflowCore
import SigflowPipeline
import SigflowRender

struct Flow: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each call's message flow.",
        discussion: """
            json: every call with its participants (roles, devices and their outcomes), every message \
            (step number, time, endpoints, participants, label, kind, retransmission, capture and \
            frame) and findings. The fields are documented in the README and the man page.
            """
    )

    @OptionGroup var input: InputOptions

    @Option(help: "Only the call with this call id.")
    var call: String?

    @Flag(help: "Keep only calls (INVITE and other offer/answer exchanges).")
    var callsOnly = false

    @Option(help: "Output format: json.")
    var format: FlowFormat = .json

    func run() throws {
        let console = Console(quiet: input.quiet)
        let result = console.runCalls(input)
        var calls = callsOnly ? result.calls.filter(\.isCall) : result.calls
        if let call {
            calls = calls.filter { $0.callID == call }
            if calls.isEmpty { console.fail(UsageProblem("no call with id '\(call)' in the input")) }
        }
        switch format {
        case .json:
            print(
                CallJSON.document(calls: calls, clockOffsets: result.clockOffsets, captures: input.captureNames)
                    .rendered(),
                terminator: "")
        }
        console.finish(result)
    }
}

enum FlowFormat: String, ExpressibleByArgument, CaseIterable {
    case json
}
