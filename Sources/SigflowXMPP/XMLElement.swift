/// One XML element as the stanza parser builds it: names split into prefix and local part, the
/// namespace resolved from `xmlns` declarations in scope, attributes in document order and the
/// character data directly inside it (entities decoded).
public struct XMLElement: Hashable, Sendable {
    public var name: String
    public var prefix: String?
    /// The resolved namespace URI, nil when none is in scope.
    public var namespace: String?
    public var attributes: [XMLAttribute]
    public var children: [XMLElement]
    /// Character data directly inside this element, concatenated.
    public var text: String

    public init(
        name: String, prefix: String? = nil, namespace: String? = nil, attributes: [XMLAttribute] = [],
        children: [XMLElement] = [], text: String = ""
    ) {
        self.name = name
        self.prefix = prefix
        self.namespace = namespace
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// `stream:stream`, `message`.
    public var qualifiedName: String { prefix.map { "\($0):\(name)" } ?? name }

    /// An unprefixed attribute's value (`id`, `to`, `type`); the first one wins when repeated.
    public subscript(attribute: String) -> String? {
        attributes.first { $0.prefix == nil && $0.name == attribute }?.value
    }

    /// The first child with this local name (and namespace, when given).
    public func child(_ name: String, namespace: String? = nil) -> XMLElement? {
        children.first { $0.name == name && (namespace == nil || $0.namespace == namespace) }
    }

    /// Every child in this namespace.
    public func children(inNamespace namespace: String) -> [XMLElement] {
        children.filter { $0.namespace == namespace }
    }

    /// Every descendant (depth first, document order) with this local name.
    public func descendants(_ name: String) -> [XMLElement] {
        var found: [XMLElement] = []
        var stack = Array(children.reversed())
        while let next = stack.popLast() {
            if next.name == name { found.append(next) }
            stack.append(contentsOf: next.children.reversed())
        }
        return found
    }

    /// The start tag as text (`<message type='chat' to='bob@example.com'>`), attribute values
    /// shortened, for headlines.
    public func startTag(maxValueLength: Int = 60) -> String {
        var text = "<" + qualifiedName
        for attribute in attributes {
            let value =
                attribute.value.count > maxValueLength
                ? String(attribute.value.prefix(maxValueLength)) + "…" : attribute.value
            text += " \(attribute.qualifiedName)='\(value)'"
        }
        return text + (children.isEmpty && self.text.isEmpty ? "/>" : ">")
    }

    /// A stable text form for hashing: names, namespaces, attributes sorted, text, children, with
    /// the attributes in `ignoring` left out (a server adds `from` when it relays a stanza).
    public func canonicalText(ignoring: Set<String> = []) -> String {
        var text = "<{\(namespace ?? "")}\(name)"
        for attribute in attributes.filter({ !ignoring.contains($0.qualifiedName) && $0.prefix != "xmlns" })
            .sorted(by: { $0.qualifiedName < $1.qualifiedName }) where attribute.qualifiedName != "xmlns"
        {
            text += " \(attribute.qualifiedName)=\(attribute.value.debugDescription)"
        }
        text += ">" + self.text.debugDescription
        for child in children { text += child.canonicalText() }
        return text + "</>"
    }
}

public struct XMLAttribute: Hashable, Sendable {
    public var name: String
    public var prefix: String?
    public var value: String

    public init(name: String, prefix: String? = nil, value: String) {
        self.name = name
        self.prefix = prefix
        self.value = value
    }

    public var qualifiedName: String { prefix.map { "\($0):\(name)" } ?? name }
}
