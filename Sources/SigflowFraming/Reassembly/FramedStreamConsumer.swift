import SigflowCore

/// Cuts one direction of a byte stream into a protocol's messages, resumably: `next` returns a
/// message (or another event) once enough bytes are buffered, nil until then, consuming nothing it
/// does not return (swift-nio's single-step decoder shape).
public protocol StreamMessageFramer {
    associatedtype Event
    mutating func append(_ bytes: UnsafeRawBufferPointer)
    mutating func next() -> Event?
    /// Bytes were lost: drop what is buffered and resynchronise.
    mutating func gap()
    /// The direction ended: what is left, if it makes an event.
    mutating func finish() -> Event?
    /// Bytes held for a message not yet complete.
    var bufferedBytes: Int { get }
    /// Stops framing and gives back the bytes received but not yet framed, for whoever reads the
    /// rest of the stream (see `FramedStreamHandler.successor`).
    mutating func takeRest() -> [UInt8]
}

extension StreamMessageFramer {
    public mutating func takeRest() -> [UInt8] {
        gap()
        return []
    }
}

/// What a framed stream's events go to: a protocol decoder's per-connection handler.
public protocol FramedStreamHandler<Event>: AnyObject {
    associatedtype Event
    func handle(_ event: Event, direction: StreamDirection, stamp: PacketStamp)
    func gap(direction: StreamDirection, stamp: PacketStamp)
    /// True once the rest of the stream is not to be decoded (it turned to TLS): bytes are dropped.
    var isStopped: Bool { get }
    /// Asked after each event: the consumer of the rest of the stream when the protocol switched to
    /// something its framer cannot read (XMPP after STARTTLS: TLS decryption), nil to go on framing.
    func successor(stamp: PacketStamp) -> (any StreamConsumer)?
}

extension FramedStreamHandler {
    public func successor(stamp: PacketStamp) -> (any StreamConsumer)? { nil }
}

/// The stream consumer every framed protocol shares: one framer per direction, each delivery
/// appended and drained, gaps passed on, nothing more once the handler stops, and everything to the
/// handler's successor once it names one.
public final class FramedStreamConsumer<Framer: StreamMessageFramer, Handler: FramedStreamHandler>: StreamConsumer
where Handler.Event == Framer.Event {
    private var framers: [Framer]
    private let handler: Handler
    private var successor: (any StreamConsumer)?

    public init(framer: Framer, handler: Handler) {
        framers = [framer, framer]
        self.handler = handler
    }

    public func receive(_ bytes: UnsafeRawBufferPointer, direction: StreamDirection, stamp: PacketStamp) {
        if let successor { return successor.receive(bytes, direction: direction, stamp: stamp) }
        guard !handler.isStopped else { return }
        let index = direction == .fromClient ? 0 : 1
        framers[index].append(bytes)
        while let event = framers[index].next() {
            handler.handle(event, direction: direction, stamp: stamp)
            if let next = handler.successor(stamp: stamp) {
                successor = next
                for (index, direction) in [(0, StreamDirection.fromClient), (1, .fromServer)] {
                    let rest = framers[index].takeRest()
                    if !rest.isEmpty { rest.withUnsafeBytes { next.receive($0, direction: direction, stamp: stamp) } }
                }
                return
            }
            if handler.isStopped {
                // What is buffered will never be read: let it go.
                framers[0].gap()
                framers[1].gap()
                return
            }
        }
    }

    public func gap(_ byteCount: Int?, direction: StreamDirection, stamp: PacketStamp) {
        if let successor { return successor.gap(byteCount, direction: direction, stamp: stamp) }
        framers[direction == .fromClient ? 0 : 1].gap()
        handler.gap(direction: direction, stamp: stamp)
    }

    public func end(_ reason: StreamEndReason, direction: StreamDirection, stamp: PacketStamp) {
        if let successor { return successor.end(reason, direction: direction, stamp: stamp) }
        guard !handler.isStopped, let event = framers[direction == .fromClient ? 0 : 1].finish() else { return }
        handler.handle(event, direction: direction, stamp: stamp)
    }

    public var bufferedBytes: Int {
        successor?.bufferedBytes ?? framers[0].bufferedBytes + framers[1].bufferedBytes
    }
}
