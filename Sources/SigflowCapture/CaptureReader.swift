import CPcap
import SigflowCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads one or more captures and hands their packets over in timestamp order.
///
/// Several files are vantage points of one event, so their packets are merged by time (ties go to
/// the earlier input on the command line), and each packet keeps its own file and frame number.
public final class CaptureReader {
    private let handles: [any PacketSource]
    public private(set) var diagnostics = DiagnosticLog()
    private let isLive: Bool
    /// Receives the decryption secrets of pcapng files (TLS key logs), on the thread that receives
    /// the packets and before any packet that follows them in their file. Set before reading.
    public var onDecryptionSecrets: ((DecryptionSecrets) -> Void)?

    /// Opens every input. A BPF `filter` applies to files and interfaces alike. `captureIndices` gives
    /// each input's position on the command line when other inputs (logs) are read elsewhere.
    public init(inputs: [CaptureInput], filter: String? = nil, captureIndices: [Int]? = nil) throws(CaptureError) {
        var opened: [any PacketSource] = []
        for (position, input) in inputs.enumerated() {
            let index = captureIndices?[position] ?? position
            opened.append(try CaptureOpener.open(input, captureIndex: index, filter: filter))
        }
        self.handles = opened
        self.isLive = inputs.contains { if case .interface = $0 { return true } else { return false } }
        if isLive { LiveCaptureStop.install(breaking: opened.compactMap { $0 as? PcapHandle }) }
    }

    /// One summary per input, in command-line order; complete once `forEachPacket` returned.
    public var summaries: [CaptureSummary] { handles.map(\.summary) }

    /// How much of the inputs was read so far: bytes of the files as stored (compressed for gzip)
    /// and of standard input, out of a total when every input's size is known. Nil for interfaces.
    public var progress: ReadProgress? {
        var total = ReadProgress(bytesRead: 0, totalBytes: 0)
        for handle in handles {
            guard let progress = handle.progress else { return nil }
            total.bytesRead += progress.bytesRead
            total.totalBytes = total.totalBytes.flatMap { sum in progress.totalBytes.map { sum + $0 } }
        }
        return handles.isEmpty ? nil : total
    }

    /// Calls `body` for every packet of every input in time order. A corrupt input throws after the
    /// packets before the damage were delivered (with several inputs, once the others have been read
    /// to their end); a truncated one ends with a warning diagnostic.
    /// Files and standard input are read on a second thread when there is a core for it and enough
    /// to read (see `ReadAhead`).
    public func forEachPacket(_ body: (CapturedPacket) -> Void) throws(CaptureError) {
        try forEachPacket(batching: ReadAhead.isWorthwhile && isLarge ? .standard : nil, body)
    }

    /// Whether reading takes long enough for a second thread to pay for starting it and for its
    /// batches: more than a few megabytes of files, or input of unknown size (standard input, gzip).
    private var isLarge: Bool {
        var total = 0
        for handle in handles {
            guard let size = handle.fileSize else { return true }
            total += size
        }
        return total >= 4 << 20
    }

    /// `batching` nil reads on the calling thread; otherwise (files and standard input) on another.
    func forEachPacket(batching: ReadAhead.Batching?, _ body: (CapturedPacket) -> Void) throws(CaptureError) {
        let secrets = onDecryptionSecrets ?? { _ in }
        guard let batching, !isLive else { return try deliverInOrder(body, secrets: secrets) }
        try ReadAhead.run(
            batching: batching,
            producing: { packets, secrets throws(CaptureError) in try self.deliverInOrder(packets, secrets: secrets) },
            consuming: body, secrets: secrets)
    }

    private func deliverInOrder(
        _ body: (CapturedPacket) -> Void, secrets: (DecryptionSecrets) -> Void
    ) throws(CaptureError) {
        if handles.count == 1 && !isLive {
            try handles[0].readAll(body, secrets: secrets)
            finish()
            return
        }
        var pending: [any PacketSource] = []
        // A corrupt input stops only itself; the first error is thrown once the others are done.
        var failure: CaptureError?
        func advance(_ handle: any PacketSource) -> Bool {
            do {
                return try advanceSkippingTimeouts(handle, secrets: secrets)
            } catch {
                failure = failure ?? error
                return false
            }
        }
        for handle in handles where advance(handle) {
            pending.append(handle)
        }
        while !pending.isEmpty {
            var earliest = 0
            for index in 1..<pending.count
            where pending[index].current!.stamp.time < pending[earliest].current!.stamp.time {
                earliest = index
            }
            let handle = pending[earliest]
            body(handle.current!)
            if !advance(handle) {
                pending.remove(at: earliest)
            }
        }
        finish()
        if let failure { throw failure }
    }

    /// Live interfaces time out when idle; keep waiting for them until the user stops the capture.
    private func advanceSkippingTimeouts(
        _ handle: any PacketSource, secrets: (DecryptionSecrets) -> Void
    ) throws(CaptureError) -> Bool {
        while true {
            if isLive && LiveCaptureStop.requested { return false }
            switch try handle.advance(secrets: secrets) {
            case .packet: return true
            case .end: return false
            case .timeout: continue
            }
        }
    }

    private func finish() {
        for handle in handles {
            if let truncation = handle.truncation { diagnostics.append(truncation) }
        }
    }
}

/// SIGINT/SIGTERM end a live capture cleanly, so the results gathered so far are still printed.
/// The handler also breaks libpcap's wait: an idle interface in immediate mode blocks in poll()
/// with no timeout, so a flag alone would only be seen at the next packet.
enum LiveCaptureStop {
    nonisolated(unsafe) static var requested = false
    /// The live pcap handles, in memory the handler can read without retaining anything.
    nonisolated(unsafe) private static var handles = UnsafeMutableBufferPointer<OpaquePointer>(start: nil, count: 0)

    static func install(breaking opened: [PcapHandle]) {
        let handles = UnsafeMutableBufferPointer<OpaquePointer>.allocate(capacity: opened.count)
        _ = handles.initialize(from: opened.map(\.pcap))
        Self.handles = handles
        let handler: @convention(c) (Int32) -> Void = { _ in
            LiveCaptureStop.requested = true
            for handle in LiveCaptureStop.handles { pcap_breakloop(handle) }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        // A parent may have started us with these signals blocked (test runners do); unblock them
        // or Ctrl-C would never reach the handler.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGINT)
        sigaddset(&stopSignals, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &stopSignals, nil)
    }
}
