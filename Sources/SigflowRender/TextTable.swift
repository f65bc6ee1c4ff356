/// Plain-text tables for the terminal: columns padded to their widest cell, every cell on one line
/// with its controls made visible (`TerminalText`).
enum TextTable {
    /// Writes `header` and then `rows`, each column as wide as its widest cell. Rows are read twice
    /// (once to measure, once to write) rather than kept, and the text goes out in chunks: a table of
    /// any length is never held whole.
    static func write<Output: TextOutputStream>(
        header: [String], rows: some Sequence<[String]>, rightAligned: Set<Int> = [], to output: inout Output
    ) {
        var widths = header.map(width)
        for row in rows {
            for (column, cell) in row.enumerated() where column < widths.count {
                widths[column] = max(widths[column], width(TerminalText.escape(cell)))
            }
        }
        // Written as bytes, then made a string once per chunk: string concatenation per cell cost
        // more than all the decoding of a small capture.
        let chunkSize = 1 << 16
        var chunk: [UInt8] = []
        chunk.reserveCapacity(chunkSize + 256)
        func line(_ cells: [String]) {
            for (column, cell) in cells.enumerated() {
                let cell = TerminalText.escape(cell)
                let padding = widths[column] - width(cell)
                if column > 0 { chunk.append(contentsOf: [UInt8(ascii: " "), UInt8(ascii: " ")]) }
                if rightAligned.contains(column) {
                    chunk.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))
                }
                chunk.append(contentsOf: cell.utf8)
                if !rightAligned.contains(column) {
                    chunk.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))
                }
            }
            while chunk.last == UInt8(ascii: " ") { chunk.removeLast() }
            chunk.append(UInt8(ascii: "\n"))
            if chunk.count >= chunkSize {
                output.write(String(decoding: chunk, as: UTF8.self))
                chunk.removeAll(keepingCapacity: true)
            }
        }
        line(header)
        for row in rows { line(row) }
        if !chunk.isEmpty { output.write(String(decoding: chunk, as: UTF8.self)) }
    }

    /// Columns a cell takes: one per character (counting characters only when there are non-ASCII
    /// bytes, since grapheme breaking costs more than the whole table otherwise).
    private static func width(_ cell: String) -> Int {
        cell.utf8.allSatisfy { $0 < 0x80 } ? cell.utf8.count : cell.count
    }

    /// A duration in seconds with three decimals. Client logs give only the time of day, so a call's
    /// last message can come before its first: the sign is kept, not hidden.
    static func seconds(_ nanoseconds: Int64) -> String {
        let millis = (nanoseconds.magnitude + 500_000) / 1_000_000
        let fraction = String(millis % 1000)
        return (nanoseconds < 0 && millis > 0 ? "-" : "")
            + "\(millis / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
