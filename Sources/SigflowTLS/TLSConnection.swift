import SigflowCore
import SigflowFraming

/// Follows one TLS connection in both directions: its handshake in the clear, its keys as they
/// change (TLS 1.2 at each side's ChangeCipherSpec; TLS 1.3 from handshake to application traffic
/// secrets at each side's Finished, then at each KeyUpdate), and the plaintext of every record that
/// authenticates. Directions are the TCP connection's; the TLS client is whoever sent the ClientHello.
struct TLSConnection {
    enum Output {
        /// Application data, in order.
        case plaintext([UInt8], StreamDirection)
        /// Plaintext lost: a record that did not authenticate, or bytes TCP lost.
        case lost(StreamDirection)
    }

    /// Why a connection cannot be read at all.
    enum Problem: Equatable {
        case noKeys
        case handshakeNotCaptured
        case unsupported(String)
    }

    /// How many records may be missing after lost bytes, when the size is unknown; each is tried
    /// as the next sequence number before a record is given up.
    static let maxSequenceGuesses = 256
    /// Records in a row tried with every guess before the guessing stops (each costs up to
    /// `maxSequenceGuesses` decryptions): the keys do not match, or the stream cannot be followed.
    static let maxFailedGuesses = 8

    let keys: TLSKeyStore
    private var directions: [DirectionState]
    private(set) var tlsClient: StreamDirection?
    private(set) var clientRandom: ArraySlice<UInt8>?
    private(set) var serverName: String?
    private(set) var version: UInt16?
    private(set) var cipherSuite: UInt16?
    private(set) var problem: Problem?
    private(set) var recordsDecrypted = 0
    private(set) var recordsFailed = 0
    private var suite: TLSCipherSuite?
    private var encryptThenMAC = false

    /// One direction's records and keys.
    private struct DirectionState {
        var framer: TLSRecordFramer
        var handshake = TLSHandshakeReader()
        /// From here on, records are ciphertext (TLS 1.2 after ChangeCipherSpec, TLS 1.3 after the
        /// ServerHello).
        var encrypted = false
        var decryptor: TLSRecordDecryptor?
        var sequence: UInt64 = 0
        /// TLS 1.2: the protection this side takes up at its ChangeCipherSpec.
        var pending: TLSRecordDecryptor?
        /// TLS 1.3: the secret behind `decryptor`, for KeyUpdate; and the application traffic
        /// secret still to come while the handshake is encrypted.
        var trafficSecret: [UInt8]?
        var applicationSecret: [UInt8]?
        /// After lost bytes: how many records may be missing before the next one (0: none).
        var mayHaveLost = 0
        /// Records in a row that no guess opened; past `maxFailedGuesses` guessing stops.
        var failedGuesses = 0
    }

    /// - Parameter synchronised: the bytes start at a record boundary (a new connection, or right
    ///   after STARTTLS); false for a connection picked up mid-way.
    init(keys: TLSKeyStore, synchronised: Bool) {
        self.keys = keys
        let direction = DirectionState(framer: TLSRecordFramer(synchronised: synchronised))
        self.directions = [direction, direction]
    }

    var bufferedBytes: Int {
        directions.reduce(0) { $0 + $1.framer.bufferedBytes + $1.handshake.bufferedBytes }
    }

    /// The connection was read whole.
    var handshakeSeen: Bool { version != nil }

    mutating func receive(_ bytes: UnsafeRawBufferPointer, direction: StreamDirection, emit: (Output) -> Void) {
        let index = Self.index(direction)
        directions[index].framer.append(bytes)
        while let event = directions[index].framer.next() {
            switch event {
            case .record(let record): handle(record, direction: direction, emit: emit)
            case .skipped(let count):
                lose(count, direction: direction)
                emit(.lost(direction))
            }
        }
    }

    /// Bytes were lost (`nil`: how many is unknown).
    mutating func gap(_ byteCount: Int?, direction: StreamDirection) {
        directions[Self.index(direction)].framer.gap()
        lose(byteCount, direction: direction)
    }

    private mutating func lose(_ byteCount: Int?, direction: StreamDirection) {
        let index = Self.index(direction)
        directions[index].handshake.reset()
        // The smallest protected record (TLS 1.3: header, content type, tag) is 22 bytes.
        let records = byteCount.map { $0 / 22 + 1 } ?? Self.maxSequenceGuesses
        directions[index].mayHaveLost = min(Self.maxSequenceGuesses, directions[index].mayHaveLost + records)
    }

    private static func index(_ direction: StreamDirection) -> Int { direction == .fromClient ? 0 : 1 }

    // MARK: Records

