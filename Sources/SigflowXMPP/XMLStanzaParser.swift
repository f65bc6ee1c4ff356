/// The namespaces in scope where an element starts: the default namespace and the prefixes bound.
public struct XMLNamespaceScope: Hashable, Sendable {
    public var defaultNamespace: String?
    public var prefixes: [String: String]

    public init(defaultNamespace: String? = nil, prefixes: [String: String] = [:]) {
        self.defaultNamespace = defaultNamespace
        self.prefixes = prefixes
    }

    public static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"
    public static let streamsNamespace = "http://etherx.jabber.org/streams"

    /// What a client-to-server stream declares in its header; assumed when the header was not seen.
    public static let client = XMLNamespaceScope(
        defaultNamespace: "jabber:client", prefixes: ["stream": streamsNamespace])

    /// The scope inside an element with these attributes (its `xmlns` and `xmlns:p` declarations).
    public func entering(_ attributes: [XMLAttribute]) -> XMLNamespaceScope {
        var scope = self
        for attribute in attributes {
            if attribute.prefix == nil && attribute.name == "xmlns" {
                scope.defaultNamespace = attribute.value.isEmpty ? nil : attribute.value
            } else if attribute.prefix == "xmlns" {
                scope.prefixes[attribute.name] = attribute.value
            }
        }
        return scope
    }

    func namespace(forPrefix prefix: String?) -> String? {
        guard let prefix else { return defaultNamespace }
        if prefix == "xml" { return Self.xmlNamespace }
        return prefixes[prefix]
    }
}

public enum XMLParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes hold no start tag.
    case noElement

    public var description: String { "no XML element" }
}

/// A parsed stanza and what the parser had to forgive.
public struct XMLParseResult: Sendable {
    public var element: XMLElement
    /// Elements left open at the end, or closed by an end tag of an outer element.
    public var repaired: Bool
    /// Content deeper than `maxDepth`, or beyond `maxElements`, was read past without being built.
    public var truncated: Bool
}

/// A small, tolerant XML parser for one stanza (one complete top-level element, as the stream
/// framer cuts it): elements, attributes in either quote, namespaces through `xmlns` and prefixes,
/// character data with the five predefined entities and numeric references. There is no DTD, so
/// no entity can expand; unknown entities stay as written. Broken input is repaired rather than
/// refused: unclosed elements are closed at the end, stray end tags ignored, unquoted attribute
/// values accepted. Work is linear in the input and bounded by `XMPPLimits`.
public enum XMLStanzaParser {
    public static func parse(
        _ bytes: [UInt8], scope: XMLNamespaceScope = .client, limits: XMPPLimits = XMPPLimits()
    ) throws(XMLParseError) -> XMLParseResult {
        var parser = Parser(bytes: bytes, limits: limits)
        guard let result = parser.run(scope: scope) else { throw .noElement }
        return result
    }

    /// The start tag alone (`<stream:stream ...>` or `<open .../>`) as an element without content.
    public static func parseStartTag(_ bytes: [UInt8], scope: XMLNamespaceScope) -> XMLElement? {
        let parser = Parser(bytes: bytes, limits: XMPPLimits())
        guard let open = bytes.firstIndex(of: UInt8(ascii: "<")), let tag = parser.startTag(at: open) else {
            return nil
        }
        return parser.element(for: tag, in: scope).element
    }
}

private struct Parser {
    let bytes: [UInt8]
    let limits: XMPPLimits

    struct Frame {
        var element: XMLElement
        var scope: XMLNamespaceScope
        var text: [UInt8] = []
    }

    struct Tag {
        var name: Range<Int>
        var attributes: [(name: Range<Int>, value: [UInt8])]
        var selfClosing: Bool
        var end: Int
    }

