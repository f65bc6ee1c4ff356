import SigflowCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads packets on a second thread while the caller decodes the ones already read.
///
/// Reading a file through libpcap (stdio copies, the kernel's page-cache copies, one `fread` per
/// record header and one per record) costs about as much as everything sigflow does with the
/// packets; on a machine with two cores the two can overlap. libpcap reuses its buffer on every
/// read, so the reading thread copies each packet into a batch: the one copy at the capture edge.
/// A small fixed pool of batches circulates between the threads, which bounds the memory read
/// ahead, and packets reach the caller in exactly the order they were read.
enum ReadAhead {
    /// Whether reading ahead can help: there is a second core to read on.
    static var isWorthwhile: Bool { BackgroundThread.coreCount > 1 }

    /// How packets are batched between the threads.
    struct Batching {
        var byteCapacity: Int
        var recordCapacity: Int
        /// Batches going round: one being filled, one being consumed, the rest absorb uneven speeds.
        var poolSize: Int

        /// Four batches of a megabyte and 8192 packets hold at most about 6 MB. Batches this large
        /// keep the threads from waking each other often: with 64 KB ones the hand-overs cost more
        /// than the overlap saved.
        static let standard = Batching(byteCapacity: 1 << 20, recordCapacity: 8192, poolSize: 4)
    }

    /// What the reading thread runs: it hands packets and decryption secrets to its two sinks.
    typealias Producing = (
        _ packets: (CapturedPacket) -> Void, _ secrets: (DecryptionSecrets) -> Void
    ) throws(CaptureError) -> Void

    /// Runs `produce` on a new thread, feeding copies of its packets to `consume` on this one, and
    /// its secrets to `secrets` in their place among the packets.
    /// A `CaptureError` thrown by `produce` is thrown here once every packet before it was consumed.
    static func run(
        batching: Batching,
        producing produce: @escaping Producing,
        consuming consume: (CapturedPacket) -> Void,
        secrets: (DecryptionSecrets) -> Void
    ) throws(CaptureError) {
        let queue = BatchQueue(batching)
        guard let thread = BackgroundThread.start(Producer(queue: queue, produce: produce).run) else {
            // No thread to read on (resource limits): read on this one instead.
            try produce(consume, secrets)
            return
        }
        while let batch = queue.nextReady() {
            batch.forEach(consume, secrets: secrets)
            queue.recycle(batch)
        }
        thread.join()
        if let failure = queue.failure { throw failure }
    }
}

/// Packets copied out of the reader's buffer: their bytes back to back, and where each one lies;
/// and the decryption secrets read among them, with the packet each one precedes.
///
/// A struct of raw buffers, so the reading thread appends a packet without reference counting;
/// `BatchQueue` owns the batches and frees them. Secrets are rare and kept in an array.
private struct PacketBatch {
    struct Record {
        var offset: Int
        var count: Int
        var originalLength: Int
        var stamp: PacketStamp
        var linkType: LinkType
    }

    private let byteCapacity: Int
    private var bytes: UnsafeMutableRawBufferPointer
    private let records: UnsafeMutableBufferPointer<Record>
    private var used = 0
    private(set) var count = 0
    private var secrets: [(beforeRecord: Int, secrets: DecryptionSecrets)] = []
    private var secretBytes = 0

    init(_ batching: ReadAhead.Batching) {
        byteCapacity = batching.byteCapacity
        bytes = .allocate(byteCount: byteCapacity, alignment: 16)
        records = .allocate(capacity: batching.recordCapacity)
    }

    var isEmpty: Bool { count == 0 && secrets.isEmpty }

    /// Adds secrets before the next packet, or returns false when their bytes would overfill a
    /// batch that holds something already: a file of secrets and no packets stays bounded too.
    mutating func append(_ secrets: DecryptionSecrets) -> Bool {
        guard isEmpty || used + secretBytes + secrets.bytes.count <= byteCapacity else { return false }
        self.secrets.append((count, secrets))
        secretBytes += secrets.bytes.count
        return true
    }

