import CZlib

/// Decompresses `Content-Encoding: gzip` and `deflate` bodies with zlib.
enum Inflater {
    enum Failure: Error, Equatable {
        case corrupt
        case tooLarge
    }

    /// - Parameter encoding: `gzip`, `x-gzip` or `deflate` (zlib-wrapped, or raw as some servers send it).
    static func inflate(_ data: [UInt8], encoding: String, limit: Int) -> Result<[UInt8], Failure> {
        // 15 + 32: zlib detects a gzip or zlib header by itself.
        let result = run(data, windowBits: 15 + 32, limit: limit)
        if case .failure(.corrupt) = result, encoding == "deflate" {
            return run(data, windowBits: -15, limit: limit)
        }
        return result
    }

    private static func run(_ data: [UInt8], windowBits: Int32, limit: Int) -> Result<[UInt8], Failure> {
        var stream = z_stream()
        guard inflateInit2_(&stream, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return .failure(.corrupt)
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var input = data
        return input.withUnsafeMutableBufferPointer { inputBuffer -> Result<[UInt8], Failure> in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = UInt32(inputBuffer.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { outputBuffer -> Int32 in
                    stream.next_out = outputBuffer.baseAddress
                    stream.avail_out = UInt32(outputBuffer.count)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                output.append(contentsOf: chunk[0..<produced])
                if output.count > limit { return .failure(.tooLarge) }
                switch status {
                case Z_STREAM_END:
                    return .success(output)
                case Z_OK:
                    if stream.avail_in == 0 && produced == 0 { return .success(output) }
                case Z_BUF_ERROR:
                    // No progress possible: the input ended early. Keep what was inflated.
                    return output.isEmpty ? .failure(.corrupt) : .success(output)
                default:
                    return .failure(.corrupt)
                }
            }
        }
    }
}
