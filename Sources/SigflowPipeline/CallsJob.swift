import SigflowCapture
import SigflowChecks
import SigflowCore
import SigflowCorrelator
import SigflowFraming
import SigflowTLS

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The result of decoding captures into calls.
public struct CallsResult {
    /// Every call with its steps, participants and findings (with `.full` detail; empty otherwise).
    public var calls: [Call]
    /// One summary per call, always, in list order.
    public var summaries: CallSummaryStore
    public var clockOffsets: [ClockOffset]
    public var captures: [CaptureSummary]
    public var diagnostics: DiagnosticLog
    /// An input that broke off mid-way: the results cover the packets before the damage.
    public var inputError: CaptureError?
    /// Log files read as evidence (by command-line position), with the number of lines read.
    public var logs: [Int: Int] = [:]
    /// Packets that were UDP or TCP (the rest is other traffic, or not IP).
    public var transportPackets = 0
    /// What TLS decryption read, when key logs were given.
    public var tls: TLSSummary?
}

/// Reads captures, decodes every signaling message and groups them into calls.
public enum CallsJob {
    public static func run(
        _ configuration: PipelineConfiguration, progress: ProgressHandler? = nil
    ) throws(CaptureError) -> CallsResult {
        let decoder = SignalingDecoder(configuration: configuration, captureCount: configuration.inputs.count)
        // Client logs are evidence too: each file goes to the first log decoder that recognises it,
        // every other input to libpcap.
        var captureInputs: [CaptureInput] = []
        var captureIndices: [Int] = []
        var logs: [Int: Int] = [:]
        for (index, input) in configuration.inputs.enumerated() {
            if case .file(let path) = input, let prefix = FilePrefix.read(path),
                let logDecoder = decoder.logDecoders.first(where: { $0.recognizes(prefix) })
            {
                do {
                    logs[index] = try decoder.decodeLog(path: path, captureIndex: index, with: logDecoder)
                } catch {
                    throw .notACapture(path: path, detail: error.reason)
                }
            } else if input == .standardInput, !decoder.logDecoders.isEmpty,
                case let prefix = StandardInput.peek(FilePrefix.length),
                let logDecoder = decoder.logDecoders.first(where: { $0.recognizes(prefix) })
            {
                // Standard input can be read once: a log is read whole from it (up to a log's
                // limit), a capture gets the peeked bytes back in front of the rest.
                let (bytes, truncated) = StandardInput.readAll(limit: FilePrefix.maxLogBytes)
                if truncated {
                    decoder.report(
                        Diagnostic(
                            .warning, "log_too_large",
                            "-: only the first \(FilePrefix.maxLogBytes >> 20) MiB of standard input were read"))
                }
                logs[index] = decoder.decodeLog(bytes: bytes, name: "-", captureIndex: index, with: logDecoder)
            } else {
                captureInputs.append(input)
                captureIndices.append(index)
            }
        }
        let reader = try CaptureReader(
            inputs: captureInputs, filter: configuration.filter, captureIndices: captureIndices)
        // Secrets a pcapng carries (editcap --inject-secrets) decrypt the connections after them.
        reader.onDecryptionSecrets = { secrets in
            guard secrets.type == DecryptionSecrets.tlsKeyLog else { return }
            decoder.addTLSKeyLog(text: String(decoding: secrets.bytes, as: UTF8.self))
        }
        let ticker = ProgressTicker(handler: progress, reader: reader)
        var inputError: CaptureError?
        do {
            try reader.forEachPacket { packet in
                ticker.tick()
                decoder.decode(packet)
            }
        } catch {
            inputError = error
        }
        var captures = reader.summaries
        let held = decoder.heldMessages.joined()
        for (index, lines) in logs.sorted(by: { $0.key < $1.key }) {
            let times = held.filter { $0.stamp.source.capture == index }.map(\.stamp.time)
            captures.insert(
                CaptureSummary(
                    input: configuration.inputs[index], linkType: .evidenceLog, frames: lines, framesKept: lines,
                    firstTime: times.min(), lastTime: times.max()),
                at: index)
        }
        let finished = decoder.finish(
            captureCount: configuration.inputs.count, captureEnd: captures.compactMap(\.lastTime).max())
        var diagnostics = reader.diagnostics
        diagnostics.append(contentsOf: decoder.diagnostics)
        return CallsResult(
            calls: finished.calls, summaries: finished.summaries, clockOffsets: finished.clockOffsets,
            captures: captures, diagnostics: diagnostics, inputError: inputError, logs: logs,
            transportPackets: decoder.transportPackets, tls: finished.tls)
    }
}

/// The first bytes of a file, for recognising its format; nil when it cannot be read (libpcap then
/// reports why).
enum FilePrefix {
    /// Enough for every log format's first line.
    static let length = 4096
    /// The most of a client log read from standard input, as from a file (WhatsAppLogDecoder).
    static let maxLogBytes = 256 << 20

    static func read(_ path: String, count: Int = length) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = fread(&bytes, 1, count, file)
        return Array(bytes.prefix(read))
    }
}
