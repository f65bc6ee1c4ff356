import CPcap
import SigflowCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One open libpcap handle (classic pcap from a file or standard input, or a live interface) and
/// the packet it read last.
///
/// libpcap reuses its buffer on every read, so `current` is valid until `advance()` is called again.
final class PcapHandle: PacketSource {
    let input: CaptureInput
    let captureIndex: Int
    let linkType: LinkType
    private let handle: OpaquePointer
    private var filter: bpf_program?
    /// Files apply the filter in user space so frame numbers stay those of the file, as in Wireshark.
    private let filtersInUserSpace: Bool
    private let sizeTracker: SizeTracker
    /// 1 when libpcap reports nanoseconds, 1000 when it could only give microseconds.
    private let nanosecondsPerTick: Int64
    /// The reader of a gzip file or of standard input, which says where its data was damaged or
    /// cut: libpcap only sees a failed or short read.
    private let gzip: GzipStream?
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

    var progress: ReadProgress? { sizeTracker.progress }
    var fileSize: Int? { sizeTracker.fileSize }

    /// A plain capture file for libpcap, read through a large stdio buffer of our own.
    convenience init(
        plainFile file: UnsafeMutablePointer<FILE>, input: CaptureInput, captureIndex: Int, filter: String?
    ) throws(CaptureError) {
        // libpcap reads record by record through stdio; a large buffer turns thousands of
        // small reads into a few big ones. glibc ignores the size unless given the buffer.
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.streamBufferSize, alignment: 64)
        setvbuf(file, buffer.assumingMemoryBound(to: CChar.self), _IOFBF, Self.streamBufferSize)
        let size = SizeTracker.plainFile(descriptor: fileno(file), total: Self.size(of: file))
        try self.init(
            offline: file, input: input, captureIndex: captureIndex, filter: filter, sizeTracker: size,
            gzip: nil, streamBuffer: buffer)
    }

    /// A capture read from `file` (a plain file, or zlib's stream of a gzip file or standard input),
    /// which libpcap takes over (or which is closed when it fails to).
    init(
        offline file: UnsafeMutablePointer<FILE>, input: CaptureInput, captureIndex: Int, filter expression: String?,
        sizeTracker: SizeTracker, gzip: GzipStream?, streamBuffer: UnsafeMutableRawPointer? = nil
    ) throws(CaptureError) {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let opened = try Self.openOffline(file, gzip: gzip, errorBuffer: &errorBuffer) else {
            streamBuffer?.deallocate()
            let detail = String(nulTerminated: errorBuffer)
            let path = input.description
            if detail.contains("truncated") && detail.contains("header") {
                throw .notACapture(path: path, detail: "file too short for a capture header")
            }
            throw .notACapture(path: path, detail: detail.isEmpty ? "unknown format" : detail)
        }
        self.input = input
        self.captureIndex = captureIndex
        self.handle = opened
        self.gzip = gzip
        self.streamBuffer = streamBuffer
        self.linkType = LinkType(rawValue: pcap_datalink(opened))
        self.sizeTracker = sizeTracker
        self.nanosecondsPerTick = pcap_get_tstamp_precision(opened) == Int32(PCAP_TSTAMP_PRECISION_NANO) ? 1 : 1000
        self.filtersInUserSpace = true
        try compile(expression)
    }

    /// A live interface; the filter runs in the kernel.
    init(interface name: String, captureIndex: Int, filter expression: String?) throws(CaptureError) {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        let opened = try Self.openLive(name, errorBuffer: &errorBuffer)
        self.input = .interface(name)
        self.captureIndex = captureIndex
        self.handle = opened
        self.gzip = nil
        self.streamBuffer = nil
        self.linkType = LinkType(rawValue: pcap_datalink(opened))
        self.sizeTracker = .unknown
        self.nanosecondsPerTick = pcap_get_tstamp_precision(opened) == Int32(PCAP_TSTAMP_PRECISION_NANO) ? 1 : 1000
        self.filtersInUserSpace = false
        try compile(expression)
    }

    private func compile(_ expression: String?) throws(CaptureError) {
        guard let expression else { return }
        var program = bpf_program()
        // Every stored property is set by now, so a throw runs deinit, which closes the handle:
        // closing it here as well would free it twice.
        if pcap_compile(handle, &program, expression, 1, PCAP_NETMASK_UNKNOWN) != 0 {
            throw .badFilter(expression: expression, detail: String(cString: pcap_geterr(handle)))
        }
        if !filtersInUserSpace && pcap_setfilter(handle, &program) != 0 {
            let detail = String(cString: pcap_geterr(handle))
            pcap_freecode(&program)
            throw .badFilter(expression: expression, detail: detail)
        }
        filter = program
    }

    private static func size(of file: UnsafeMutablePointer<FILE>) -> Int {
        fseek(file, 0, SEEK_END)
        let size = ftell(file)
        fseek(file, 0, SEEK_SET)
        return size
    }

    /// Hands `file` to libpcap (unlocked: libpcap makes two `fread`s per record), or closes it,
    /// throwing what its gzip reader found wrong, if anything (the reader goes with the stream).
    private static func openOffline(
        _ file: UnsafeMutablePointer<FILE>, gzip: GzipStream?, errorBuffer: inout [CChar]
    ) throws(CaptureError) -> OpaquePointer? {
        let opened = pcap_fopen_offline_with_tstamp_precision(
            CaptureOpener.unlocked(file), UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer)
        if opened == nil {
            let failure = gzip?.failure(afterFrame: 0)
            fclose(file)
            if let failure { throw failure }
        }
        return opened
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

    /// Reads the next packet that passes the filter into `current`. Classic pcap has no secrets.
    func advance(secrets: (DecryptionSecrets) -> Void) throws(CaptureError) -> CaptureStep {
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
    func readAll(_ body: (CapturedPacket) -> Void, secrets: (DecryptionSecrets) -> Void) throws(CaptureError) {
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
    private func step(after status: Int32) throws(CaptureError) -> CaptureStep {
        switch status {
        case 0:
            return .timeout
        case PCAP_ERROR_BREAK, -2:
            truncation = gzip?.cutShortWarning(captureIndex: captureIndex, frames: frames)
            return .end
        default:
            // A failed read, or records made of bytes zlib inflated from damaged data before it
            // noticed: the gzip reader says which, and where.
            if let failure = gzip?.failure(behindCorruptRecordIn: pcap_file(handle), afterFrame: frames) {
                throw failure
            }
            let detail = String(cString: pcap_geterr(handle))
            if let cutShort = gzip?.cutShortWarning(captureIndex: captureIndex, frames: frames) {
                truncation = cutShort
                return .end
            }
            if detail.contains("truncated") || detail.contains("cut short") {
                truncation = .captureTruncated(input, captureIndex: captureIndex, frames: frames)
                return .end
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
