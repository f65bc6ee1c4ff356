import SigflowCapture
import SigflowCore
import SigflowFraming

/// The result of reading captures for `sigflow flows`.
public struct FlowsResult {
    public var flows: [FlowSummary]
    public var captures: [CaptureSummary]
    public var diagnostics: DiagnosticLog
    /// An input that broke off mid-way: the results cover the packets before the damage.
    public var inputError: CaptureError?
}

/// Lists every UDP and TCP conversation in the captures.
public enum FlowsJob {
    public static func run(
        _ configuration: PipelineConfiguration, progress: ProgressHandler? = nil
    ) throws(CaptureError) -> FlowsResult {
        let reader = try CaptureReader(inputs: configuration.inputs, filter: configuration.filter)
        let dissector = PacketDissector(limits: configuration.limits)
        let table = FlowTable(limits: configuration.limits, classifier: nil, tracksUDP: true)
        var flows: [FlowSummary] = []
        table.onFlowEnd = { flows.append($0) }
        let ticker = ProgressTicker(handler: progress, reader: reader)
        var inputError: CaptureError?
        do {
            try reader.forEachPacket { packet in
                ticker.tick()
                if let transport = dissector.dissect(packet) { table.add(transport) }
            }
        } catch {
            inputError = error
        }
        table.finish()
        var diagnostics = reader.diagnostics
        diagnostics.append(contentsOf: table.diagnostics)
        dissector.undecodedDiagnostics.forEach { diagnostics.append($0) }
        flows.sort { ($0.first, $0.a, $0.b) < ($1.first, $1.a, $1.b) }
        return FlowsResult(flows: flows, captures: reader.summaries, diagnostics: diagnostics, inputError: inputError)
    }
}

/// Calls the progress handler every 64k packets at most, so it costs nothing per packet.
final class ProgressTicker {
    private let handler: ProgressHandler?
    private let reader: CaptureReader
    private var count = 0

    init(handler: ProgressHandler?, reader: CaptureReader) {
        self.handler = handler
        self.reader = reader
    }

    @inline(__always)
    func tick() {
        guard let handler else { return }
        count &+= 1
        if count & 0xffff == 0, let progress = reader.progress { handler(progress) }
    }
}
