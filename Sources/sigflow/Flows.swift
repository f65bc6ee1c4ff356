import ArgumentParser
import SigflowPipeline
import SigflowRender

struct Flows: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flows",
        abstract: "List every UDP and TCP conversation, like tshark -z conv.",
        discussion: """
            One line per conversation: endpoints (A is the side that sent first, for TCP the SYN), frames \
            and bytes each way (frame lengths on the wire), first packet time, duration, and for TCP the \
            gaps reassembly found (bytes the capture never saw). IP fragments are reassembled: a \
            fragmented datagram counts once, in the frame that completed it, as in tshark. Tunnels show the inner \
            endpoints, and a TUNNEL column names them (gtpu teid 0x..., gre key 0x..., vxlan vni 42, ...); a \
            GRE tunnel sigflow cannot open is listed as a gre conversation between its two hosts.
            """
    )

    @OptionGroup var input: InputOptions

    func validate() throws { try input.requireInputs() }

    @Option(help: "Output format: text or json.")
    var format: FlowsFormat = .text

    func run() throws {
        let console = Console(quiet: input.quiet)
        let result: FlowsResult
        do {
            result = try FlowsJob.run(input.pipelineConfiguration, progress: console.progressHandler(for: input))
        } catch {
            console.fail(error)
        }
        console.clearProgress()
        console.write(to: nil) { output in
            switch format {
            case .text where result.flows.isEmpty:
                let packets = Wording.count(result.captures.reduce(0) { $0 + $1.frames }, "packet")
                output.write(
                    "no UDP or TCP conversations in \(TerminalText.escape(input.captureNames.joined(separator: ", "))) "
                        + "(\(packets) read)\n")
            case .text: FlowsRenderer.writeText(result.flows, to: &output)
            case .json: FlowsRenderer.writeJSON(result.flows, to: &output)
            }
        }
        console.report(result.diagnostics)
        if let inputError = result.inputError { console.fail(inputError) }
    }
}

enum FlowsFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
