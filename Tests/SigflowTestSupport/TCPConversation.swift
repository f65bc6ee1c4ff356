import SigflowCore

/// Builds one TCP connection into a fixture. Offsets are stream offsets: 0 is the first data byte after
/// the SYN, so `fromClient(at: 5, "x")` carries sequence number `clientISN + 1 + 5` (wrapping).
public struct TCPConversation {
    public var fixture: Fixture
    public let client: Endpoint
    public let server: Endpoint
    public let clientISN: UInt32
    public let serverISN: UInt32

    public init(
        _ fixture: Fixture = Fixture(), client: Endpoint = endpoint("10.0.0.1:40000"),
        server: Endpoint = endpoint("10.0.0.2:5060"), clientISN: UInt32 = 1000, serverISN: UInt32 = 5000
    ) {
        self.fixture = fixture
        self.client = client
        self.server = server
        self.clientISN = clientISN
        self.serverISN = serverISN
    }

    /// SYN, SYN/ACK, ACK; returns the three frame numbers.
    @discardableResult
    public mutating func handshake() -> [Int] {
        [
            fixture.add(tcpPacket(from: client, to: server, sequence: clientISN, flags: TCPFlag.syn)),
            fixture.add(
                tcpPacket(
                    from: server, to: client, sequence: serverISN, acknowledgement: clientISN &+ 1,
                    flags: TCPFlag.syn | TCPFlag.ack)),
            fixture.add(
                tcpPacket(
                    from: client, to: server, sequence: clientISN &+ 1, acknowledgement: serverISN &+ 1,
                    flags: TCPFlag.ack)),
        ]
    }

    /// A client segment at stream offset `offset`; returns its frame number.
    @discardableResult
    public mutating func fromClient(
        at offset: Int, _ payload: [UInt8], flags: UInt8 = TCPFlag.ack | TCPFlag.psh, at time: CaptureTime? = nil
    ) -> Int {
        fixture.add(
            tcpPacket(
                from: client, to: server, sequence: clientISN &+ 1 &+ UInt32(truncatingIfNeeded: offset),
                acknowledgement: serverISN &+ 1, flags: flags, payload: payload), at: time)
    }

    @discardableResult
    public mutating func fromClient(
        at offset: Int, _ text: String, flags: UInt8 = TCPFlag.ack | TCPFlag.psh, at time: CaptureTime? = nil
    ) -> Int {
        fromClient(at: offset, Array(text.utf8), flags: flags, at: time)
    }

    /// A server segment at stream offset `offset`; returns its frame number.
    @discardableResult
    public mutating func fromServer(
        at offset: Int, _ payload: [UInt8], flags: UInt8 = TCPFlag.ack | TCPFlag.psh, at time: CaptureTime? = nil
    ) -> Int {
        fixture.add(
            tcpPacket(
                from: server, to: client, sequence: serverISN &+ 1 &+ UInt32(truncatingIfNeeded: offset),
                acknowledgement: clientISN &+ 1, flags: flags, payload: payload), at: time)
    }

    @discardableResult
    public mutating func fromServer(
        at offset: Int, _ text: String, flags: UInt8 = TCPFlag.ack | TCPFlag.psh, at time: CaptureTime? = nil
    ) -> Int {
        fromServer(at: offset, Array(text.utf8), flags: flags, at: time)
    }

    /// A bare FIN/ACK from the client at `offset`.
    @discardableResult
    public mutating func clientFIN(at offset: Int) -> Int {
        fromClient(at: offset, [], flags: TCPFlag.fin | TCPFlag.ack)
    }

    /// A bare FIN/ACK from the server at `offset`.
    @discardableResult
    public mutating func serverFIN(at offset: Int) -> Int {
        fromServer(at: offset, [], flags: TCPFlag.fin | TCPFlag.ack)
    }
}

/// Deterministic bytes for big payloads: `count` bytes of a fixed pseudo-random sequence (xorshift),
/// different for each `seed`.
public func patternBytes(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
    var state = seed &* 0x9e37_79b9_7f4a_7c15 | 1
    return (0..<count).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state >> 24)
    }
}
