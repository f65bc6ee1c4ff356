import SigflowCapture
import SigflowChecks
import SigflowCore
import SigflowCorrelator
import SigflowFraming
import SigflowWhatsApp

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The result of decoding captures into calls.
public struct CallsResult: Sendable {
    public var calls: [Call]
    public var clockOffsets: [ClockOffset]
    public var captures: [CaptureSummary]
    public var diagnostics: DiagnosticLog
    /// An input that broke off mid-way: the results cover the packets before the damage.
    public var inputError: CaptureError?
    /// Log files read as evidence (by command-line position), with the number of lines read.
    public var logs: [Int: Int] = [:]
}

/// Reads captures, decodes every signaling message and groups them into calls.
public enum CallsJob {
    public static func run(
        _ configuration: PipelineConfiguration, progress: ProgressHandler? = nil
    ) throws(CaptureError) -> CallsResult {
        let collector = MessageCollector()
        let registry = DecoderRegistry(sink: collector, logDate: configuration.logDate)
        // Client logs are evidence too: each file goes to the first log decoder that recognises it,
        // every other input to libpcap.
        var captureInputs: [CaptureInput] = []
        var captureIndices: [Int] = []
        var logs: [Int: Int] = [:]
        for (index, input) in configuration.inputs.enumerated() {
            if case .file(let path) = input, let prefix = FilePrefix.read(path),
                let decoder = registry.logDecoders.first(where: { $0.recognizes(prefix) })
            {
                do {
                    logs[index] = try decoder.decode(path: path, captureIndex: index, into: collector)
                } catch {
                    throw .notACapture(path: path, detail: error.reason)
                }
            } else {
                captureInputs.append(input)
                captureIndices.append(index)
            }
        }
        let reader = try CaptureReader(
            inputs: captureInputs, filter: configuration.filter, captureIndices: captureIndices)
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
        registry.finish()
        var summaries = reader.summaries
        for (index, lines) in logs.sorted(by: { $0.key < $1.key }) {
            let times = collector.messages.filter { $0.stamp.source.capture == index }.map(\.stamp.time)
            summaries.insert(
                CaptureSummary(
                    input: configuration.inputs[index], linkType: .evidenceLog, frames: lines, framesKept: lines,
                    firstTime: times.min(), lastTime: times.max()),
                at: index)
        }
        let captureEnd = summaries.compactMap(\.lastTime).max() ?? collector.messages.map(\.stamp.time).max()
        // WhatsApp logs are single-device views: merge them (clocks, device names, implied hops)
        // before correlation, and give the calls their WhatsApp outcomes and open questions after.
        let merged = WhatsAppLogMerger.merge(collector.messages)
        let correlation = CallCorrelator.correlate(
            merged.messages, captureCount: configuration.inputs.count, captureEnd: captureEnd)
        var diagnostics = reader.diagnostics
        diagnostics.append(contentsOf: table.diagnostics)
        diagnostics.append(contentsOf: collector.diagnostics)
        for diagnostic in merged.diagnostics { diagnostics.append(diagnostic) }
        let calls = Checker().check(
            WhatsAppCallReview.review(correlation.calls), context: CheckContext(captureEnd: captureEnd))
        return CallsResult(
            calls: calls, clockOffsets: correlation.clockOffsets, captures: summaries,
            diagnostics: diagnostics, inputError: inputError, logs: logs)
    }
}

/// The first bytes of a file, for recognising its format; nil when it cannot be read (libpcap then
/// reports why).
enum FilePrefix {
    static func read(_ path: String, count: Int = 4096) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = fread(&bytes, 1, count, file)
        return Array(bytes.prefix(read))
    }
}
