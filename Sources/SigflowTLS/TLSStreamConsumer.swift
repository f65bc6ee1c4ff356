import SigflowCore
import SigflowFraming

/// Decrypts one TCP connection's TLS and hands the plaintext, in order per direction and with gaps
/// as gaps, to an inner consumer: one picked by the classifier from the first plaintext bytes (as a
/// cleartext connection is picked from its first bytes), or one given (XMPP after STARTTLS). The
/// inner consumer sees the same connection with `security == .tls`.
final class TLSStreamConsumer: StreamConsumer {
    enum Inner {
        /// Asks the classifier with the first plaintext; `attempts` so far, and what each
        /// direction lost while undecided.
        case undecided(any StreamClassifier, attempts: Int, skipped: [StreamDirection: PacketStamp])
        case consume(any StreamConsumer)
        case ignore
    }

    /// How many plaintext chunks the inner connection gets to identify itself, as for TCP.
    static let maxClassificationAttempts = 8

    private var connection: TLSConnection
    private let stream: StreamInfo
    private let plaintextStream: StreamInfo
    private var inner: Inner
    private let log: TLSDecryption
    private var endedDirections = 0
    private var firstPacket: SourceRef?

    init(stream: StreamInfo, keys: TLSKeyStore, synchronised: Bool, inner: Inner, log: TLSDecryption) {
        self.connection = TLSConnection(keys: keys, synchronised: synchronised)
        self.stream = stream
        var plaintext = stream
        plaintext.security = .tls
        self.plaintextStream = plaintext
        self.inner = inner
        self.log = log
        log.opened()
    }

    func receive(_ bytes: UnsafeRawBufferPointer, direction: StreamDirection, stamp: PacketStamp) {
        if firstPacket == nil { firstPacket = stamp.source }
        // Nobody wants the plaintext (HTTPS to a web site, a video stream): the records are not
        // opened, so a browser's key log costs nothing for its other connections.
        if case .ignore = inner {
            releaseBuffers()
            return
        }
        connection.receive(bytes, direction: direction) { deliver($0, stamp: stamp) }
    }

    func gap(_ byteCount: Int?, direction: StreamDirection, stamp: PacketStamp) {
        connection.gap(byteCount, direction: direction)
        deliver(.lost(direction), stamp: stamp)
    }

    func end(_ reason: StreamEndReason, direction: StreamDirection, stamp: PacketStamp) {
        if case .consume(let consumer) = inner { consumer.end(reason, direction: direction, stamp: stamp) }
        endedDirections += 1
        if endedDirections == 2 { log.closed(connection, stream: stream, firstPacket: firstPacket ?? stamp.source) }
    }

    /// Drops what the framers hold once the plaintext is ignored (not while the connection is
    /// delivering: `deliver` runs inside it).
    private func releaseBuffers() {
        guard connection.bufferedBytes > 0 else { return }
        connection.gap(nil, direction: .fromClient)
        connection.gap(nil, direction: .fromServer)
    }

    var bufferedBytes: Int {
        guard case .consume(let consumer) = inner else { return connection.bufferedBytes }
        return connection.bufferedBytes + consumer.bufferedBytes
    }

    private func deliver(_ output: TLSConnection.Output, stamp: PacketStamp) {
        switch output {
        case .plaintext(let bytes, let direction):
            if case .undecided(let classifier, let attempts, var skipped) = inner {
                let decision = bytes.withUnsafeBytes {
                    classifier.classify(plaintextStream, direction: direction, firstBytes: $0)
                }
                switch decision {
                case .consume(let consumer):
                    inner = .consume(consumer)
                    for (lost, at) in skipped.sorted(by: { $0.value.source < $1.value.source }) {
                        consumer.gap(nil, direction: lost, stamp: at)
                    }
                case .ignore:
                    inner = .ignore
                case .undecided:
                    if skipped[direction] == nil { skipped[direction] = stamp }
                    inner =
                        attempts + 1 >= Self.maxClassificationAttempts
                        ? .ignore : .undecided(classifier, attempts: attempts + 1, skipped: skipped)
                }
            }
            guard case .consume(let consumer) = inner else { return }
            bytes.withUnsafeBytes { consumer.receive($0, direction: direction, stamp: stamp) }
        case .lost(let direction):
            switch inner {
            case .consume(let consumer): consumer.gap(nil, direction: direction, stamp: stamp)
            case .undecided(let classifier, let attempts, var skipped):
                if skipped[direction] == nil { skipped[direction] = stamp }
                inner = .undecided(classifier, attempts: attempts, skipped: skipped)
            case .ignore: break
            }
        }
    }
}
