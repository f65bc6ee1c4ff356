import SigflowCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads pcapng block by block, so each packet keeps its own interface's link type: libpcap reads
/// only files whose interfaces share one. Sections (in either byte order, several per file),
/// Interface Description Blocks (link type, snap length, `if_tsresol`, `if_tsoffset`), Enhanced,
/// Simple and obsolete Packet Blocks and Decryption Secrets Blocks are read; every other block is
/// skipped. Every packet block counts as a frame, as Wireshark numbers them.
///
/// Blocks are read into one reused buffer and packets borrow it: `current` is valid until the next
/// `advance`. A block longer than `maxBlockLength` is corrupt, so a damaged length never allocates.
final class PcapngReader: PacketSource {
    private var parser: PcapngParser
    private let sizeTracker: SizeTracker
    private(set) var current: CapturedPacket?

    /// 16 MiB, libpcap's limit too: far beyond any real packet (256 KiB) or block of secrets.
    static let maxBlockLength = 16 << 20

    /// Takes over `file` and reads the section header: a file that is not pcapng fails here, when it
    /// is opened. `gzip` is the reader under a gzip file or standard input, which `file` reads.
    init(
        file: UnsafeMutablePointer<FILE>, input: CaptureInput, captureIndex: Int,
        filter: LinkTypeFilters?, sizeTracker: SizeTracker, gzip: GzipStream?
    ) throws(CaptureError) {
        parser = PcapngParser(
            file: file, input: input, captureIndex: captureIndex, filters: filter, gzip: gzip)
        self.sizeTracker = sizeTracker
        // Every stored property is set: a throw runs deinit, which closes the file.
        try parser.readFirstSection()
    }

    deinit {
        parser.close()
    }

    func advance(secrets: (DecryptionSecrets) -> Void) throws(CaptureError) -> CaptureStep {
        do {
            current = try parser.next(secrets: secrets)
        } catch {
            throw parser.explained(error)
        }
        return current == nil ? .end : .packet
    }

    /// The parser is read in a local: its counters change for every packet, and a class property
    /// written per packet costs an exclusivity check each time.
    func readAll(_ body: (CapturedPacket) -> Void, secrets: (DecryptionSecrets) -> Void) throws(CaptureError) {
        var parser = self.parser
        defer { self.parser = parser }
        do {
            while let packet = try parser.next(secrets: secrets) { body(packet) }
        } catch {
            throw parser.explained(error)
        }
    }

    var truncation: Diagnostic? { parser.truncation }
    var progress: ReadProgress? { sizeTracker.progress }
    var fileSize: Int? { sizeTracker.fileSize }

    var summary: CaptureSummary {
        CaptureSummary(
            input: parser.input, linkType: parser.firstLinkType ?? .ethernet, frames: parser.frames,
            framesKept: parser.kept, firstTime: parser.firstTime, lastTime: parser.lastTime)
    }
}

/// The reading state of one pcapng file: a struct, so the one-input loop keeps it in a local.
struct PcapngParser {
    let input: CaptureInput
    let captureIndex: Int
    private let file: UnsafeMutablePointer<FILE>
    /// Unread bytes are `buffer[start..<end]`.
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    private var start = 0
    private var end = 0
    private var atEndOfFile = false
    /// The current section's byte order.
    private var bigEndian = false
    private var interfaces: [PcapngInterface] = []
    private let filters: LinkTypeFilters?
    /// The reader under a gzip file or standard input: it says why a read failed or the stream
    /// ended early, and whether a block that makes no sense was inflated from damaged data.
    private let gzip: GzipStream?
    /// Simple Packet Blocks have no timestamp: they take the previous packet's.
    private var previousTime = CaptureTime.zero

    private(set) var frames = 0
    private(set) var kept = 0
    private(set) var firstTime: CaptureTime?
    private(set) var lastTime: CaptureTime?
    private(set) var firstLinkType: LinkType?
    private(set) var truncation: Diagnostic?

    static let sectionHeader: UInt32 = 0x0a0d_0d0a
    static let interfaceDescription: UInt32 = 1
    static let obsoletePacket: UInt32 = 2
    static let simplePacket: UInt32 = 3
    static let enhancedPacket: UInt32 = 6
    static let decryptionSecrets: UInt32 = 0x0a