    private mutating func handle(_ record: TLSRecord, direction: StreamDirection, emit: (Output) -> Void) {
        let index = Self.index(direction)
        let type = record.contentType
        let isTLS13 = version == TLSVersion.tls13
        if type == TLSContentType.changeCipherSpec.rawValue {
            // TLS 1.3 sends it only for middleboxes (RFC 8446 §D.4), also around a HelloRetryRequest,
            // before any version is chosen; in TLS 1.2 this side's next records are protected with
            // the keys negotiated.
            guard version == TLSVersion.tls12 else { return }
            directions[index].encrypted = true
            directions[index].decryptor = directions[index].pending
            directions[index].pending = nil
            directions[index].sequence = 0
            directions[index].mayHaveLost = 0
            return
        }
        let protected = directions[index].encrypted && (!isTLS13 || type == TLSContentType.applicationData.rawValue)
        guard protected else {
            if type == TLSContentType.handshake.rawValue {
                readHandshake(record.fragment, direction: direction)
            } else if type == TLSContentType.applicationData.rawValue {
                // Application data before any handshake this reader saw: picked up mid-way.
                if problem == nil && version == nil { problem = .handshakeNotCaptured }
                emit(.lost(direction))
            }
            return
        }
        guard problem == nil else { return }
        guard version != nil else {
            // Protected records of a handshake this reader did not see (picked up after it).
            problem = .handshakeNotCaptured
            emit(.lost(direction))
            return
        }
        switch open(record, direction: direction) {
        case .opened(let contentType, let plaintext):
            recordsDecrypted += 1
            switch TLSContentType(rawValue: contentType) {
            case .applicationData: emit(.plaintext(plaintext, direction))
            case .handshake: readHandshake(plaintext[...], direction: direction)
            default: break
            }
        case .failed:
            recordsFailed += 1
            emit(.lost(direction))
        case .handshakeKeysUnknown:
            break
        }
    }

    private enum Opened {
        case opened(contentType: UInt8, plaintext: [UInt8])
        /// Did not authenticate: damaged, or keys that do not match.
        case failed
        /// A TLS 1.3 handshake record while the key log gave only the application secrets.
        case handshakeKeysUnknown
    }

    /// Opens a protected record: with the next sequence number, or after lost bytes with each one
    /// that may come next; in TLS 1.3 also with the keys that may have taken over unseen (the
    /// application keys after a lost Finished, the next generation after a lost KeyUpdate).
    private mutating func open(_ record: TLSRecord, direction: StreamDirection) -> Opened {
        let index = Self.index(direction)
        var state = directions[index]
        defer { directions[index] = state }
        let guesses = UInt64(state.mayHaveLost)
        if let decryptor = state.decryptor {
            if guesses == 0 {
                if let opened = decryptor.open(record, sequence: state.sequence) {
                    state.sequence += 1
                    return .opened(contentType: opened.contentType, plaintext: opened.plaintext)
                }
            } else {
                for sequence in Self.candidates(from: state.sequence, guesses: guesses, record: record, decryptor) {
                    if let opened = decryptor.open(record, sequence: sequence) {
                        state.sequence = sequence + 1
                        state.mayHaveLost = 0
                        state.failedGuesses = 0
                        return .opened(contentType: opened.contentType, plaintext: opened.plaintext)
                    }
                }
            }
        }
        if let suite, version == TLSVersion.tls13 {
            let successor =
                state.applicationSecret ?? state.trafficSecret.map { TLS13KeySchedule.nextSecret($0, suite: suite) }
            if let successor, state.applicationSecret != nil || guesses > 0 {
                let decryptor = TLSRecordDecryptor(tls13: successor, suite: suite)
                for sequence in 0...min(guesses, 64) {
                    if let opened = decryptor.open(record, sequence: sequence) {
                        state.decryptor = decryptor
                        state.trafficSecret = successor
                        state.applicationSecret = nil
                        state.sequence = sequence + 1
                        state.mayHaveLost = 0
                        state.failedGuesses = 0
                        return .opened(contentType: opened.contentType, plaintext: opened.plaintext)
                    }
                }
            }
            if state.decryptor == nil { return .handshakeKeysUnknown }
        }
        // Not this record: the next one is the one after it.
        if guesses == 0 {
            state.sequence += 1
        } else {
            state.failedGuesses += 1
            state.mayHaveLost =
                state.failedGuesses >= Self.maxFailedGuesses ? 0 : min(Self.maxSequenceGuesses, state.mayHaveLost + 1)
        }
        return .failed
    }

    /// The sequence numbers to try, most likely first: TLS 1.2 GCM records carry an explicit nonce
    /// that most implementations (OpenSSL among them) set to the sequence number.
    private static func candidates(
        from next: UInt64, guesses: UInt64, record: TLSRecord, _ decryptor: TLSRecordDecryptor
    ) -> [UInt64] {
        var candidates = Array(next...(next + guesses))
        if guesses > 0, case .tls12AEAD = decryptor.scheme, decryptor.suite.cipher != .chaCha20Poly1305,
            record.fragment.count >= 8
        {
            let explicit = record.fragment.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            if explicit > next && explicit - next <= 1 << 20 { candidates.insert(explicit, at: 0) }
        }
        return candidates
    }

