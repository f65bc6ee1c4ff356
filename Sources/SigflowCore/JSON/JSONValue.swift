/// A JSON document with its object keys in the order they were written, rendered deterministically.
///
/// sigflow's JSON is a contract scripts rely on: fields appear in a fixed, documented order, and the
/// same input gives byte-identical output.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    /// A number already rendered (exact epoch times with nanoseconds do not survive a Double).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        lhs.rendered(indent: nil) == rhs.rendered(indent: nil)
    }

    /// Pretty-printed with two-space indentation and a trailing newline, or compact when `indent` is nil.
    public func rendered(indent: Int? = 2) -> String {
        var output = ""
        write(to: &output, indent: indent, depth: 0)
        if indent != nil { output += "\n" }
        return output
    }

    private func write(to output: inout String, indent: Int?, depth: Int) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .int(let value): output += String(value)
        case .number(let text): output += text
        case .string(let text): JSONValue.writeString(text, to: &output)
        case .array(let items):
            Self.writeArray(items, indent: indent, depth: depth, to: &output) { item, output in
                item.write(to: &output, indent: indent, depth: depth + 1)
            }
        case .object(let fields):
            guard !fields.isEmpty else {
                output += "{}"
                return
            }
            output += "{"
            for (index, (key, value)) in fields.enumerated() {
                if index > 0 { output += "," }
                Self.newline(&output, indent: indent, depth: depth + 1)
                JSONValue.writeString(key, to: &output)
                output += indent == nil ? ":" : ": "
                value.write(to: &output, indent: indent, depth: depth + 1)
            }
            Self.newline(&output, indent: indent, depth: depth)
            output += "}"
        }
    }

    /// `{"<key>": [items]}` exactly as `rendered()` writes it, each item made and written in turn:
    /// a list of any length (every call of a scanner flood) is never held whole, as value or text.
    public static func writeList<Output: TextOutputStream>(
        named key: String, items: some Sequence<JSONValue>, to output: inout Output
    ) {
        writeObject([], listing: key, items: items, to: &output)
    }

    /// An object as `rendered()` writes it, with the members `leading`, then `key` as a list written
    /// item by item, then `trailing`.
    public static func writeObject<Output: TextOutputStream>(
        _ leading: [(String, JSONValue)], listing key: String, items: some Sequence<JSONValue>,
        trailing: [(String, JSONValue)] = [], to output: inout Output
    ) {
        var head = "{"
        for (name, value) in leading {
            newline(&head, indent: 2, depth: 1)
            writeString(name, to: &head)
            head += ": "
            value.write(to: &head, indent: 2, depth: 1)
            head += ","
        }
        newline(&head, indent: 2, depth: 1)
        writeString(key, to: &head)
        output.write(head + ": ")
        writeArray(items, indent: 2, depth: 1, to: &output) { item, output in
            var text = ""
            item.write(to: &text, indent: 2, depth: 2)
            output.write(text)
        }
        var tail = ""
        for (name, value) in trailing {
            tail += ","
            newline(&tail, indent: 2, depth: 1)
            writeString(name, to: &tail)
            tail += ": "
            value.write(to: &tail, indent: 2, depth: 1)
        }
        output.write(tail + "\n}\n")
    }

    /// `[...]` with each item written in place by `writeItem` (nested arrays are not copied level by
    /// level).
    private static func writeArray<Output: TextOutputStream, Items: Sequence>(
        _ items: Items, indent: Int?, depth: Int, to output: inout Output,
        writeItem: (_ item: Items.Element, _ output: inout Output) -> Void
    ) {
        var isEmpty = true
        for item in items {
            var separator = isEmpty ? "[" : ","
            newline(&separator, indent: indent, depth: depth + 1)
            output.write(separator)
            writeItem(item, &output)
            isEmpty = false
        }
        guard !isEmpty else {
            output.write("[]")
            return
        }
        var end = ""
        newline(&end, indent: indent, depth: depth)
        output.write(end + "]")
    }

    private static func newline(_ output: inout String, indent: Int?, depth: Int) {
        guard let indent else { return }
        output += "\n" + String(repeating: " ", count: indent * depth)
    }

    /// RFC 8259 string escaping; control characters as `\u00XX`, everything else as UTF-8. The C1
    /// controls (U+0080-U+009F) are escaped too, though RFC 8259 allows them raw: U+009B is the 8-bit
    /// CSI, which some terminals obey, and JSON is printed to terminals as well. The text read back is
    /// exactly the text written.
    static func writeString(_ text: String, to output: inout String) {
        output += "\""
        if !needsEscaping(text) {
            output += text
            output += "\""
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _
            where scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) || scalar == "\u{2028}"
                || scalar == "\u{2029}":
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }

    /// Whether any byte of `text` is one `writeString` escapes: most text (call ids, addresses,
    /// labels) has none and is copied whole.
    private static func needsEscaping(_ text: String) -> Bool {
        var previous: UInt8 = 0
        var beforePrevious: UInt8 = 0
        for byte in text.utf8 {
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7f { return true }
            // C1 controls are C2 80-9F in UTF-8; U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
            if previous == 0xc2 && (0x80...0x9f).contains(byte) { return true }
            if beforePrevious == 0xe2 && previous == 0x80 && (byte == 0xa8 || byte == 0xa9) { return true }
            beforePrevious = previous
            previous = byte
        }
        return false
    }
}