    init(
        file: UnsafeMutablePointer<FILE>, input: CaptureInput, captureIndex: Int, filters: LinkTypeFilters?,
        gzip: GzipStream?
    ) {
        self.file = file
        self.input = input
        self.captureIndex = captureIndex
        self.filters = filters
        self.gzip = gzip
        capacity = 1 << 20
        buffer = .allocate(byteCount: capacity, alignment: 16)
    }

    func close() {
        fclose(file)
        buffer.deallocate()
    }

    /// Reads the section header that must open the file: damage there means it is not pcapng.
    mutating func readFirstSection() throws(CaptureError) {
        do throws(CaptureError) {
            guard let block = try nextBlock(), block.type == Self.sectionHeader else {
                truncation = nil
                throw CaptureError.notACapture(path: input.description, detail: "file too short for a capture header")
            }
            try section(block.body)
        } catch {
            guard case .corrupt(_, _, let detail) = error else { throw error }
            throw .notACapture(path: input.description, detail: detail)
        }
    }

    /// `error` as the gzip reader explains it: a corrupt block in a gzip stream may be bytes zlib
    /// inflated from damaged data before it noticed, which reading on shows.
    func explained(_ error: CaptureError) -> CaptureError {
        guard case .corrupt = error, let gzip else { return error }
        return gzip.failure(behindCorruptRecordIn: file, afterFrame: frames) ?? error
    }

    /// The next packet that passes the filter, or nil at the end (or at a truncation, which sets
    /// `truncation`). Decryption secrets met on the way go to `secrets` first.
    @inline(__always)
    mutating func next(secrets: (DecryptionSecrets) -> Void) throws(CaptureError) -> CapturedPacket? {
        while let (type, body) = try nextBlock() {
            let packet: CapturedPacket?
            switch type {
            case Self.enhancedPacket: packet = try enhancedPacket(body)
            case Self.simplePacket: packet = try simplePacket(body)
            case Self.obsoletePacket: packet = try obsoletePacket(body)
            case Self.interfaceDescription:
                try interface(body)
                continue
            case Self.sectionHeader:
                try section(body)
                continue
            case Self.decryptionSecrets:
                try decryptionSecrets(body, to: secrets)
                continue
            default:
                // Name Resolution, Interface Statistics, custom and unknown blocks.
                continue
            }
            guard let packet else { continue }
            kept += 1
            if firstTime == nil { firstTime = packet.stamp.time }
            lastTime = packet.stamp.time
            return packet
        }
        return nil
    }

    // MARK: Blocks

    @inline(__always)
    private func uint32(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        PcapngOrder.uint32(bytes, at: offset, bigEndian: bigEndian)
    }

    private func corrupt(_ detail: String) -> CaptureError {
        .corrupt(path: input.description, afterFrame: frames, detail: detail)
    }

    /// The next block's type and body (without its type, length and trailing length), or nil at the
    /// end of the file. The body is valid until the next call.
    @inline(__always)
    private mutating func nextBlock() throws(CaptureError) -> (type: UInt32, body: UnsafeRawBufferPointer)? {
        guard try available(12) else {
            endOfInput(insideBlock: end > start)
            return nil
        }
        let head = UnsafeRawBufferPointer(start: buffer + start, count: 12)
        let type = uint32(head, at: 0)
        if type == Self.sectionHeader {
            // The block type reads the same in both byte orders; the magic after the length says
            // which one the section (this block's length included) is written in.
            switch head.loadUnaligned(fromByteOffset: 8, as: UInt32.self) {
            case UInt32(0x1a2b_3c4d).littleEndian: bigEndian = false
            case UInt32(0x1a2b_3c4d).bigEndian: bigEndian = true
            default: throw corrupt("a pcapng section header with an unknown byte-order magic")
            }
        }
        let length = Int(uint32(head, at: 4))
        guard length >= 12, length & 3 == 0 else {
            throw corrupt("a pcapng block has a length of \(length), not a multiple of 4 of at least 12")
        }
        guard length <= PcapngReader.maxBlockLength else {
            throw corrupt("a pcapng block of \(length) bytes, more than the \(PcapngReader.maxBlockLength) allowed")
        }
        guard try available(length) else {
            endOfInput(insideBlock: true)
            return nil
        }
        let block = UnsafeRawBufferPointer(start: buffer + start, count: length)
        let trailing = Int(uint32(block, at: length - 4))
        guard trailing == length else {
            throw corrupt("a pcapng block's length is \(length) at its start and \(trailing) at its end")
        }
        start += length
        return (type, UnsafeRawBufferPointer(rebasing: block[8..<(length - 4)]))
    }

