import ArgumentParser
import SigflowCore
import SigflowPipeline

/// Which calls a command shows: the filters every command that lists calls shares. They choose
/// calls, not packets: a call that is kept keeps all its steps.
struct CallFilterOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Only the call with this call id, or the one call whose id starts with it.", valueName: "id"))
    var call: String?

    @Option(
        help: ArgumentHelp(
            "Only calls whose id, participants (users, numbers, display names, addresses), devices, user agents "
                + "or messages' decoded fields contain this text (case ignored), or match /regex/ (/regex/i "
                + "ignores case).",
            valueName: "text"),
        transform: { text throws(SelectionSyntaxError) in try TextMatch(parsing: text) })
    var match: TextMatch?

    @Option(
        help: ArgumentHelp(
            "Only calls with this outcome (repeatable): answered, declined, busy, rejected, cancelled, "
                + "redirected, unauthorized, timed-out, incomplete.",
            valueName: "outcome"))
    var outcome: [CallOutcome] = []

    @Option(
        help: ArgumentHelp(
            "Only calls settled by this status: a code (603) or a class (4xx) (repeatable).", valueName: "code"),
        transform: { text throws(SelectionSyntaxError) in try StatusPattern(parsing: text) })
    var status: [StatusPattern] = []

    @Option(help: ArgumentHelp("Only calls of this method: INVITE, REGISTER, ... (repeatable).", valueName: "method"))
    var method: [String] = []

    @Option(
        name: .customLong("protocol"),
        help: ArgumentHelp("Only calls of this protocol: sip, matrix, xmpp, whatsapp (repeatable).", valueName: "name")
    )
    var protocols: [String] = []

    @Option(
        help: ArgumentHelp(
            "Only calls that start at or after this time: YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|+HH:MM], UTC by default.",
            valueName: "time"),
        transform: { text throws(SelectionSyntaxError) in try CaptureTime(parsingTime: text) })
    var since: CaptureTime?

    @Option(
        help: ArgumentHelp("Only calls that start before this time (as --since).", valueName: "time"),
        transform: { text throws(SelectionSyntaxError) in try CaptureTime(parsingTime: text) })
    var until: CaptureTime?

    func validate() throws {
        let known = RuleCatalog.protocolIDs
        if let unknown = protocols.first(where: { !known.contains($0.lowercased()) }) {
            throw ValidationError(
                "--protocol takes \(known.sorted().joined(separator: ", ")), not '\(unknown)'.")
        }
    }

    var selection: CallSelection {
        var selection = CallSelection()
        selection.callID = call
        selection.match = match
        selection.outcomes = Set(outcome)
        selection.statuses = status
        selection.methods = Set(method.map { $0.uppercased() })
        selection.protocols = Set(protocols.map { $0.lowercased() })
        selection.since = since
        selection.until = until
        return selection
    }
}

extension CallOutcome: ExpressibleByArgument {}
