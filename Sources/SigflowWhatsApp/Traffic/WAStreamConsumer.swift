import SigflowCore
import SigflowFraming
import SigflowTLS

/// One frame of an encrypted signaling connection: when, which way, how big.
struct WAFrame: Hashable {
    var stamp: PacketStamp
    var fromClient: Bool
    var length: Int
}

/// An encrypted WhatsApp signaling connection: the chat protocol framed after the `WA` prologue
/// (3-byte big-endian frame lengths; the legacy protocol keeps 4 flag bits in the first byte), or a
/// TLS connection to a WhatsApp host (WebSocket to web.whatsapp.com), counted in TLS records. Nothing
/// inside can be read; the frames' timing and sizes are what the timeline is made of.
final class WAStreamConsumer: StreamConsumer {
    enum Framing: Hashable {
        /// `W`, `A`, magic, dictionary version. Magic 1-2 is the legacy protocol (flags in the top nibble
        /// of the length), 5 and later Noise (24-bit lengths).
        case chat(magic: UInt8, version: UInt8)
        /// TLS records (5-byte headers) to a WhatsApp host named in the ClientHello's SNI.
        case tls(serverName: String)
    }

    /// Frames the connections of one run may keep together, about 40 bytes each: a day-long capture
    /// of one client holds a few thousand; beyond this only the count goes on. Shared, because a
    /// frame can be three bytes of a packet, so per-connection caps would still let a capture of
    /// many small frames on many connections hold far more memory than its own size.
    final class FrameBudget {
        var remaining: Int

        init(frames: Int = 200_000) {
            remaining = frames
        }
    }
    /// Largest chat frame (whatsmeow: 16 MiB); a larger length means the parser lost the framing.
    static let maxFrameLength = 16 << 20

    let stream: StreamInfo
    let framing: Framing
    private let budget: FrameBudget
    private(set) var frames: [WAFrame] = []
    private(set) var droppedFrames = 0
    private(set) var ended: (reason: StreamEndReason, stamp: PacketStamp)?
    private var directions = [DirectionState(), DirectionState()]

    private struct DirectionState {
        /// Bytes still to skip before the next header (the rest of the current frame, or the prologue).
        var skip = 0
        var header: [UInt8] = []
        var synchronised = true
        var started = false
    }

    init(stream: StreamInfo, framing: Framing, budget: FrameBudget) {
        self.stream = stream
        self.framing = framing
        self.budget = budget
    }

    private var headerLength: Int {
        if case .tls = framing { return 5 }
        return 3
    }

    func receive(_ bytes: UnsafeRawBufferPointer, direction: StreamDirection, stamp: PacketStamp) {
        let side = direction == .fromClient ? 0 : 1
        var state = directions[side]
        var index = 0
        if !state.started {
            state.started = true
            if case .chat = framing, direction == .fromClient { state.skip = 4 }
        }
        while index < bytes.count && state.synchronised {
            if state.skip > 0 {
                let take = min(state.skip, bytes.count - index)
                state.skip -= take
                index += take
                continue
            }
            state.header.append(bytes[index])
            index += 1
            guard state.header.count == headerLength else { continue }
            let length = frameLength(state.header)
            state.header.removeAll(keepingCapacity: true)
            guard let length, length <= Self.maxFrameLength else {
                state.synchronised = false
                break
            }
            record(WAFrame(stamp: stamp, fromClient: direction == .fromClient, length: length))
            state.skip = length
        }
        directions[side] = state
    }

    private func frameLength(_ header: [UInt8]) -> Int? {
        switch framing {
        case .chat(let magic, _):
            let first = magic <= 2 ? Int(header[0] & 0x0f) : Int(header[0])
            return first << 16 | Int(header[1]) << 8 | Int(header[2])
        case .tls:
            guard (20...24).contains(header[0]), header[1] == 3 else { return nil }
            return Int(header[3]) << 8 | Int(header[4])
        }
    }

    private func record(_ frame: WAFrame) {
        guard budget.remaining > 0 else {
            droppedFrames += 1
            return
        }
        budget.remaining -= 1
        frames.append(frame)
    }

    func gap(_ byteCount: Int?, direction: StreamDirection, stamp: PacketStamp) {
        // Frame boundaries are lost with the bytes; the rest of this direction is not counted.
        directions[direction == .fromClient ? 0 : 1].synchronised = false
    }

    /// Only a frame header in progress: frames are counted, never stored.
    var bufferedBytes: Int { directions[0].header.count + directions[1].header.count }

    func end(_ reason: StreamEndReason, direction: StreamDirection, stamp: PacketStamp) {
        if ended == nil || stamp.time > ended!.stamp.time { ended = (reason, stamp) }
    }

    /// The classification for a new connection: a `WA` prologue from the client, or a TLS
    /// ClientHello naming a WhatsApp host; nil for anything else.
    static func framing(firstBytes bytes: UnsafeRawBufferPointer, direction: StreamDirection) -> Framing? {
        guard direction == .fromClient, bytes.count >= 4 else { return nil }
        if bytes[0] == UInt8(ascii: "W") && bytes[1] == UInt8(ascii: "A") && (1...9).contains(bytes[2]) {
            return .chat(magic: bytes[2], version: bytes[3])
        }
        if let name = TLSClientHello(firstRecord: bytes)?.serverName, isWhatsAppHost(name) {
            return .tls(serverName: name)
        }
        return nil
    }

    static func isWhatsAppHost(_ name: String) -> Bool {
        let host = name.lowercased()
        return ["whatsapp.net", "whatsapp.com"].contains { host == $0 || host.hasSuffix("." + $0) }
    }
}