    init(bytes: [UInt8], limits: XMPPLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    mutating func run(scope: XMLNamespaceScope) -> XMLParseResult? {
        var stack: [Frame] = []
        var skipDepth = 0
        var built = 0
        var repaired = false
        var truncated = false
        var index = 0
        let end = bytes.count
        while index < end {
            guard let open = nextLessThan(from: index) else {
                if !stack.isEmpty && skipDepth == 0 { stack[stack.count - 1].text += decodeText(index..<end) }
                break
            }
            if open > index, !stack.isEmpty, skipDepth == 0 {
                stack[stack.count - 1].text += decodeText(index..<open)
            }
            guard open + 1 < end else { break }
            switch bytes[open + 1] {
            case UInt8(ascii: "/"):
                guard let close = firstIndex(of: UInt8(ascii: ">"), from: open + 2) else {
                    index = end
                    continue
                }
                index = close + 1
                if skipDepth > 0 {
                    skipDepth -= 1
                    continue
                }
                let name = trimmedName(open + 2..<close)
                guard let match = stack.lastIndex(where: { $0.element.qualifiedName == name }) else { continue }
                if match != stack.count - 1 { repaired = true }
                while stack.count > match + 1 { Self.pop(&stack) }
                if stack.count == 1 {
                    return XMLParseResult(element: Self.finished(stack[0]), repaired: repaired, truncated: truncated)
                }
                Self.pop(&stack)
            case UInt8(ascii: "?"):
                index = (find([UInt8(ascii: "?"), UInt8(ascii: ">")], from: open + 2) ?? end - 2) + 2
            case UInt8(ascii: "!"):
                if hasPrefix("<![CDATA[", at: open) {
                    let close = find(Array("]]>".utf8), from: open + 9) ?? end
                    if !stack.isEmpty && skipDepth == 0 { stack[stack.count - 1].text += bytes[(open + 9)..<close] }
                    index = min(close + 3, end)
                } else if hasPrefix("<!--", at: open) {
                    index = min((find(Array("-->".utf8), from: open + 4) ?? end) + 3, end)
                } else {
                    index = (firstIndex(of: UInt8(ascii: ">"), from: open + 2) ?? end - 1) + 1
                }
            default:
                guard let tag = startTag(at: open) else {
                    index = end
                    continue
                }
                index = tag.end
                if skipDepth > 0 || stack.count >= limits.maxDepth || built >= limits.maxElements {
                    if !stack.isEmpty {
                        truncated = true
                        if !tag.selfClosing { skipDepth += 1 }
                        continue
                    }
                }
                let scope = stack.last?.scope ?? scope
                let (element, inner) = element(for: tag, in: scope)
                built += 1
                if tag.selfClosing {
                    if stack.isEmpty {
                        return XMLParseResult(element: element, repaired: repaired, truncated: truncated)
                    }
                    stack[stack.count - 1].element.children.append(element)
                } else {
                    stack.append(Frame(element: element, scope: inner))
                }
            }
        }
        guard !stack.isEmpty else { return nil }
        while stack.count > 1 { Self.pop(&stack) }
        return XMLParseResult(element: Self.finished(stack[0]), repaired: true, truncated: truncated)
    }

    static func finished(_ frame: Frame) -> XMLElement {
        var element = frame.element
        element.text = String(decoding: frame.text, as: UTF8.self)
        return element
    }

    static func pop(_ stack: inout [Frame]) {
        let element = finished(stack.removeLast())
        stack[stack.count - 1].element.children.append(element)
    }

    /// Builds the element for a start tag: names split at the colon, namespaces resolved.
    func element(for tag: Tag, in scope: XMLNamespaceScope) -> (element: XMLElement, scope: XMLNamespaceScope) {
        var attributes: [XMLAttribute] = []
        for (name, value) in tag.attributes {
            let (prefix, local) = Self.split(string(name))
            // The first of repeated attributes wins.
            if attributes.contains(where: { $0.prefix == prefix && $0.name == local }) { continue }
            attributes.append(XMLAttribute(name: local, prefix: prefix, value: String(decoding: value, as: UTF8.self)))
        }
        let inner = scope.entering(attributes)
        let (prefix, local) = Self.split(string(tag.name))
        let element = XMLElement(
            name: local, prefix: prefix, namespace: inner.namespace(forPrefix: prefix), attributes: attributes)
        return (element, inner)
    }

    static func split(_ name: String) -> (prefix: String?, local: String) {
        guard let colon = name.firstIndex(of: ":"), colon != name.startIndex, name.index(after: colon) != name.endIndex
        else { return (nil, name) }
        return (String(name[..<colon]), String(name[name.index(after: colon)...]))
    }

    /// Reads the start tag at `open` (a `<`), or nil when its `>` is missing.
    func startTag(at open: Int) -> Tag? {
        let end = bytes.count
        var index = open + 1
        while index < end, !Self.isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">"),
            bytes[index] != UInt8(ascii: "/")
        {
            index += 1
        }
        let name = (open + 1)..<min(index, open + 1 + 1024)
        var attributes: [(name: Range<Int>, value: [UInt8])] = []
        while true {
            while index < end, Self.isSpace(bytes[index]) { index += 1 }
            guard index < end else { return nil }
            if bytes[index] == UInt8(ascii: ">") {
                return Tag(name: name, attributes: attributes, selfClosing: false, end: index + 1)
            }
            if bytes[index] == UInt8(ascii: "/") {
                index += 1
                if index < end, bytes[index] == UInt8(ascii: ">") {
                    return Tag(name: name, attributes: attributes, selfClosing: true, end: index + 1)
                }
                continue
            }
            let nameStart = index
            while index < end, !Self.isSpace(bytes[index]), bytes[index] != UInt8(ascii: "="),
                bytes[index] != UInt8(ascii: ">"), bytes[index] != UInt8(ascii: "/")
            {
                index += 1
            }
            let attributeName = nameStart..<min(index, nameStart + 1024)
            while index < end, Self.isSpace(bytes[index]) { index += 1 }
            var value: [UInt8] = []
            if index < end, bytes[index] == UInt8(ascii: "=") {
                index += 1
                while index < end, Self.isSpace(bytes[index]) { index += 1 }
                guard index < end else { return nil }
                let quote = bytes[index]
                if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
                    guard let close = firstIndex(of: quote, from: index + 1) else { return nil }
                    value = decodeText(index + 1..<close)
                    index = close + 1
                } else {
                    let valueStart = index
                    while index < end, !Self.isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">") { index += 1 }
                    value = decodeText(valueStart..<index)
                }
            }
            if !attributeName.isEmpty, attributes.count < limits.maxAttributes {
                attributes.append((attributeName, value))
            }
        }
    }

    // MARK: Bytes

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    func trimmedName(_ range: Range<Int>) -> String {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, Self.isSpace(bytes[lower]) { lower += 1 }
        while upper > lower, Self.isSpace(bytes[upper - 1]) { upper -= 1 }
        return string(lower..<min(upper, lower + 1024))
    }

    func nextLessThan(from index: Int) -> Int? { firstIndex(of: UInt8(ascii: "<"), from: index) }

    func firstIndex(of byte: UInt8, from index: Int) -> Int? {
        guard index < bytes.count else { return nil }
        return bytes[index...].firstIndex(of: byte)
    }

    func hasPrefix(_ text: String, at index: Int) -> Bool {
        let needle = Array(text.utf8)
        return index + needle.count <= bytes.count && bytes[index..<(index + needle.count)].elementsEqual(needle)
    }

    func find(_ needle: [UInt8], from index: Int) -> Int? {
        var at = index
        while let first = firstIndex(of: needle[0], from: at) {
            guard first + needle.count <= bytes.count else { return nil }
            if bytes[first..<(first + needle.count)].elementsEqual(needle) { return first }
            at = first + 1
        }
        return nil
    }

    /// Character data with entity and character references replaced; anything unknown stays as written.
    func decodeText(_ range: Range<Int>) -> [UInt8] {
        guard let firstAmpersand = bytes[range].firstIndex(of: UInt8(ascii: "&")) else { return Array(bytes[range]) }
        var output = Array(bytes[range.lowerBound..<firstAmpersand])
        var index = firstAmpersand
        while index < range.upperBound {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "&"),
                let semicolon = bytes[(index + 1)..<min(range.upperBound, index + 12)].firstIndex(
                    of: UInt8(ascii: ";")),
                let replacement = Self.entity(bytes[(index + 1)..<semicolon])
            else {
                output.append(byte)
                index += 1
                continue
            }
            output.append(contentsOf: replacement)
            index = semicolon + 1
        }
        return output
    }

    static func entity(_ name: ArraySlice<UInt8>) -> [UInt8]? {
        switch String(decoding: name, as: UTF8.self) {
        case "lt": return [UInt8(ascii: "<")]
        case "gt": return [UInt8(ascii: ">")]
        case "amp": return [UInt8(ascii: "&")]
        case "quot": return [UInt8(ascii: "\"")]
        case "apos": return [UInt8(ascii: "'")]
        default: break
        }
        guard name.first == UInt8(ascii: "#"), name.count >= 2 else { return nil }
        var digits = name.dropFirst()
        var radix: UInt32 = 10
        if digits.first == UInt8(ascii: "x") || digits.first == UInt8(ascii: "X") {
            radix = 16
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.count <= 8 else { return nil }
        var value: UInt32 = 0
        for digit in digits {
            guard let number = Self.digit(digit, radix: radix) else { return nil }
            value = value * radix + number
        }
        // Not a character XML allows: the replacement character, never a crash.
        let scalar = value == 0 ? nil : Unicode.Scalar(value)
        return Array(String(Character(scalar ?? "\u{FFFD}")).utf8)
    }

    static func digit(_ byte: UInt8, radix: UInt32) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