    // MARK: Handshake

    private mutating func readHandshake(_ bytes: ArraySlice<UInt8>, direction: StreamDirection) {
        let index = Self.index(direction)
        directions[index].handshake.append(bytes)
        while let message = directions[index].handshake.next() {
            switch TLSHandshakeType(rawValue: message.type) {
            case .clientHello:
                guard let hello = TLSClientHello(body: message.body) else { continue }
                tlsClient = direction
                clientRandom = hello.random
                serverName = hello.serverName ?? serverName
            case .serverHello:
                guard let hello = TLSServerHello(body: message.body), tlsClient != direction else { continue }
                serverHello(hello, direction: direction)
            case .finished:
                // TLS 1.3: this side's handshake is over; its next record uses application keys.
                let state = directions[index]
                if let suite, let secret = state.applicationSecret {
                    directions[index].decryptor = TLSRecordDecryptor(tls13: secret, suite: suite)
                    directions[index].trafficSecret = secret
                    directions[index].applicationSecret = nil
                    directions[index].sequence = 0
                }
            case .keyUpdate:
                if let suite, version == TLSVersion.tls13, directions[index].applicationSecret == nil,
                    let secret = directions[index].trafficSecret
                {
                    let next = TLS13KeySchedule.nextSecret(secret, suite: suite)
                    directions[index].decryptor = TLSRecordDecryptor(tls13: next, suite: suite)
                    directions[index].trafficSecret = next
                    directions[index].sequence = 0
                }
            case nil:
                break
            }
        }
    }

    private mutating func serverHello(_ hello: TLSServerHello, direction server: StreamDirection) {
        cipherSuite = hello.cipherSuite
        // A HelloRetryRequest: the client tries again with the same random; keys come later.
        if hello.isHelloRetryRequest { return }
        version = hello.version
        let client = server.reversed
        if tlsClient == nil { tlsClient = client }
        guard hello.version == TLSVersion.tls12 || hello.version == TLSVersion.tls13 else {
            fail(.unsupported(TLSVersion.name(hello.version)))
            return
        }
        guard let suite = TLSCipherSuite.suite(hello.cipherSuite), suite.isTLS13 == (hello.version == TLSVersion.tls13)
        else {
            fail(.unsupported(TLSCipherSuite.name(hello.cipherSuite)))
            return
        }
        self.suite = suite
        guard let clientRandom else {
            fail(.handshakeNotCaptured)
            return
        }
        guard let secrets = keys.secrets(for: clientRandom) else {
            fail(.noKeys)
            return
        }
        let (clientIndex, serverIndex) = (Self.index(client), Self.index(server))
        if hello.version == TLSVersion.tls13 {
            guard let clientApplication = secrets.clientApplication, let serverApplication = secrets.serverApplication
            else {
                fail(.noKeys)
                return
            }
            for (index, handshake, application) in [
                (clientIndex, secrets.clientHandshake, clientApplication),
                (serverIndex, secrets.serverHandshake, serverApplication),
            ] {
                directions[index].encrypted = true
                directions[index].decryptor = handshake.map { TLSRecordDecryptor(tls13: $0, suite: suite) }
                directions[index].trafficSecret = handshake
                directions[index].applicationSecret = application
                directions[index].sequence = 0
            }
        } else {
            guard let master = secrets.masterSecret else {
                fail(.noKeys)
                return
            }
            encryptThenMAC = hello.encryptThenMAC && suite.cipher.isCBC
            let block = TLS12KeyBlock(
                masterSecret: master, clientRandom: clientRandom, serverRandom: hello.random, suite: suite)
            directions[clientIndex].pending = tls12Decryptor(
                key: block.clientKey, iv: block.clientIV, macKey: block.clientMACKey)
            directions[serverIndex].pending = tls12Decryptor(
                key: block.serverKey, iv: block.serverIV, macKey: block.serverMACKey)
        }
    }

    private func tls12Decryptor(key: [UInt8], iv: [UInt8], macKey: [UInt8]) -> TLSRecordDecryptor? {
        guard let suite else { return nil }
        if let mac = suite.mac {
            return TLSRecordDecryptor(
                suite: suite,
                scheme: .tls12CBC(macKey: .init(data: macKey), mac: mac, encryptThenMAC: encryptThenMAC), key: key,
                iv: iv)
        }
        return TLSRecordDecryptor(suite: suite, scheme: .tls12AEAD, key: key, iv: iv)
    }

    /// The connection cannot be read: its records are dropped from here on.
    private mutating func fail(_ problem: Problem) {
        self.problem = problem
        for index in directions.indices {
            directions[index].encrypted = true
            directions[index].decryptor = nil
            directions[index].pending = nil
        }
    }
}
