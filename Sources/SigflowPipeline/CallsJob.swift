import SigflowCapture
import SigflowChecks
import SigflowCore
import SigflowCorrelator
import SigflowFraming

/// The result of decoding captures into calls.
public struct CallsResult: Sendable {
    public var calls: [Call]
    public var clockOffsets: [ClockOffset]
    public var captures: [CaptureSummary]
    public var diagnostics: DiagnosticLog
    /// An input that broke off mid-way: the results cover the packets before the damage.
    public var inputError: CaptureError?
}

/// Reads captures, decodes every signaling message and groups them into calls.
public enum CallsJob {
    public static func run(
        _ configuration: PipelineConfiguration, progress: ProgressHandler? = nil
    ) throws(CaptureError) -> CallsResult {
        let reader = try CaptureReader(inputs: configuration.inputs, filter: configuration.filter)
        let collector = MessageCollector()
        let registry = DecoderRegistry(sink: collector)
        let dissector = PacketDissector(limits: configuration.limits)
        let table = FlowTable(limits: configuration.limits, classifier: registry, tracksUDP: false)
        let ticker = ProgressTicker(handler: progress, reader: reader)
        var inputError: CaptureError?
        do {
            try reader.forEachPacket { packet in
                ticker.tick()
                guard let transport = dissector.dissect(packet) else { return }
                if transport.transport == .udp {
                    registry.decodeDatagram(transport)
                } else {
                    table.add(transport)
                }
            }
        } catch {
            inputError = error
        }
        table.finish()
        let summaries = reader.summaries
        let captureEnd = summaries.compactMap(\.lastTime).max()
        let correlation = CallCorrelator.correlate(
            collector.messages, captureCount: summaries.count, captureEnd: captureEnd)
        var diagnostics = reader.diagnostics
        diagnostics.append(contentsOf: table.diagnostics)
        diagnostics.append(contentsOf: collector.diagnostics)
        let calls = Checker().check(correlation.calls, context: CheckContext(captureEnd: captureEnd))
        return CallsResult(
            calls: calls, clockOffsets: correlation.clockOffsets, captures: summaries,
            diagnostics: diagnostics, inputError: inputError)
    }
}
