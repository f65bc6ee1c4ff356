import SigflowCore

/// Cuts one direction of a WebSocket connection into messages (RFC 6455 §5): frames of every
/// length (7-bit, 16-bit and 64-bit), masked or not, continuation frames joined, control frames
/// (ping, pong, close) consumed.
struct WebSocketFramer {
    enum Event {
        case message(WebSocketMessage.Kind, [UInt8])
        case closed
        case skipped(Int, reason: String)
    }

    let limit: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var partialKind: WebSocketMessage.Kind?
    private var partial: [UInt8] = []
    private var discarding = false
    /// Payload bytes of an oversized frame still to pass by unstored.
    private var skipping = 0
    private(set) var broken = false

    init(limit: Int) {
        self.limit = limit
    }

    mutating func append(_ bytes: some Collection<UInt8>) {
        guard !broken else { return }
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Frame boundaries are lost after a gap: nothing further can be trusted on this connection.
    mutating func gap() {
        broken = true
        buffer = []
        start = 0
        partial = []
    }

    /// Bytes held for the frame and message in progress.
    var bufferedBytes: Int { buffer.count - start + partial.count }

    mutating func next() -> Event? {
        while !broken {
            if skipping > 0 {
                let count = min(skipping, buffer.count - start)
                start += count
                skipping -= count
                if skipping > 0 { return nil }
                continue
            }
            let available = buffer.count - start
            guard available >= 2 else { return nil }
            let first = buffer[start]
            let second = buffer[start + 1]
            let final = first & 0x80 != 0
            let opcode = first & 0x0f
            let masked = second & 0x80 != 0
            var length = Int(second & 0x7f)
            var headerLength = 2
            if length == 126 {
                guard available >= 4 else { return nil }
                length = Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
                headerLength = 4
            } else if length == 127 {
                guard available >= 10 else { return nil }
                var value: UInt64 = 0
                for index in 2..<10 { value = value << 8 | UInt64(buffer[start + index]) }
                guard value <= UInt64(Int32.max) else {
                    gap()
                    return .skipped(available, reason: "WebSocket frame length \(value) is not credible")
                }
                length = Int(value)
                headerLength = 10
            }
            let maskOffset = headerLength
            if masked { headerLength += 4 }
            guard available >= headerLength else { return nil }
            if length > limit {
                // Too large to hold: let its payload stream past unstored; the message is dropped.
                start += headerLength
                skipping = length
                if opcode == 0x0 || !final {
                    partialKind = final ? nil : (partialKind ?? (opcode == 0x2 ? .binary : .text))
                    discarding = !final
                }
                return .skipped(length, reason: "WebSocket frame larger than \(limit) bytes")
            }
            guard available >= headerLength + length else { return nil }
            var payload = Array(buffer[(start + headerLength)..<(start + headerLength + length)])
            if masked {
                let key = buffer[(start + maskOffset)..<(start + maskOffset + 4)].map { $0 }
                for index in payload.indices { payload[index] ^= key[index & 3] }
            }
            start += headerLength + length
            switch opcode {
            case 0x0:
                guard let kind = partialKind else {
                    return .skipped(length, reason: "continuation frame without a start")
                }
                if partial.count + payload.count > limit { discarding = true } else { partial += payload }
                if final {
                    partialKind = nil
                    defer { partial = [] }
                    if discarding {
                        discarding = false
                        return .skipped(0, reason: "WebSocket message larger than \(limit) bytes")
                    }
                    return .message(kind, partial)
                }
            case 0x1, 0x2:
                let kind: WebSocketMessage.Kind = opcode == 0x1 ? .text : .binary
                if final { return .message(kind, payload) }
                partialKind = kind
                partial = payload
                discarding = false
            case 0x8:
                return .closed
            case 0x9, 0xA:
                continue
            default:
                gap()
                return .skipped(length, reason: "unknown WebSocket opcode \(opcode)")
            }
        }
        return nil
    }
}
