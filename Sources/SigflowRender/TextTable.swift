/// Plain-text tables for the terminal: columns padded to their widest cell.
enum TextTable {
    static func render(_ rows: [[String]], rightAligned: Set<Int> = []) -> String {
        guard let first = rows.first else { return "" }
        let cellWidths = rows.map { $0.map(width) }
        var widths = Array(repeating: 0, count: first.count)
        for row in cellWidths {
            for (index, width) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], width)
            }
        }
        // Written as bytes, then made a string once: string concatenation per cell cost more than
        // all the decoding of a small capture.
        var output: [UInt8] = []
        output.reserveCapacity(rows.count * (widths.reduce(0, +) + 2 * widths.count + 1))
        for (row, rowWidths) in zip(rows, cellWidths) {
            for (index, cell) in row.enumerated() {
                let padding = widths[index] - rowWidths[index]
                if index > 0 { output.append(contentsOf: [UInt8(ascii: " "), UInt8(ascii: " ")]) }
                if rightAligned.contains(index) {
                    output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))
                }
                output.append(contentsOf: cell.utf8)
                if !rightAligned.contains(index) {
                    output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))
                }
            }
            while output.last == UInt8(ascii: " ") { output.removeLast() }
            output.append(UInt8(ascii: "\n"))
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Columns a cell takes: one per character (counting characters only when there are non-ASCII
    /// bytes, since grapheme breaking costs more than the whole table otherwise).
    private static func width(_ cell: String) -> Int {
        cell.utf8.allSatisfy { $0 < 0x80 } ? cell.utf8.count : cell.count
    }

    /// A duration in seconds with three decimals.
    static func seconds(_ nanoseconds: Int64) -> String {
        let millis = (nanoseconds + 500_000) / 1_000_000
        let fraction = String(millis % 1000)
        return "\(millis / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
