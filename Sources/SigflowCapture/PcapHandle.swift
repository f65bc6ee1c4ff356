import CPcap
import CSigflowGzip
import SigflowCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One open libpcap handle (file, standard input or interface) and the packet it read last.
///
/// libpcap reuses its buffer on every read, so `current` is valid until `advance()` is called again.
final class PcapHandle {
    let input: CaptureInput
    let captureIndex: Int
    let linkType: LinkType
    private let handle: OpaquePointer
    private var filter: bpf_program?
    /// Files apply the filter in user space so frame numbers stay those of the file, as in Wireshark.
    private let filtersInUserSpace: Bool
    private var sizeTracker: SizeTracker
    /// 1 when libpcap reports nanoseconds, 1000 when it could only give microseconds.
    private let nanosecondsPerTick: Int64
    /// The reader of a gzip file or of standard input (`sigflow_gz_state`), which says where its
    /// data was damaged or cut: libpcap only sees a failed or short read. Owned by the stream.
    private let gzip: OpaquePointer?
    /// The stdio buffer of a plain file, freed after libpcap closes the stream.
    private let streamBuffer: UnsafeMutableRawPointer?

    private(set) var frames = 0
    private(set) var framesKept = 0
    private(set) var firstTime: CaptureTime?
    private(set) var lastTime: CaptureTime?
    /// The packet read by the last successful `advance()`.
    private(set) var current: CapturedPacket?
    /// Set when the input ended early but the packets before the damage are usable.
    private(set) var truncation: Diagnostic?

    /// How far through the input the reader is, for progress reporting.
    enum SizeTracker {
        /// The descriptor's offset, not the stream's: the stream belongs to the reading thread and
        /// is not locked, while the kernel's offset can be asked from any thread. It runs ahead of
        /// what libpcap consumed by at most the stream's buffer.
        case plainFile(descriptor: Int32, total: Int)
        /// The bytes a gzip reader took from its input (compressed bytes), an atomic counter; the
        /// file's size when it is a file.
        case stream(OpaquePointer, total: Int?)
        case unknown

        var progress: ReadProgress? {
            switch self {
            case .plainFile(let descriptor, let total):
                return ReadProgress(bytesRead: min(total, max(0, lseek(descriptor, 0, SEEK_CUR))), totalBytes: total)
            case .stream(let state, let total):
                let read = Int(clamping: sigflow_gz_bytes_read(state))
                return ReadProgress(bytesRead: total.map { min($0, read) } ?? read, totalBytes: total)
            case .unknown:
                return nil
            }
        }
    }

    var progress: ReadProgress? { sizeTracker.progress }

    /// The size of a plain file; nil for standard input, gzip and interfaces.
    var fileSize: Int? {
        if case .plainFile(_, let total) = sizeTracker { return total }
        return nil
    }

