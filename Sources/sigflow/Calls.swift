import ArgumentParser
import SigflowCore
import SigflowPipeline
import SigflowRender

struct Calls: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calls",
        abstract: "List every call: one row per SIP Call-ID (any method) or call id.",
        discussion: """
            Columns: call id, protocol, method (INVITE, REGISTER, OPTIONS, ...), caller and callee \
            users, start time, duration (talk time for answered calls, else first to last message), \
            outcome, the status code that settled it (STATUS: 200, 603, 486, 480, 487; JSON final_status \
            and final_reason), number of steps (retransmissions not counted) and linked legs. Outcomes: \
            answered, declined, busy, rejected, cancelled, redirected, unauthorized, timed-out, \
            incomplete; exchanges that are not calls (REGISTER, OPTIONS, ...) use the same words: \
            answered on a 2xx, otherwise what the final response says, incomplete without one. A 401/407 \
            answered by the request again with credentials is a challenge, not the outcome: the last \
            attempt settles the call. Past a few thousand calls the list \
            waits in sorted runs in an unlinked temporary file in $TMPDIR (else /tmp), about 150 bytes \
            a call, so memory does not grow with it; --match reads the capture in full (it looks at display \
            names, user agents and every decoded field, which a list does not keep), holding every call.
            """
    )

    @OptionGroup var input: InputOptions

    @OptionGroup(title: "Which calls") var filters: CallFilterOptions

    func validate() throws { try input.requireInputs() }

    @Flag(help: "Keep only calls (INVITE and other offer/answer exchanges).")
    var callsOnly = false

    @Option(help: "Output format: text or json.")
    var format: CallsFormat = .text

    func run() throws {
        let console = Console(quiet: input.quiet)
        // A list keeps only what its table shows; --match also looks at user agents and devices,
        // which only a full reading keeps.
        let full = filters.match != nil
        let result = console.runCalls(input, summary: !full)
        let selected: AnySequence<CallSummary>
        if full {
            selected = AnySequence(console.select(result.calls, filters).lazy.map(CallSummary.init))
        } else {
            do {
                let selection = try filters.selection.resolve(callIDs: result.summaries.lazy.map(\.callID))
                selected = AnySequence(selection.select(summaries: result.summaries))
            } catch {
                console.fail(UsageProblem(error.description))
            }
        }
        let calls = selected.lazy.filter { !callsOnly || $0.isCall }
        console.write(to: nil) { output in
            switch format {
            case .text where !calls.contains(where: { _ in true }):
                output.write(console.noCallsMessage(input, result, filters: filters) + "\n")
            case .text: CallsTable.writeText(calls, to: &output)
            case .json: CallsTable.writeJSON(calls, to: &output)
            }
        }
        console.finish(result)
    }
}

enum CallsFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
