import SigflowCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One open input, read packet by packet: libpcap (`PcapHandle`: classic pcap, live interfaces) or
/// sigflow's own pcapng reader (`PcapngReader`: every link type in one file, decryption secrets).
///
/// Packets borrow the source's buffer: `current` is valid until `advance` is called again.
protocol PacketSource: AnyObject {
    var summary: CaptureSummary { get }
    /// The packet read by the last `advance` that returned `.packet`.
    var current: CapturedPacket? { get }
    /// Set when the input ended early but the packets before the damage are usable.
    var truncation: Diagnostic? { get }
    /// How far through the input reading got: nil for interfaces.
    var progress: ReadProgress? { get }
    /// The size of a plain file; nil for standard input, gzip and interfaces.
    var fileSize: Int? { get }
    /// Reads the next packet that passes the filter into `current`, handing any decryption secrets
    /// met on the way to `secrets` first.
    func advance(secrets: (DecryptionSecrets) -> Void) throws(CaptureError) -> CaptureStep
    /// Reads every packet to the end: the one-input path.
    func readAll(_ body: (CapturedPacket) -> Void, secrets: (DecryptionSecrets) -> Void) throws(CaptureError)
}

enum CaptureStep {
    case packet
    /// A live interface was idle for its read timeout.
    case timeout
    case end
}

/// How far through its input a reader got, for progress reporting.
enum SizeTracker {
    /// The descriptor's offset, not the stream's: the stream belongs to the reading thread and
    /// is not locked, while the kernel's offset can be asked from any thread. It runs ahead of
    /// what was consumed by at most one buffer.
    case plainFile(descriptor: Int32, total: Int)
    /// The bytes a gzip reader took from its input (compressed bytes), an atomic counter.
    case stream(GzipStream)
    case unknown

    var progress: ReadProgress? {
        switch self {
        case .plainFile(let descriptor, let total):
            return ReadProgress(bytesRead: min(total, max(0, lseek(descriptor, 0, SEEK_CUR))), totalBytes: total)
        case .stream(let gzip):
            return gzip.progress
        case .unknown:
            return nil
        }
    }

    var fileSize: Int? {
        if case .plainFile(_, let total) = self { return total }
        return nil
    }
}

extension Diagnostic {
    /// The warning for an input that stops in the middle of a packet or block.
    static func captureTruncated(_ input: CaptureInput, captureIndex: Int, frames: Int) -> Diagnostic {
        Diagnostic(
            .warning, "capture_truncated",
            "\(input): capture ends in the middle of a packet after frame \(frames); "
                + "the \(frames) packets before it were read",
            source: SourceRef(capture: captureIndex, frame: frames))
    }
}