    init(input: CaptureInput, captureIndex: Int, filter expression: String?) throws(CaptureError) {
        self.input = input
        self.captureIndex = captureIndex
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        let opened: OpaquePointer?
        var tracker = SizeTracker.unknown
        var gzip: OpaquePointer?
        var streamBuffer: UnsafeMutableRawPointer?
        switch input {
        case .file(let path):
            guard let leading = FileSniffer.leadingBytes(ofFileAt: path, count: 4) else {
                throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
            }
            if leading.isEmpty { throw .empty(path: path) }
            if FileSniffer.isGzip(leading) {
                let descriptor = open(path, O_RDONLY)
                guard descriptor >= 0 else {
                    throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
                }
                var info = stat()
                let size = fstat(descriptor, &info) == 0 ? Int(info.st_size) : nil
                guard let file = sigflow_gz_open(descriptor, nil, 0, &gzip), let gzip else {
                    throw .cannotOpen(path: path, reason: "out of memory")
                }
                opened = try Self.openOffline(file, gzip: gzip, input: input, errorBuffer: &errorBuffer)
                tracker = .stream(gzip, total: size)
            } else {
                guard let file = fopen(path, "rb") else {
                    throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
                }
                // libpcap reads record by record through stdio; a large buffer turns thousands of
                // small reads into a few big ones. glibc ignores the size unless given the buffer.
                let buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.streamBufferSize, alignment: 64)
                streamBuffer = buffer
                setvbuf(file, buffer.assumingMemoryBound(to: CChar.self), _IOFBF, Self.streamBufferSize)
                fseek(file, 0, SEEK_END)
                let size = ftell(file)
                fseek(file, 0, SEEK_SET)
                opened = try Self.openOffline(file, gzip: nil, input: input, errorBuffer: &errorBuffer)
                if opened != nil { tracker = .plainFile(descriptor: fileno(file), total: size) }
            }
            filtersInUserSpace = true
        case .standardInput:
            // A duplicate, so closing the capture leaves standard input open; the bytes a caller
            // already took to recognise the input (StandardInput.peek) come first.
            let prefix = StandardInput.takePeeked()
            let descriptor = dup(STDIN_FILENO)
            guard descriptor >= 0,
                let file = prefix.withUnsafeBufferPointer({
                    sigflow_gz_open(descriptor, $0.baseAddress, $0.count, &gzip)
                }), let gzip
            else {
                throw .cannotOpen(path: "-", reason: "standard input is not readable")
            }
            opened = try Self.openOffline(file, gzip: gzip, input: input, errorBuffer: &errorBuffer)
            tracker = .stream(gzip, total: nil)
            filtersInUserSpace = true
        case .interface(let name):
            opened = try Self.openLive(name, errorBuffer: &errorBuffer)
            filtersInUserSpace = false
        }
        guard let opened else {
            streamBuffer?.deallocate()
            let detail = String(nulTerminated: errorBuffer)
            let path = input.description
            if detail.contains("truncated") && detail.contains("header") {
                throw .notACapture(path: path, detail: "file too short for a capture header")
            }
            throw .notACapture(path: path, detail: detail.isEmpty ? "unknown format" : detail)
        }
        self.handle = opened
        self.gzip = gzip
        self.streamBuffer = streamBuffer
        self.linkType = LinkType(rawValue: pcap_datalink(opened))
        self.sizeTracker = tracker
        self.nanosecondsPerTick = pcap_get_tstamp_precision(opened) == Int32(PCAP_TSTAMP_PRECISION_NANO) ? 1 : 1000
        if let expression {
            var program = bpf_program()
            // Every stored property is set by now, so a throw runs deinit, which closes the handle:
            // closing it here as well would free it twice.
            if pcap_compile(opened, &program, expression, 1, PCAP_NETMASK_UNKNOWN) != 0 {
                throw .badFilter(expression: expression, detail: String(cString: pcap_geterr(opened)))
            }
            if !filtersInUserSpace && pcap_setfilter(opened, &program) != 0 {
                let detail = String(cString: pcap_geterr(opened))
                pcap_freecode(&program)
                throw .badFilter(expression: expression, detail: detail)
            }
            self.filter = program
        }
    }

    /// Hands `file` to libpcap, or closes it (throwing what its gzip reader found wrong, if anything:
    /// the reader goes with the stream). Only one thread reads a capture stream at a time (the
    /// reading thread, see `ReadAhead`), so stdio need not lock it: with a second thread running,
    /// glibc would otherwise take a lock in each of libpcap's two `fread`s per record, which cost a
    /// quarter of the CPU time on the 100 MB benchmark.
    private static func openOffline(
        _ file: UnsafeMutablePointer<FILE>, gzip: OpaquePointer?, input: CaptureInput, errorBuffer: inout [CChar]
    ) throws(CaptureError) -> OpaquePointer? {
        #if canImport(Glibc)
            __fsetlocking(file, Int32(FSETLOCKING_BYCALLER))
        #endif
        let opened = pcap_fopen_offline_with_tstamp_precision(file, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer)
        if opened == nil {
            let failure = gzip.flatMap { readFailure(of: $0, input: input, afterFrame: 0) }
            fclose(file)
            if let failure { throw failure }
        }
        return opened
    }

    /// What a gzip reader (or the standard-input reader) found wrong with its input, as an error:
    /// damaged compressed data or a failed read. A stream merely cut short is not an error (the
    /// packets before the cut stand, as in a truncated capture): nil, like a healthy stream.
    /// `noticedAt` is how far the input was inflated when its records stopped making sense, which
    /// places a damage zlib found only later (at the check value) to within a stdio buffer.
    private static func readFailure(
        of gzip: OpaquePointer, input: CaptureInput, afterFrame frames: Int, noticedAt: UInt64? = nil
    ) -> CaptureError? {
        let detail = String(cString: sigflow_gz_failure_detail(gzip))
        switch sigflow_gz_failure(gzip) {
        case Int32(SIGFLOW_GZ_CORRUPT):
            var size: Int?
            var info = stat()
            if case .file(let path) = input, stat(path, &info) == 0 { size = Int(info.st_size) }
            let found = sigflow_gz_failure_offset(gzip)
            return .damagedCompression(
                path: input.description, offset: Int(clamping: min(found, noticedAt ?? found)), size: size,
                afterFrame: frames, detail: detail)
        case Int32(SIGFLOW_GZ_READ_ERROR):
            return .readFailed(path: input.description, afterFrame: frames, reason: detail)
        default:
            return nil
        }
    }

    /// The warning for a gzip stream that ends inside a member, nil for one that ended cleanly.
    private func cutShortWarning() -> Diagnostic? {
        guard let gzip, sigflow_gz_failure(gzip) == Int32(SIGFLOW_GZ_TRUNCATED) else { return nil }
        return Diagnostic(
            .warning, "capture_truncated",
            "\(input): the gzip data ends early, at compressed byte \(sigflow_gz_failure_offset(gzip)); "
                + "the \(frames) packets before it were read",
            source: SourceRef(capture: captureIndex, frame: frames))
    }

    private static func openLive(_ name: String, errorBuffer: inout [CChar]) throws(CaptureError) -> OpaquePointer {
        guard let live = pcap_create(name, &errorBuffer) else {
            throw .liveCaptureFailed(interface: name, detail: String(nulTerminated: errorBuffer))
        }
        pcap_set_snaplen(live, 262_144)
        pcap_set_promisc(live, 1)
        pcap_set_immediate_mode(live, 1)
        pcap_set_timeout(live, 200)
        pcap_set_tstamp_precision(live, Int32(PCAP_TSTAMP_PRECISION_NANO))
        let status = pcap_activate(live)
        if status < 0 {
            let detail = String(cString: pcap_geterr(live))
            pcap_close(live)
            throw .liveCaptureFailed(interface: name, detail: detail.isEmpty ? "cannot start capture" : detail)
        }
        return live
    }

    deinit {
        if var program = filter { pcap_freecode(&program) }
        pcap_close(handle)
        streamBuffer?.deallocate()
    }

    private static let streamBufferSize = 1 << 17

    /// How much more of a gzip stream is inflated after libpcap met a corrupt record, looking for
    /// zlib's proof that the data was damaged (its check value ends the member): about a second of
    /// inflating. Beyond it, the corrupt record is reported as libpcap saw it.
    private static let damageSearchLimit = 256 << 20

    enum Step {
        case packet
        case timeout
        case end
    }

    /// Reads the next packet that passes the filter into `current`.
    func advance() throws(CaptureError) -> Step {
        while true {
            var header: UnsafeMutablePointer<pcap_pkthdr>?
            var data: UnsafePointer<UInt8>?
            let status = pcap_next_ex(handle, &header, &data)
            guard status == 1, let header, let data else {
                current = nil
                if status == 1 { continue }
                return try step(after: status)
            }
            frames += 1
            if filtersInUserSpace, var program = filter, pcap_offline_filter(&program, header, data) == 0 { continue }
            framesKept += 1
            let packet = packet(header, data, frame: frames)
            if firstTime == nil { firstTime = packet.stamp.time }
            lastTime = packet.stamp.time
            current = packet
            return .packet
        }
    }

    /// Reads every packet to the end, calling `body` for each: the one-input path, with the counters
    /// kept in locals because a class property written per packet costs an exclusivity check each time.
    func readAll(_ body: (CapturedPacket) -> Void) throws(CaptureError) {
        var frames = self.frames
        var kept = framesKept
        var first = firstTime
        var last = lastTime
        var program = filtersInUserSpace ? filter : nil
        let handle = self.handle
        defer {
            self.frames = frames
            framesKept = kept
            firstTime = first
            lastTime = last
        }
        while true {
            var header: UnsafeMutablePointer<pcap_pkthdr>?
            var data: UnsafePointer<UInt8>?
            let status = pcap_next_ex(handle, &header, &data)
            guard status == 1, let header, let data else {
                if status == 1 { continue }
                self.frames = frames
                _ = try step(after: status)
                return
            }
            frames += 1
            if program != nil, pcap_offline_filter(&program!, header, data) == 0 { continue }
            kept += 1
            let packet = packet(header, data, frame: frames)
            if first == nil { first = packet.stamp.time }
            last = packet.stamp.time
            body(packet)
        }
    }

    @inline(__always)
    private func packet(
        _ header: UnsafeMutablePointer<pcap_pkthdr>, _ data: UnsafePointer<UInt8>, frame: Int
    )
        -> CapturedPacket
    {
        // pcap stores unsigned 32-bit seconds, but libpcap reads little-endian files through a
        // signed field: after January 2038 the seconds come back negative. No capture predates
        // 1970, so a negative value is that wrap (Wireshark reads them unsigned too).
        let seconds = Int64(header.pointee.ts.tv_sec)
        let time = CaptureTime(
            seconds: seconds < 0 ? Int64(UInt32(truncatingIfNeeded: seconds)) : seconds,
            nanoseconds: Int64(header.pointee.ts.tv_usec) * nanosecondsPerTick)
        return CapturedPacket(
            bytes: UnsafeRawBufferPointer(start: data, count: Int(header.pointee.caplen)),
            originalLength: Int(header.pointee.len),
            stamp: PacketStamp(time: time, source: SourceRef(capture: captureIndex, frame: frame)),
            linkType: linkType)
    }

    /// What a status other than "packet read" means: a live timeout, the end, a truncated file (a
    /// warning; the packets before it stand) or a corrupt one.
    private func step(after status: Int32) throws(CaptureError) -> Step {
        switch status {
        case 0:
            return .timeout
        case PCAP_ERROR_BREAK, -2:
            truncation = cutShortWarning()
            return .end
        default:
            // libpcap sees a failed or short read, or records made of bytes zlib inflated from damaged
            // data before it noticed (it may only notice at the member's check value): read on, and
            // the gzip reader says whether the data was damaged, and where it found out. At most
            // `damageSearchLimit` more, so a corrupt record in a gzip stream without end (a pipe)
            // still ends the run.
            if let gzip {
                var stoppedMakingSense: UInt64?
                if sigflow_gz_failure(gzip) == Int32(SIGFLOW_GZ_OK), sigflow_gz_is_compressed(gzip) != 0,
                    let file = pcap_file(handle)
                {
                    stoppedMakingSense = sigflow_gz_bytes_consumed(gzip)
                    var scratch = [UInt8](repeating: 0, count: 1 << 16)
                    var searched = 0
                    while searched < Self.damageSearchLimit {
                        let count = fread(&scratch, 1, scratch.count, file)
                        guard count > 0 else { break }
                        searched += count
                    }
                }
                if let failure = Self.readFailure(
                    of: gzip, input: input, afterFrame: frames, noticedAt: stoppedMakingSense)
                {
                    throw failure
                }
            }
            let detail = String(cString: pcap_geterr(handle))
            if let cutShort = cutShortWarning() {
                truncation = cutShort
                return .end
            }
            if detail.contains("truncated") || detail.contains("cut short") {
                truncation = Diagnostic(
                    .warning, "capture_truncated",
                    "\(input): capture ends in the middle of a packet after frame \(frames); "
                        + "the \(frames) packets before it were read",
                    source: SourceRef(capture: captureIndex, frame: frames))
                return .end
            }
            if detail.contains("different from the type of the first interface") {
                throw .unsupportedLinkType(
                    path: input.description,
                    detail: "pcapng interfaces with different link types, which libpcap cannot read in "
                        + "one file (\(detail))")
            }
            throw .corrupt(path: input.description, afterFrame: frames, detail: detail)
        }
    }

    /// The libpcap handle, for `pcap_breakloop` from a signal handler (libpcap sets a flag and
    /// wakes its poll through an eventfd).
    var pcap: OpaquePointer { handle }

    var summary: CaptureSummary {
        CaptureSummary(
            input: input, linkType: linkType, frames: frames, framesKept: framesKept, firstTime: firstTime,
            lastTime: lastTime)
    }
}

extension String {
    /// The text of a C character buffer up to its NUL.
    init(nulTerminated buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
