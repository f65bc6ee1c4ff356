import SigflowCapture
import SigflowChecks
import SigflowCore
import SigflowCorrelator
import SigflowFraming

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The result of decoding captures into calls.
public struct CallsResult: Sendable {
    /// Every call with its steps, participants and findings (with `.full` detail; empty otherwise).
    public var calls: [Call]
    /// One summary per call, always.
    public var summaries: [CallSummary]
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
        let full = configuration.detail == .full
        // Several captures share one clock, estimated from all their messages: keep every call then.
        let collector = MessageCollector(
            maxOpenCalls: configuration.inputs.count == 1 ? configuration.limits.maxOpenCalls : nil)
        let registry = DecoderRegistry(sink: collector, detailed: full)
        var calls: [Call] = []
        var summaries: [CallSummary] = []
        func keep(_ call: Call) {
            summaries.append(CallSummary(call))
            if full { calls.append(call) }
        }
        collector.finalize = { messages, now in
            var call = CallCorrelator.call(from: messages, offsets: [], captureEnd: now)
            if full { call = Checker().check([call], context: CheckContext(captureEnd: now))[0] }
            keep(call)
        }
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
                // Most packets are media: drop them before dissecting anything.
                if let first = PacketDissector.udpPayloadFirstByte(packet), !registry.wantsDatagram(startingWith: first)
                {
                    return
                }
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
        var captures = reader.summaries
        let held = collector.remaining()
        for (index, lines) in logs.sorted(by: { $0.key < $1.key }) {
            let times = held.joined().filter { $0.stamp.source.capture == index }.map(\.stamp.time)
            captures.insert(
                CaptureSummary(
                    input: configuration.inputs[index], linkType: .evidenceLog, frames: lines, framesKept: lines,
                    firstTime: times.min(), lastTime: times.max()),
                at: index)
        }
        let captureEnd = captures.compactMap(\.lastTime).max()
        let offsets = CallCorrelator.clockOffsets(held.flatMap { $0 }, captureCount: configuration.inputs.count)
        var remaining = held.map { CallCorrelator.call(from: $0, offsets: offsets, captureEnd: captureEnd) }
        if full {
            remaining = Checker().check(remaining, context: CheckContext(captureEnd: captureEnd))
        }
        remaining.forEach(keep)
        if full {
            CallCorrelator.linkLegs(&calls)
            calls.sort { ($0.timing.start, $0.callID) < ($1.timing.start, $1.callID) }
        }
        CallCorrelator.linkLegs(&summaries)
        summaries.sort { ($0.timing.start, $0.callID) < ($1.timing.start, $1.callID) }
        var diagnostics = reader.diagnostics
        diagnostics.append(contentsOf: table.diagnostics)
        diagnostics.append(contentsOf: collector.diagnostics)
        return CallsResult(
            calls: calls, summaries: summaries, clockOffsets: offsets, captures: captures, diagnostics: diagnostics,
            inputError: inputError, logs: logs)
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
