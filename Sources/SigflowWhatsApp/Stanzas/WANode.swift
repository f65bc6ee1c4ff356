/// One WhatsApp binary-XML node as a client log prints it: a tag, attributes in the order printed,
/// child nodes, and opaque content (hex, `<!-- N bytes -->`, or a raw string).
public struct WANode: Hashable, Sendable {
    public var tag: String
    public var attributes: [(name: String, value: String)]
    public var children: [WANode]
    /// Text between the tags, whitespace-trimmed and cut to `WANodeParser.Limits.maxContent`.
    public var content: String?

    public init(
        tag: String, attributes: [(name: String, value: String)] = [], children: [WANode] = [],
        content: String? = nil
    ) {
        self.tag = tag
        self.attributes = attributes
        self.children = children
        self.content = content
    }

    public subscript(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }

    public func child(_ tag: String) -> WANode? { children.first { $0.tag == tag } }

    /// The start tag as one line, attributes double-quoted in the order printed: `<call id="x" to="y">`.
    public var startTag: String {
        var text = "<" + tag
        for attribute in attributes { text += " \(attribute.name)=\"\(attribute.value)\"" }
        return text + (children.isEmpty && content == nil ? "/>" : ">")
    }

    public static func == (lhs: WANode, rhs: WANode) -> Bool {
        lhs.tag == rhs.tag && lhs.children == rhs.children && lhs.content == rhs.content
            && lhs.attributes.elementsEqual(rhs.attributes) { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(tag)
        for attribute in attributes {
            hasher.combine(attribute.name)
            hasher.combine(attribute.value)
        }
        hasher.combine(children)
        hasher.combine(content)
    }
}