    /// A gzip stream that ends inside a member was cut short, even between blocks; otherwise an input
    /// that ends inside a block is truncated.
    private mutating func endOfInput(insideBlock: Bool) {
        if let cutShort = gzip?.cutShortWarning(captureIndex: captureIndex, frames: frames) {
            truncation = cutShort
        } else if insideBlock {
            truncation = .captureTruncated(input, captureIndex: captureIndex, frames: frames)
        }
    }

    /// Whether `count` unread bytes are in the buffer, reading more when needed.
    @inline(__always)
    private mutating func available(_ count: Int) throws(CaptureError) -> Bool {
        end - start >= count ? true : try refill(count)
    }

    @inline(never)
    private mutating func refill(_ count: Int) throws(CaptureError) -> Bool {
        if count > capacity {
            let grown = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 16)
            grown.copyMemory(from: buffer + start, byteCount: end - start)
            buffer.deallocate()
            buffer = grown
            capacity = count
            end -= start
            start = 0
        } else if start > 0 {
            memmove(buffer, buffer + start, end - start)
            end -= start
            start = 0
        }
        // A plain file is read in large chunks. A gzip stream is read only as far as the block
        // needs, so that when a block makes no sense zlib has inflated at most a stdio buffer past
        // it: where its damage shows, as for libpcap's records.
        while end - start < count && !atEndOfFile {
            let read = fread(buffer + end, 1, gzip == nil ? capacity - end : count - end, file)
            if read == 0 {
                if ferror(file) != 0 { throw readFailed() }
                atEndOfFile = true
            }
            end += read
        }
        return end - start >= count
    }

    /// Why a read failed: the gzip reader's account, or the system's.
    private func readFailed() -> CaptureError {
        let reason = String(cString: strerror(errno))
        return gzip?.failure(afterFrame: frames)
            ?? .readFailed(path: input.description, afterFrame: frames, reason: reason)
    }

    private mutating func section(_ body: UnsafeRawBufferPointer) throws(CaptureError) {
        guard body.count >= 16 else { throw corrupt("a pcapng section header of \(body.count + 12) bytes") }
        let major = PcapngOrder.uint16(body, at: 4, bigEndian: bigEndian)
        let minor = PcapngOrder.uint16(body, at: 6, bigEndian: bigEndian)
        guard major == 1 else { throw corrupt("unsupported pcapng version \(major).\(minor)") }
        // Interface ids count from 0 again in every section.
        interfaces.removeAll(keepingCapacity: true)
    }

    private mutating func interface(_ body: UnsafeRawBufferPointer) throws(CaptureError) {
        guard body.count >= 8 else { throw corrupt("an Interface Description Block of \(body.count + 12) bytes") }
        let linkType = LinkType(rawValue: Int32(PcapngOrder.uint16(body, at: 0, bigEndian: bigEndian)))
        var interface = PcapngInterface(
            linkType: linkType, snaplen: Int(uint32(body, at: 4)), units: .microseconds, offset: 0, filter: nil)
        for (code, value) in PcapngOptions(UnsafeRawBufferPointer(rebasing: body[8...]), bigEndian: bigEndian) {
            switch (code, value.count) {
            case (9, 1):
                guard let units = PcapngInterface.TimestampUnits(resolution: value[0]) else {
                    throw corrupt("interface \(interfaces.count) has a timestamp resolution no reader can hold")
                }
                interface.units = units
            case (14, 8):
                let seconds = Int64(bitPattern: PcapngOrder.uint64(value, at: 0, bigEndian: bigEndian))
                interface.offset = seconds &* 1_000_000_000
            default:
                break
            }
        }
        interface.filter = try filters?.index(for: linkType, snaplen: interface.snaplen)
        if firstLinkType == nil { firstLinkType = linkType }
        interfaces.append(interface)
    }

    private func packetInterface(_ id: Int) throws(CaptureError) -> PcapngInterface {
        guard id < interfaces.count else {
            throw corrupt("a packet on interface \(id), which no Interface Description Block describes")
        }
        return interfaces[id]
    }

    /// A packet of `interface`, unless the filter drops it.
    @inline(__always)
    private mutating func packet(
        _ data: UnsafeRawBufferPointer, originalLength: Int, time: CaptureTime, on interface: PcapngInterface
    ) -> CapturedPacket? {
        frames += 1
        previousTime = time
        if let filter = interface.filter,
            !filters.unsafelyUnwrapped.passes(
                filter, data: data.baseAddress ?? UnsafeRawPointer(buffer), capturedLength: data.count,
                originalLength: originalLength)
        {
            return nil
        }
        return CapturedPacket(
            bytes: data, originalLength: originalLength,
            stamp: PacketStamp(time: time, source: SourceRef(capture: captureIndex, frame: frames)),
            linkType: interface.linkType)
    }

    @inline(__always)
    private mutating func enhancedPacket(_ body: UnsafeRawBufferPointer) throws(CaptureError) -> CapturedPacket? {
        guard body.count >= 20 else { throw corrupt("an Enhanced Packet Block of \(body.count + 12) bytes") }
        let interface = try packetInterface(Int(uint32(body, at: 0)))
        let captured = Int(uint32(body, at: 12))
        guard captured <= body.count - 20 else {
            throw corrupt("a packet of \(captured) captured bytes in a block that holds \(body.count - 20)")
        }
        let ticks = UInt64(uint32(body, at: 4)) << 32 | UInt64(uint32(body, at: 8))
        return packet(
            UnsafeRawBufferPointer(rebasing: body[20..<(20 + captured)]), originalLength: Int(uint32(body, at: 16)),
            time: interface.time(ofTicks: ticks), on: interface)
    }

    /// A Simple Packet Block: interface 0, no timestamp, captured length from the block and snaplen.
    private mutating func simplePacket(_ body: UnsafeRawBufferPointer) throws(CaptureError) -> CapturedPacket? {
        guard body.count >= 4 else { throw corrupt("a Simple Packet Block of \(body.count + 12) bytes") }
        let interface = try packetInterface(0)
        let original = Int(uint32(body, at: 0))
        var captured = min(original, body.count - 4)
        if interface.snaplen > 0 { captured = min(captured, interface.snaplen) }
        return packet(
            UnsafeRawBufferPointer(rebasing: body[4..<(4 + captured)]), originalLength: original, time: previousTime,
            on: interface)
    }

    /// The Packet Block of pcapng drafts before the Enhanced one: a 16-bit interface id and drop count.
    private mutating func obsoletePacket(_ body: UnsafeRawBufferPointer) throws(CaptureError) -> CapturedPacket? {
        guard body.count >= 20 else { throw corrupt("a Packet Block of \(body.count + 12) bytes") }
        let interface = try packetInterface(Int(PcapngOrder.uint16(body, at: 0, bigEndian: bigEndian)))
        let captured = Int(uint32(body, at: 12))
        guard captured <= body.count - 20 else {
            throw corrupt("a packet of \(captured) captured bytes in a block that holds \(body.count - 20)")
        }
        let ticks = UInt64(uint32(body, at: 4)) << 32 | UInt64(uint32(body, at: 8))
        return packet(
            UnsafeRawBufferPointer(rebasing: body[20..<(20 + captured)]), originalLength: Int(uint32(body, at: 16)),
            time: interface.time(ofTicks: ticks), on: interface)
    }

    private func decryptionSecrets(
        _ body: UnsafeRawBufferPointer, to deliver: (DecryptionSecrets) -> Void
    ) throws(CaptureError) {
        guard body.count >= 8 else { throw corrupt("a Decryption Secrets Block of \(body.count + 12) bytes") }
        let length = Int(uint32(body, at: 4))
        guard length <= body.count - 8 else {
            throw corrupt("a Decryption Secrets Block says \(length) bytes of secrets but holds \(body.count - 8)")
        }
        deliver(
            DecryptionSecrets(
                type: uint32(body, at: 0), bytes: Array(body[8..<(8 + length)]),
                source: SourceRef(capture: captureIndex, frame: frames)))
    }
}
