/// Reads the XML-looking text whatsmeow and Baileys print for a node, which is not XML: attribute
/// values are not escaped (a push name may hold `"`, `<`, `>` or a newline), whatsmeow quotes with
/// `"` and Baileys with `'`, content is hex or `<!-- N bytes -->`, and a log line may stop half-way.
///
/// An attribute value ends only at a quote followed by the next `name=` (after whitespace) or by the
/// end of the tag, the rule FORMATS.md §5 gives. The parser never throws and never traps: what it
/// cannot read it reports in `Result.truncated`, and the caps in `Limits` bound its work.
public struct WANodeParser: Sendable {
    public struct Limits: Sendable, Hashable {
        /// Bytes of node text looked at. A call offer prints as 1-3 KB; 1 MiB leaves room for any
        /// stanza while keeping a hostile line from costing more than one pass over a megabyte.
        public var maxBytes = 1 << 20
        /// Nesting depth. Call stanzas nest five deep (`call/offer/destination/to/enc`).
        public var maxDepth = 32
        /// Nodes per stanza; an offer to many devices has a few dozen.
        public var maxNodes = 4096
        /// Attributes per node; real nodes have under a dozen.
        public var maxAttributes = 64
        /// Characters of content kept per node (the rest is opaque key material anyway).
        public var maxContent = 256

        public init() {}
    }

    public struct Result: Sendable {
        public var node: WANode?
        /// The text ended (or a cap was hit) before the root element closed.
        public var truncated: Bool
    }

    public var limits: Limits

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Parses the first element of `text`; leading whitespace is skipped.
    public func parse(_ text: String) -> Result {
        var bytes = Array(text.utf8)
        var truncated = false
        if bytes.count > limits.maxBytes {
            bytes.removeSubrange(limits.maxBytes...)
            truncated = true
        }
        var state = State(bytes: bytes, limits: limits)
        let node = state.element(depth: 0)
        return Result(node: node, truncated: truncated || state.truncated)
    }
}

private struct State {
    let bytes: [UInt8]
    let limits: WANodeParser.Limits
    var position = 0
    var nodes = 0
    var truncated = false

    init(bytes: [UInt8], limits: WANodeParser.Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    static func isNameStart(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte == 0x5f
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        isNameStart(byte) || (byte >= 0x30 && byte <= 0x39) || byte == 0x3a || byte == 0x2e || byte == 0x2d
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d }

    func byte(at index: Int) -> UInt8? { index >= 0 && index < bytes.count ? bytes[index] : nil }

    func skippingSpaces(from index: Int) -> Int {
        var index = index
        while index < bytes.count && Self.isSpace(bytes[index]) { index += 1 }
        return index
    }

    /// The end of a name starting at `index`, or nil when no name starts there.
    func nameEnd(from index: Int) -> Int? {
        guard let first = byte(at: index), Self.isNameStart(first) else { return nil }
        var end = index + 1
        while end < bytes.count && Self.isNameByte(bytes[end]) { end += 1 }
        return end
    }

    func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    func hasPrefix(_ prefix: String, at index: Int) -> Bool {
        var index = index
        for byte in prefix.utf8 {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
        }
        return true
    }

    /// `<tag attrs...>` with its children, from the current position.
    mutating func element(depth: Int) -> WANode? {
        let start = skippingSpaces(from: position)
        guard byte(at: start) == UInt8(ascii: "<"), let nameEnd = nameEnd(from: start + 1) else { return nil }
        guard depth < limits.maxDepth, nodes < limits.maxNodes else {
            truncated = true
            return nil
        }
        nodes += 1
        var node = WANode(tag: text((start + 1)..<nameEnd))
        position = nameEnd
        while let attribute = attribute() {
            if node.attributes.count < limits.maxAttributes {
                node.attributes.append(attribute)
            } else {
                truncated = true
            }
        }
        let close = skippingSpaces(from: position)
        if hasPrefix("/>", at: close) {
            position = close + 2
            return node
        }
        guard byte(at: close) == UInt8(ascii: ">") else {
            // The text ends inside the start tag, or something that is not an attribute follows.
            truncated = true
            position = bytes.count
            return node
        }
        position = close + 1
        content(of: &node, depth: depth)
        return node
    }

    /// ` name=Qvalue Q` where the closing quote is followed by the next attribute or the tag's end.
    mutating func attribute() -> (name: String, value: String)? {
        let start = skippingSpaces(from: position)
        guard start > position, let nameEnd = nameEnd(from: start), byte(at: nameEnd) == UInt8(ascii: "="),
            let quote = byte(at: nameEnd + 1), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'")
        else { return nil }
        let valueStart = nameEnd + 2
        var index = valueStart
        while index < bytes.count {
            if bytes[index] == quote && closesValue(at: index + 1, quote: quote) {
                position = index + 1
                return (text(start..<nameEnd), text(valueStart..<index))
            }
            index += 1
        }
        // No closing quote: the line was cut inside the value.
        truncated = true
        position = bytes.count
        return (text(start..<nameEnd), text(valueStart..<bytes.count))
    }

    /// Whether what follows a quote at `index` is the end of the tag or another `name=Q`.
    func closesValue(at index: Int, quote: UInt8) -> Bool {
        let next = skippingSpaces(from: index)
        if next >= bytes.count { return true }
        if bytes[next] == UInt8(ascii: ">") || hasPrefix("/>", at: next) { return true }
        guard next > index, let nameEnd = nameEnd(from: next) else { return false }
        return byte(at: nameEnd) == UInt8(ascii: "=") && byte(at: nameEnd + 1) == quote
    }

    /// Children and opaque text up to `</tag>`.
    mutating func content(of node: inout WANode, depth: Int) {
        var text = ""
        while true {
            let index = skippingSpaces(from: position)
            guard index < bytes.count else {
                truncated = true
                position = bytes.count
                break
            }
            if hasPrefix("</", at: index) {
                var end = index + 2
                while end < bytes.count && bytes[end] != UInt8(ascii: ">") { end += 1 }
                if end >= bytes.count { truncated = true }
                position = min(end + 1, bytes.count)
                break
            }
            if hasPrefix("<!--", at: index) {
                var end = index + 4
                while end < bytes.count && !hasPrefix("-->", at: end) { end += 1 }
                if end >= bytes.count { truncated = true }
                append(self.text(index..<min(end + 3, bytes.count)), to: &text)
                position = min(end + 3, bytes.count)
                continue
            }
            if bytes[index] == UInt8(ascii: "<"), nameEnd(from: index + 1) != nil {
                position = index
                guard let child = element(depth: depth + 1) else {
                    position = bytes.count
                    break
                }
                node.children.append(child)
                continue
            }
            // Opaque text up to the next tag.
            var end = index + 1
            while end < bytes.count && bytes[end] != UInt8(ascii: "<") { end += 1 }
            append(self.text(index..<end), to: &text)
            position = end
        }
        if !text.isEmpty { node.content = text }
    }

    /// Content is opaque: hex cut into indented lines is joined back, line breaks and tabs dropped.
    func append(_ piece: String, to text: inout String) {
        guard text.count < limits.maxContent else { return }
        let lines = piece.split(whereSeparator: \.isNewline).map { line in
            line.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
        }
        text += lines.map { String($0) }.joined()
        if text.count > limits.maxContent { text = String(text.prefix(limits.maxContent)) }
    }
}