    /// Copies `packet` in, or returns false when the batch has no room left for it. An empty batch
    /// always takes the packet, reallocating its bytes for one larger than they are (libpcap keeps
    /// records under 256 KB today, but a batch must not depend on that).
    mutating func append(_ packet: CapturedPacket) -> Bool {
        let size = packet.bytes.count
        if count == records.count || used + size > bytes.count {
            guard count == 0, secrets.isEmpty else { return false }
            bytes.deallocate()
            bytes = .allocate(byteCount: max(size, byteCapacity), alignment: 16)
        }
        if size > 0 {
            bytes.baseAddress!.advanced(by: used).copyMemory(from: packet.bytes.baseAddress!, byteCount: size)
        }
        (records.baseAddress! + count).initialize(
            to: Record(
                offset: used, count: size, originalLength: packet.originalLength, stamp: packet.stamp,
                linkType: packet.linkType))
        used += size
        count += 1
        return true
    }

    func forEach(_ body: (CapturedPacket) -> Void, secrets deliver: (DecryptionSecrets) -> Void) {
        guard secrets.isEmpty else { return forEachInterleaved(body, secrets: deliver) }
        for index in 0..<count { body(packet(at: index)) }
    }

    private func forEachInterleaved(_ body: (CapturedPacket) -> Void, secrets deliver: (DecryptionSecrets) -> Void) {
        var next = 0
        for index in 0...count {
            while next < secrets.count && secrets[next].beforeRecord == index {
                deliver(secrets[next].secrets)
                next += 1
            }
            if index < count { body(packet(at: index)) }
        }
    }

    @inline(__always)
    private func packet(at index: Int) -> CapturedPacket {
        let record = records[index]
        return CapturedPacket(
            bytes: UnsafeRawBufferPointer(
                start: UnsafeRawPointer(bytes.baseAddress!) + record.offset, count: record.count),
            originalLength: record.originalLength, stamp: record.stamp, linkType: record.linkType)
    }

    mutating func reset() {
        used = 0
        count = 0
        if !secrets.isEmpty {
            secrets.removeAll()
            secretBytes = 0
        }
    }

    func deallocate() {
        bytes.deallocate()
        records.deallocate()
    }
}

/// Batches going round between the two threads: filled ones to the consumer in order, spent ones
/// back to the producer. Every field is read and written under `lock`.
private final class BatchQueue: @unchecked Sendable {
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var spare: [PacketBatch]
    private var ready: [PacketBatch] = []
    private var readyStart = 0
    private var isFinished = false
    private var storedFailure: CaptureError?

    init(_ batching: ReadAhead.Batching) {
        spare = (0..<batching.poolSize).map { _ in PacketBatch(batching) }
        pthread_mutex_init(lock, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        for batch in spare + ready[readyStart...] { batch.deallocate() }
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(lock)
        lock.deallocate()
        changed.deallocate()
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return body()
    }

    /// A spent batch for the producer to fill, waiting until the consumer gives one back.
    func nextSpare() -> PacketBatch {
        locked {
            while spare.isEmpty { pthread_cond_wait(changed, lock) }
            return spare.removeLast()
        }
    }

    func publish(_ batch: PacketBatch) {
        locked {
            ready.append(batch)
            pthread_cond_broadcast(changed)
        }
    }

    func finish(failure: CaptureError?) {
        locked {
            storedFailure = failure
            isFinished = true
            pthread_cond_broadcast(changed)
        }
    }

    /// The next filled batch in reading order, or nil once the producer finished and all were taken.
    func nextReady() -> PacketBatch? {
        locked {
            while readyStart == ready.count && !isFinished { pthread_cond_wait(changed, lock) }
            guard readyStart < ready.count else { return nil }
            let batch = ready[readyStart]
            readyStart += 1
            if readyStart == ready.count {
                ready.removeAll(keepingCapacity: true)
                readyStart = 0
            }
            return batch
        }
    }

    func recycle(_ batch: PacketBatch) {
        var batch = batch
        batch.reset()
        locked {
            spare.append(batch)
            pthread_cond_broadcast(changed)
        }
    }

    var failure: CaptureError? { locked { storedFailure } }
}

/// What the reading thread runs: the producer, batching its packets into the queue.
private struct Producer {
    let queue: BatchQueue
    let produce: ReadAhead.Producing

    func run() {
        var batch = queue.nextSpare()
        var failure: CaptureError?
        do {
            try produce(
                { packet in
                    if !batch.append(packet) {
                        queue.publish(batch)
                        batch = queue.nextSpare()
                        _ = batch.append(packet)
                    }
                },
                { secrets in
                    if !batch.append(secrets) {
                        queue.publish(batch)
                        batch = queue.nextSpare()
                        _ = batch.append(secrets)
                    }
                })
        } catch {
            failure = error
        }
        if batch.isEmpty { queue.recycle(batch) } else { queue.publish(batch) }
        queue.finish(failure: failure)
    }
}
