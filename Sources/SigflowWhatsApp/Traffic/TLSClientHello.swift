/// Reads the server name (SNI) from a TLS ClientHello at the start of a connection, bounds-checked
/// at every step: the only readable thing in a WebSocket-over-TLS client such as WhatsApp Web.
enum TLSClientHello {
    static func serverName(_ bytes: UnsafeRawBufferPointer) -> String? {
        var reader = Reader(bytes: bytes)
        guard reader.u8() == 0x16, reader.u8() == 3, reader.skip(1), let recordLength = reader.u16() else {
            return nil
        }
        let end = min(bytes.count, reader.index + recordLength)
        reader.limit = end
        guard reader.u8() == 1, reader.skip(3), reader.skip(2 + 32), let session = reader.u8(), reader.skip(session),
            let suites = reader.u16(), reader.skip(suites), let compression = reader.u8(), reader.skip(compression),
            let extensionsLength = reader.u16()
        else { return nil }
        reader.limit = min(end, reader.index + extensionsLength)
        while let type = reader.u16(), let length = reader.u16() {
            guard type == 0 else {
                guard reader.skip(length) else { return nil }
                continue
            }
            guard reader.skip(2), reader.u8() == 0, let nameLength = reader.u16(), nameLength <= 255,
                let name = reader.bytes(nameLength)
            else { return nil }
            return String(decoding: name, as: UTF8.self)
        }
        return nil
    }

    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var index = 0
        var limit: Int

        init(bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
            self.limit = bytes.count
        }

        mutating func u8() -> Int? {
            guard index < limit else { return nil }
            defer { index += 1 }
            return Int(bytes[index])
        }

        mutating func u16() -> Int? {
            guard index + 2 <= limit else { return nil }
            defer { index += 2 }
            return Int(bytes[index]) << 8 | Int(bytes[index + 1])
        }

        mutating func skip(_ count: Int) -> Bool {
            guard count >= 0, index + count <= limit else { return false }
            index += count
            return true
        }

        mutating func bytes(_ count: Int) -> [UInt8]? {
            guard count >= 0, index + count <= limit else { return nil }
            defer { index += count }
            return Array(bytes[index..<(index + count)])
        }
    }
}
